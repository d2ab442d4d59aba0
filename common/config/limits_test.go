package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/helpers/namedfile"
)

// nest returns "open*n x close*n", the shape of every deep input.
func nest(open, x, close string, n int) string {
	return strings.Repeat(open, n) + x + strings.Repeat(close, n)
}

func TestScanShapeDepth(t *testing.T) {
	dotted := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "a"
		}
		return strings.Join(parts, ".")
	}
	tests := []struct {
		name     string
		src      string
		ok       bool
		overLine int
	}{
		{"empty", "", true, 0},
		{"a real file", "[[runners]]\n[runners.kubernetes]\npull_policy = [\"always\"]\n[[runners.kubernetes.services]]\nname = \"x\"\n", true, 0},
		{"arrays at the limit", "a = " + nest("[", "1", "]", 64) + "\n", true, 0},
		{"arrays over the limit", "a = " + nest("[", "1", "]", 65) + "\n", false, 1},
		{"inline tables over the limit", "x = 1\na = " + nest("{b = ", "1", "}", 65) + "\n", false, 2},
		{"inline tables at the limit", "a = " + nest("{b = ", "1", "}", 63) + "\n", true, 0},
		{"a table header adds its depth", "[t]\na = " + nest("[", "1", "]", 64) + "\n", false, 2},
		// Each part of a dotted key is a level; an array value is the
		// key's own level.
		{"dotted key at the limit", dotted(64) + " = [1]\n", true, 0},
		{"dotted key over the limit", dotted(65) + " = 1\n", false, 1},
		{"dotted key adds its parts", dotted(64) + " = [[1]]\n", false, 1},
		{"dotted header over the limit", "[" + dotted(65) + "]\n", false, 1},
		{"array-of-tables header counts the element", "[[" + dotted(64) + "]]\n", false, 1},
		{"array-of-tables header at the limit", "[[" + dotted(63) + "]]\n", true, 0},
		{"dotted keys inside inline tables", "a = {" + dotted(64) + " = 1}\n", false, 1},
		{"quoted dotted key parts", `"a".'b'."c" = ` + nest("[", "1", "]", 63) + "\n", false, 1},
		{"arrays over lines", "a = [\n" + nest("[\n", "1", "]\n", 70), false, 65},
		{"mixed arrays and inline tables", "a = " + nest("[{b = ", "1", "}]", 33) + "\n", false, 1},
		{"siblings do not add up", "a = [" + strings.Repeat(nest("[", "1", "]", 40)+", ", 10) + "]\n", true, 0},
		{"brackets in strings do not count", "a = \"" + strings.Repeat("[", 100) + "\"\nb = '" + strings.Repeat("{", 100) + "'\n", true, 0},
		{"brackets in multi-line strings do not count", "a = \"\"\"\n" + strings.Repeat("[", 100) + "\n\"\"\"\nb = '''" + strings.Repeat("{", 100) + "'''\n", true, 0},
		{"escaped quote does not end the string", `a = "\"` + strings.Repeat("[", 100) + "\"\n", true, 0},
		{"brackets in comments do not count", "# " + strings.Repeat("[", 100) + "\na = 1 # " + strings.Repeat("{", 100) + "\n", true, 0},
		{"a string does not hide real brackets after it", `a = ["]", ` + nest("[", "1", "]", 64) + "]\n", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, over := scanShape([]byte(tt.src), MaxDepth, 1<<40)
			if tt.ok {
				assert.NoError(t, over)
			} else {
				assert.ErrorIs(t, over, errDepth)
			}
			assert.Equal(t, tt.overLine, line)
		})
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
		is   func(error) bool
	}{
		{
			name: "nesting deeper than the limit",
			src:  "[[runners]]\nname = \"x\"\nenvironment = " + nest("{a = ", "1", "}", 5000) + "\n",
			line: 3,
			msg:  "config.toml:3: tables, arrays and inline tables nest deeper than the limit of 64 levels",
			is:   func(err error) bool { return errors.Is(err, ErrTooDeep) },
		},
		{
			name: "bytes over the size limit",
			src:  strings.Repeat("# padding\n", MaxFileSize/10+1),
			msg:  "config.toml: the file is 8388610 bytes, over the limit of 8 MiB",
			is: func(err error) bool {
				var tl *namedfile.TooLargeError
				return errors.As(err, &tl) && tl.Limit == MaxFileSize
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := Parse("config.toml", []byte(tt.src))
			require.Error(t, err)
			assert.Nil(t, cfg)
			errs := configErrors(t, err)
			require.Len(t, errs, 1)
			assert.Equal(t, tt.line, errs[0].Line)
			assert.EqualError(t, errs[0], tt.msg)
			assert.True(t, tt.is(err), "typed cause: %#v", errs[0].Err)
		})
	}
}

// TestDeepNestingIsCheap is the regression test for the TOML library using
// gigabytes on an inline table nested a few thousand levels deep: the
// pre-scan refuses it before the library sees it, with little allocated.
func TestDeepNestingIsCheap(t *testing.T) {
	for _, src := range []string{
		"a = " + nest("{b = ", "1", "}", 100000),
		"a = " + nest("[", "1", "]", 100000),
		strings.Repeat("a.", 100000) + "b = 1",
		"[" + strings.Repeat("a.", 100000) + "b]",
	} {
		t.Run(src[:8], func(t *testing.T) {
			alloc := allocated(func() { _, _, _ = Parse("deep.toml", []byte(src)) })
			assert.Less(t, alloc, uint64(1<<20), "bytes allocated parsing %d bytes", len(src))
		})
	}
}

func TestLoadNamedFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.toml")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat("#\n", MaxFileSize/2+1)), 0o600))
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.toml"), dir + "/nope.toml: cannot read the file: no such file or directory"},
		{"directory", dir, dir + ": not a regular file (it is a directory)"},
		{"device", "/dev/null", "/dev/null: not a regular file (it is a character device)"},
		{"too large", big, big + ": the file is 8388610 bytes, over the limit of 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := Load(tt.path)
			assert.Nil(t, cfg)
			errs := configErrors(t, err)
			require.Len(t, errs, 1)
			assert.EqualError(t, errs[0], tt.want)
			assert.Equal(t, tt.path, errs[0].File)
		})
	}
}

// weightOf is the weight scanShape gives data, without limits.
func weightOf(data []byte) int {
	s := &depthScanner{cursor: newCursor(data), maxDepth: 1 << 30, maxWeight: 1 << 60}
	s.statements(s.header, s.keyValue)
	return s.weight
}

func TestScanShapeWeight(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		weight int
	}{
		{"a top-level key is depth 1", "a = 1\n", 2},
		{"a key in a table", "[t]\na = 1\n", 2 + 3},
		{"a dotted key is a table and a key", "a.b = 1\n", 2 + 3},
		{"an array is its key's level", "a = [1, 2, 3]\n", 2 + 2},
		{"an array of tables header", "[[a]]\nb = 1\n", 2 + 3 + 4},
		{"inline table keys", "a = {b = 1, c.d = 2}\n", 2 + 2 + 3 + 3 + 4},
		{"strings and comments weigh nothing", "a = \"[{\" # [[[\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.weight, weightOf([]byte(tt.src)))
			_, over := scanShape([]byte(tt.src), MaxDepth, tt.weight)
			assert.NoError(t, over, "at the limit")
			line, over := scanShape([]byte(tt.src), MaxDepth, tt.weight-1)
			assert.ErrorIs(t, over, errWeight, "one under the limit")
			assert.Positive(t, line)
		})
	}

	t.Run("real files weigh little", func(t *testing.T) {
		for _, name := range []string{"testdata/gitlab-runner.toml", "testdata/valid.toml", "../../examples/config.toml"} {
			data, err := os.ReadFile(name)
			require.NoError(t, err)
			assert.Less(t, weightOf(data), 1000, name)
		}
	})

	t.Run("the error names the line and the limit", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < MaxWeight; i++ {
			fmt.Fprintf(&b, "k%d = 1\n", i)
		}
		_, _, err := Parse("flat.toml", []byte(b.String()))
		require.ErrorIs(t, err, ErrTooHeavy)
		errs := configErrors(t, err)
		require.Len(t, errs, 1)
		assert.Equal(t, MaxWeight/2+1, errs[0].Line)
		assert.Contains(t, errs[0].Error(), fmt.Sprintf("flat.toml:%d: ", MaxWeight/2+1))
		assert.Contains(t, errs[0].Error(), "the limit of 50000")
	})
}

// heaviest returns the most statements of shape that pass scanShape,
// found by bisection on their number.
func heaviest(shape func(i int) string) []byte {
	build := func(n int) []byte {
		var b strings.Builder
		for i := range n {
			b.WriteString(shape(i))
		}
		return []byte(b.String())
	}
	lo, hi := 1, MaxWeight // every statement weighs at least 1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if _, over := scanShape(build(mid), MaxDepth, MaxWeight); over == nil {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return build(lo)
}

// TestMemoryBoundAtTheLimits feeds Parse the heaviest input of each costly
// shape that the limits let through and checks the bound the fuzz target
// checks, so a long fuzzing run cannot fail on an input the limits accept.
func TestMemoryBoundAtTheLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("parses several large inputs")
	}
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	shapes := []struct {
		name  string
		shape func(i int) string
	}{
		{"unknown tables", func(i int) string { return fmt.Sprintf("[t%d]\n", i) }},
		{"unknown keys", func(i int) string { return fmt.Sprintf("k%d=1\n", i) }},
		{"keys deep in a runner", func(i int) string {
			if i == 0 {
				return "[[runners]]\n[runners.kubernetes]\n"
			}
			return fmt.Sprintf("k%d=1\n", i)
		}},
		{"runners", func(i int) string {
			return fmt.Sprintf("[[runners]]\nname = \"r%d\"\n[runners.kubernetes]\nnamespace = \"x\"\n", i)
		}},
		{"inline tables at the depth limit", func(i int) string { return fmt.Sprintf("a%d = ", i) + nest("{b = ", "1", "}", 63) + "\n" }},
		{"dotted keys at the depth limit", func(i int) string { return fmt.Sprintf("a%d.", i) + strings.Repeat("b.", 62) + "c = 1\n" }},
		{"arrays of inline tables", func(i int) string { return fmt.Sprintf("a%d = ", i) + nest("[{b = ", "1", "}]", 31) + "\n" }},
	}
	for _, tt := range shapes {
		t.Run(tt.name, func(t *testing.T) {
			data := heaviest(tt.shape)
			var err error
			got := allocated(func() { _, _, err = Parse("heavy.toml", data) })
			require.NotErrorIs(t, err, ErrTooHeavy, "the input is meant to pass the limits")
			assert.LessOrEqual(t, got, memoryBound(len(data)), "%d bytes of input", len(data))
		})
	}
}
