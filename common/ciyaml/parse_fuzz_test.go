package ciyaml

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"kuberunner/common"
)

// FuzzParse feeds arbitrary files to Parse: whatever the input, it must
// return a job or an error, never panic or hang, and never allocate more
// than allocBound for it.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data, "job")
		}
	}
	f.Add([]byte("a: &a [*a]\njob: {script: *a}\n"), "job")
	f.Add([]byte("job:\n  script: [echo]\n  variables: {LONG: "+strings.Repeat("x", 1<<16)+"}\n"), "job")
	f.Add([]byte("a: &a {k: 1, l: 2}\njob: {<<: [*a, *a, *a], script: [x]}\n"), "job")
	f.Fuzz(func(t *testing.T, data []byte, job string) {
		var names []string
		var err error
		checkAllocs(t, "Jobs", data, func() { names, err = Jobs("ci.yml", data) })
		if err != nil {
			return
		}
		for _, name := range append(names, job) {
			var j *common.Job
			checkAllocs(t, "Parse "+name, data, func() { j, _, err = Parse("ci.yml", data, name) })
			if err == nil && (j == nil || len(j.Steps) == 0 || len(j.Steps[0].Script) == 0) {
				t.Fatalf("job %q parsed without a script: %+v", name, j)
			}
		}
	})
}

// allocBound is the most one call may allocate for an input of n bytes. A
// YAML node takes a few hundred bytes in yaml.v3 and in this package and can
// be written in two bytes ("a,"), so legitimate files measure up to about
// 300 bytes per byte; 512 leaves room, and the constant covers small inputs
// and the alias-bomb limits. Blowups (work quadratic in the input, aliases
// or merge keys expanded without a limit) exceed it by orders of magnitude.
func allocBound(n int) uint64 { return 512*uint64(n) + 32<<20 }

// checkAllocs runs f and fails if it allocated more than allocBound. It
// counts every byte allocated (TotalAlloc) rather than the heap's growth:
// that bounds the peak from above, and a collection that happens to run
// during f cannot hide a blowup.
func checkAllocs(t *testing.T, what string, data []byte, f func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, allocBound(len(data)); got > limit {
		t.Fatalf("%s allocated %d bytes for %d bytes of input, more than %d", what, got, len(data), limit)
	}
}
