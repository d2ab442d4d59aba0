package ciyaml

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"kuberunner/common"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file, job   string
		wantErr     error // errors.Is target; nil when wantAs says it all
		wantLine    int
		wantKeyword string
	}{
		{"errors.yml", "no-script", ErrNoScript, 1, "no-script"},
		{"errors.yml", "empty-script", ErrNoScript, 4, "empty-script"},
		{"errors.yml", "image-without-name", ErrInvalid, 21, "image"},
		{"errors.yml", "script-mapping", ErrInvalid, 26, "script"},
		{"errors.yml", "not-a-mapping", ErrInvalid, 28, "not-a-mapping"},
		{"errors.yml", "bad-expand", ErrInvalid, 34, "variables:X:expand"},
		{"errors.yml", "list-variables", ErrInvalid, 38, "variables"},
		{"errors.yml", "user-options-not-a-mapping", ErrInvalid, 44, "image:docker"},
		{"errors.yml", "user-not-a-value", ErrInvalid, 51, "services:kubernetes:user"},
		{"extends_errors.yml", "cycle", ErrExtendsCycle, 9, "extends"},
		{"extends_errors.yml", "self", ErrExtendsCycle, 15, "extends"},
		{"extends_errors.yml", "missing", ErrUnknownExtends, 19, "extends"},
		{"extends_errors.yml", "extends-keyword", ErrUnknownExtends, 23, "extends"},
		{"extends_errors.yml", "bad-extends", ErrInvalid, 27, "extends"},
		{"reference.yml", "missing-ref", ErrBadReference, 21, ""},
		{"reference.yml", "ref-cycle-a", ErrBadReference, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.job, func(t *testing.T) {
			job, _, err := Load(fixture(tt.file), tt.job)
			if job != nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load = %v, %v; want error %v", job, err, tt.wantErr)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if tt.wantLine != 0 && e.Line != tt.wantLine {
				t.Errorf("line = %d, want %d (%v)", e.Line, tt.wantLine, err)
			}
			if e.File != fixture(tt.file) {
				t.Errorf("file = %q, want %q", e.File, fixture(tt.file))
			}
			if e.Keyword != tt.wantKeyword {
				t.Errorf("keyword = %q, want %q (%v)", e.Keyword, tt.wantKeyword, err)
			}
		})
	}
}

func TestPullPolicy(t *testing.T) {
	const head = "job:\n  script: [echo]\n  image:\n    name: alpine\n"
	tests := []struct {
		name     string
		yaml     string
		want     common.PullPolicies
		wantBad  string // the rejected value, if any
		wantLine int
	}{
		{"string", head + "    pull_policy: never\n", common.PullPolicies{common.PullPolicyNever}, "", 0},
		{"list", head + "    pull_policy: [always, if-not-present]\n", common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}, "", 0},
		{"repeats kept", head + "    pull_policy: [always, always]\n", common.PullPolicies{common.PullPolicyAlways, common.PullPolicyAlways}, "", 0},
		{"absent", head, nil, "", 0},
		{"empty list", head + "    pull_policy: []\n", nil, "", 0},
		{"bad name in string", head + "    pull_policy: IfNotPresent\n", nil, "IfNotPresent", 5},
		{"bad name in list", head + "    pull_policy:\n      - always\n      - if_not_present\n", nil, "if_not_present", 7},
		{"not a string", head + "    pull_policy: {always: true}\n", nil, "", 5},
		{"service", "job:\n  script: [echo]\n  services:\n    - name: db\n      pull_policy: [nope]\n", nil, "nope", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, _, err := Parse("ci.yml", []byte(tt.yaml), "job")
			if tt.wantLine == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(job.Image.PullPolicies, tt.want) {
					t.Fatalf("got %q, want %q", job.Image.PullPolicies, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Line != tt.wantLine {
				t.Fatalf("err = %v, want an *Error on line %d", err, tt.wantLine)
			}
			var bad *common.UnknownPullPolicyError
			switch {
			case tt.wantBad == "" && !errors.Is(err, ErrInvalid):
				t.Fatalf("err = %v, want ErrInvalid", err)
			case tt.wantBad != "" && (!errors.As(err, &bad) || bad.Value != tt.wantBad):
				t.Fatalf("err = %v, want UnknownPullPolicyError for %q", err, tt.wantBad)
			}
		})
	}
}

