package ciyaml

import (
	"reflect"
	"testing"
)

// place is the part of a Warning a test pins down; messages are prose.
type place struct {
	Line    int
	Keyword string
}

func places(ws []Warning) []place {
	var out []place
	for _, w := range ws {
		out = append(out, place{w.Line, w.Keyword})
	}
	return out
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		file, job string
		want      []place
	}{
		{"unknown_keywords.yml", "job", []place{
			{1, "include"},
			{3, "workflow"},
			{6, "cache"},
			{12, "default:image:docker:platform"},
			{13, "default:retry"},
			{16, "rules"},
			{18, "only"},
			{19, "except"},
			{20, "artifacts"},
			{22, "cache"},
			{23, "needs"},
			{24, "tags"},
			{25, "when"},
			{26, "retry"},
			{27, "timeout"},
			{28, "colour"},
		}},
		{"defaults.yml", "inherits", []place{{8, "default:tags"}, {9, "default:variables"}}},
		// tags is written once, in .base, and reached through two levels.
		{"extends.yml", "multi-level", []place{{8, "tags"}}},
		{"spec_header.yml", "job", []place{{1, "spec"}}},
		{"basic.yml", "objects", nil},
		{"variables.yml", "job", nil},
		{"anchors.yml", "job", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.job, func(t *testing.T) {
			_, ws, err := Load(fixture(tt.file), tt.job)
			if err != nil {
				t.Fatal(err)
			}
			if got := places(ws); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %v\nwant %v\n%v", got, tt.want, ws)
			}
			for _, w := range ws {
				if w.File != fixture(tt.file) || w.Message == "" {
					t.Fatalf("incomplete warning %+v", w)
				}
			}
		})
	}
}

func TestWarningsInline(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []place
	}{
		{"duplicate key", "job:\n  script: [a]\n  script: [b]\n", []place{{3, "script"}}},
		{"unknown variable option", "job:\n  variables:\n    X: {value: \"1\", masked: true}\n  script: [echo]\n", []place{{3, "variables:X:masked"}}},
		{"image options", "job:\n  image: {name: a, kubernetes: {user: 1, group: 2}}\n  script: [echo]\n", []place{{2, "image:kubernetes:group"}}},
		{"inherit", "job:\n  inherit: {default: false}\n  script: [echo]\n", []place{{2, "inherit"}}},
		{"stages is understood", "stages: [a]\njob:\n  stage: a\n  script: [echo]\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ws, err := Parse("ci.yml", []byte(tt.yaml), "job")
			if err != nil {
				t.Fatal(err)
			}
			if got := places(ws); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %v\nwant %v\n%v", got, tt.want, ws)
			}
		})
	}
}

func TestDuplicateKeyLaterWins(t *testing.T) {
	job, _, err := Parse("ci.yml", []byte("job:\n  script: [a]\n  script: [b]\n"), "job")
	if err != nil {
		t.Fatal(err)
	}
	if got := job.Steps[0].Script; !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("script = %q, want [b]", got)
	}
}
