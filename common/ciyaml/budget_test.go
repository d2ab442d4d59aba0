package ciyaml

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// anchorOf is a top-level anchor a with keys k0..k(n-1).
func anchorOf(n int) string {
	var b strings.Builder
	b.WriteString("a: &a {")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "k%d: 1, ", i)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestMergeBudget: merge keys and extends that would copy a mapping into
// many places are refused with ErrTooLarge; files that merge a lot but pay
// for it with their size are read.
func TestMergeBudget(t *testing.T) {
	tests := []struct {
		name    string
		yaml    func() string
		wantErr error
	}{
		{"one mapping merged in many places", func() string {
			var b strings.Builder
			b.WriteString(anchorOf(500) + "job: {script: [x]}\n")
			for i := 0; i < 500; i++ {
				fmt.Fprintf(&b, "m%d: {<<: *a}\n", i)
			}
			return b.String()
		}, ErrTooLarge},
		{"extends many parents", func() string {
			var b strings.Builder
			parents := make([]string, 600)
			for i := range parents {
				parents[i] = fmt.Sprintf(".p%d", i)
				fmt.Fprintf(&b, ".p%d: {k%d: 1}\n", i, i)
			}
			b.WriteString("job:\n  script: [x]\n  extends: [" + strings.Join(parents, ", ") + "]\n")
			return b.String()
		}, ErrTooLarge},
		{"the same mapping merged repeatedly", func() string {
			return anchorOf(1000) + "job: {<<: [" + strings.Repeat("*a, ", 1000) + "], script: [x]}\n"
		}, nil},
		{"many jobs merging defaults", func() string {
			var b strings.Builder
			b.WriteString(strings.Replace(anchorOf(40), "a: &a", "d: &d", 1))
			for i := 0; i < 3000; i++ { // 120000 keys copied, paid for by the file's size
				fmt.Fprintf(&b, "j%d: {<<: *d, script: [x]}\n", i)
			}
			b.WriteString("job: {<<: *d, script: [x]}\n")
			return b.String()
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("ci.yml", []byte(tt.yaml()), "job")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *Error
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &e) || e.File != "ci.yml" || e.Line == 0 {
				t.Fatalf("err = %v, want an *Error with a line and %v", err, tt.wantErr)
			}
		})
	}
}

// TestMergesCopyLinearly counts the keys copied, which is the work merging
// does: merging the same mapping again must copy nothing, and extending a
// job must copy each key of the two once.
func TestMergesCopyLinearly(t *testing.T) {
	t.Run("repeated merge source", func(t *testing.T) {
		data := []byte(anchorOf(1000) + "job: {<<: [" + strings.Repeat("*a, ", 1000) + "], script: [x]}\n")
		budget := newMergeBudget("ci.yml", len(data))
		if _, err := readTop("ci.yml", data, &warnings{}, budget); err != nil {
			t.Fatal(err)
		}
		if budget.copied != 1000 {
			t.Fatalf("copied %d keys, want 1000", budget.copied)
		}
	})
	t.Run("extends with many keys", func(t *testing.T) {
		const n = 5000
		var b strings.Builder
		b.WriteString(".t:\n  script: [x]\n  variables:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "    A%d: 1\n", i)
		}
		b.WriteString("job:\n  extends: .t\n  variables:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "    B%d: 1\n", i)
		}
		data := []byte(b.String())
		budget := newMergeBudget("ci.yml", len(data))
		top, err := readTop("ci.yml", data, &warnings{}, budget)
		if err != nil {
			t.Fatal(err)
		}
		job, err := newConfig("ci.yml", top, &warnings{}, budget).job("job", nil)
		if err != nil {
			t.Fatal(err)
		}
		vars, _ := job.get("variables")
		if len(vars.val.pairs) != 2*n {
			t.Fatalf("got %d variables, want %d", len(vars.val.pairs), 2*n)
		}
		// .t and job (two keys each), then their variables.
		if want := 2 + 2 + 2*n; budget.copied != want {
			t.Fatalf("copied %d keys, want %d", budget.copied, want)
		}
	})
}