func TestUnknownJob(t *testing.T) {
	tests := []struct {
		file, job string
		wantJobs  []string
	}{
		{"basic.yml", "nope", []string{"strings", "objects", "no-image"}},
		{"basic.yml", ".hidden", []string{"strings", "objects", "no-image"}},
		{"basic.yml", "stages", []string{"strings", "objects", "no-image"}},
		{"defaults.yml", "default", []string{"inherits", "overrides"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.job, func(t *testing.T) {
			_, _, err := Load(fixture(tt.file), tt.job)
			var e *UnknownJobError
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *UnknownJobError", err)
			}
			if e.Job != tt.job || !reflect.DeepEqual(e.Jobs, tt.wantJobs) {
				t.Fatalf("got job %q jobs %q, want %q %q", e.Job, e.Jobs, tt.job, tt.wantJobs)
			}
		})
	}
	t.Run("empty file", func(t *testing.T) {
		_, _, err := Parse("empty.yml", []byte("# nothing\n"), "job")
		var e *UnknownJobError
		if !errors.As(err, &e) || len(e.Jobs) != 0 {
			t.Fatalf("err = %v, want *UnknownJobError with no jobs", err)
		}
	})
}

// TestSyntaxErrors pins both positions: Line as yaml.v3 names it and
// StoppedAt, the line the parser had read to, which is where the mistake is
// or just after it.
func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name          string
		yaml          string
		wantLine      int
		wantStoppedAt int
	}{
		{"bad indent", "job:\n  script:\n    - echo one\n   - echo bad indent\n", 1, 4},
		{"unclosed quote", "job:\n  script:\n    - \"echo\n", 3, 3},
		{"tab indent", "job:\n\tscript: [echo]\n", 2, 2},
		{"unclosed flow list", "job:\n  script: [echo\n\nother: 1\n", 1, 4},
		{"mapping in scalar", "a: 1\nb: c: d\n", 2, 2},
		{"first line", "a: b: c\nd: 1\n", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("ci.yml", []byte(tt.yaml), "job")
			var e *SyntaxError
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *SyntaxError", err, err)
			}
			if e.File != "ci.yml" || e.Line != tt.wantLine || e.StoppedAt != tt.wantStoppedAt {
				t.Fatalf("at %s line %d stopped at %d, want ci.yml line %d stopped at %d (%v)",
					e.File, e.Line, e.StoppedAt, tt.wantLine, tt.wantStoppedAt, err)
			}
		})
	}
	t.Run("fixture", func(t *testing.T) {
		_, _, err := Load(fixture("syntax_error.yml"), "job")
		var e *SyntaxError
		if !errors.As(err, &e) || e.StoppedAt != 4 {
			t.Fatalf("err = %v, want *SyntaxError stopped at line 4", err)
		}
	})
	t.Run("Jobs reports it too", func(t *testing.T) {
		_, err := Jobs("ci.yml", []byte("a: [\n"))
		var e *SyntaxError
		if !errors.As(err, &e) {
			t.Fatalf("err = %v, want *SyntaxError", err)
		}
	})
}

func TestStructureErrors(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		wantErr  error
		wantLine int
	}{
		{"alias inside its anchor", "job:\n  script: [echo]\nloop: &loop\n  - *loop\n", ErrAliasCycle, 4},
		{"top level is a list", "- a\n- b\n", ErrInvalid, 1},
		{"merge of a scalar", "job:\n  <<: nope\n  script: [echo]\n", ErrInvalid, 2},
		{"three documents", "a: 1\n---\nb: 1\n---\njob: {script: [echo]}\n", ErrInvalid, 0},
		{"default not a mapping", "default: [x]\njob:\n  script: [echo]\n", ErrInvalid, 1},
		{"script nested too deep", "job:\n  script: [[[[[[[[[[[echo]]]]]]]]]]]\n", ErrInvalid, 2},
		{
			"alias bomb",
			"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
				"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
				"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
				"job:\n  script: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			ErrTooLarge, 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("ci.yml", []byte(tt.yaml), "job")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if tt.wantLine != 0 && e.Line != tt.wantLine {
				t.Fatalf("line = %d, want %d (%v)", e.Line, tt.wantLine, err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, _, err := Load(fixture("does-not-exist.yml"), "job")
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}

// TestNestedAliasesStayCheap merges two alias bombs through extends: each
// expands to 10^8 nodes, so this only finishes if shared nodes are merged
// once.
func TestNestedAliasesStayCheap(t *testing.T) {
	var b strings.Builder
	for _, p := range []string{"a", "b"} {
		fmt.Fprintf(&b, "%s0: &%s0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}\n", p, p)
		for i := 1; i < 8; i++ {
			fmt.Fprintf(&b, "%s%d: &%s%d {", p, i, p, i)
			for k := 0; k < 10; k++ {
				fmt.Fprintf(&b, "k%d: *%s%d, ", k, p, i-1)
			}
			b.WriteString("}\n")
		}
	}
	b.WriteString(".p:\n  variables: *a7\n  script: [x]\njob:\n  extends: .p\n  variables: *b7\n")
	if _, _, err := Parse("ci.yml", []byte(b.String()), "job"); err != nil {
		t.Fatal(err)
	}
}
