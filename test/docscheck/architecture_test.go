package docscheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestArchitectureNamesExist fails when docs/architecture.md names a Go
// file, a package's function or type, a method or a field, or a
// camel-case identifier that the code no longer has: the document is a
// map of the code, and a map with dead names sends readers astray.
func TestArchitectureNamesExist(t *testing.T) {
	root := repoRoot(t)
	idx, err := indexRepo(root)
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	require.NoError(t, err)
	for _, ref := range codeSpans(string(doc)) {
		for _, name := range candidates(ref) {
			if err := idx.check(name); err != nil {
				t.Errorf("docs/architecture.md, `%s`: %v", ref, err)
			}
		}
	}
}

// codeSpans are the texts between backticks, outside fenced blocks
// (the diagrams draw arrows between names, not code).
func codeSpans(doc string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range spanRE.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

var spanRE = regexp.MustCompile("`([^`]+)`")

// candidates splits a code span into the names worth checking: each
// token of a span such as `buildPod(spec, secret)` or `a.go: f`.
func candidates(span string) []string {
	return tokenRE.FindAllString(span, -1)
}

var tokenRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_/.\-]*`)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err, "the repository root is two levels up")
	return dir
}
