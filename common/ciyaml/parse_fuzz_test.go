package ciyaml

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary files to Parse: whatever the input, it must
// return a job or an error, never panic or hang.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data, "job")
		}
	}
	f.Add([]byte("a: &a [*a]\njob: {script: *a}\n"), "job")
	f.Fuzz(func(t *testing.T, data []byte, job string) {
		names, err := Jobs("ci.yml", data)
		if err != nil {
			return
		}
		for _, name := range append(names, job) {
			j, _, err := Parse("ci.yml", data, name)
			if err == nil && (j == nil || len(j.Steps) == 0 || len(j.Steps[0].Script) == 0) {
				t.Fatalf("job %q parsed without a script: %+v", name, j)
			}
		}
	})
}
