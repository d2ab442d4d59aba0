package pathglob

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/require"
)

// fixture makes a project directory with files, folders and symlinks that
// lead in and out, next to a folder outside it.
func fixture(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	root := filepath.Join(top, "project")
	outside := filepath.Join(top, "outside")
	files := map[string]string{
		"dist/a.bin":       "a",
		"dist/skip.log":    "log",
		"dist/sub/b.txt":   "b",
		"report.xml":       "<xml/>",
		"src/main.go":      "package main",
		".gitignore":       "*.log\n",
		"../outside/token": "secret",
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	links := map[string]string{
		"link-out":      outside,
		"link-dist":     "dist",
		"dangling-out":  "../../nowhere",
		"dangling-in":   "later",
		"src/link-back": "../report.xml",
	}
	for name, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))))
	}
	return root
}

// collect runs a selection and renders what it yields: entries as their
// path (folders with a slash, symlinks with their target), refusals as
// "refused …", a fatal error as "error".
func collect(t *testing.T, root string, r Rules) ([]string, Summary) {
	t.Helper()
	s, err := New(root, r)
	require.NoError(t, err)
	var got []string
	for e, err := range s.All() {
		var ref *Refusal
		switch {
		case errors.As(err, &ref):
			got = append(got, "refused "+ref.Path+": "+ref.Reason.String())
		case err != nil:
			got = append(got, "error "+err.Error())
		case e.IsDir():
			got = append(got, e.Path+"/")
		case e.IsSymlink():
			got = append(got, e.Path+" -> "+e.Link)
		default:
			got = append(got, e.Path)
		}
	}
	return got, s.Summary()
}

func TestSelect(t *testing.T) {
	root := fixture(t)
	tests := []struct {
		name string
		r    Rules
		want []string
	}{
		{"folder with exclude", Rules{Paths: []string{"dist/"}, Exclude: []string{"dist/*.log"}},
			[]string{"dist/", "dist/a.bin", "dist/sub/", "dist/sub/b.txt"}},
		{"double star", Rules{Paths: []string{"**/*.txt"}}, []string{"dist/sub/b.txt"}},
		{"double star tail", Rules{Paths: []string{"dist/**"}},
			[]string{"dist/", "dist/a.bin", "dist/skip.log", "dist/sub/", "dist/sub/b.txt"}},
		{"matched folder taken whole", Rules{Paths: []string{"d*"}},
			[]string{"dangling-in -> later", "refused dangling-out: is a symlink that leads out of the project directory",
				"dist/", "dist/a.bin", "dist/skip.log", "dist/sub/", "dist/sub/b.txt"}},
		{"exclude is not recursive", Rules{Paths: []string{"dist"}, Exclude: []string{"dist", "dist/sub"}},
			[]string{"dist/a.bin", "dist/skip.log", "dist/sub/b.txt"}},
		{"exclude a tree", Rules{Paths: []string{"dist", "report.xml"}, Exclude: []string{"dist/**"}},
			[]string{"report.xml"}},
		{"climbing out", Rules{Paths: []string{"../../etc/passwd", "report.xml"}},
			[]string{"refused ../../etc/passwd: is outside the project directory", "report.xml"}},
		{"absolute outside", Rules{Paths: []string{"/etc/passwd"}},
			[]string{"refused /etc/passwd: is outside the project directory"}},
		{"absolute inside", Rules{Paths: []string{filepath.Join(root, "report.xml")}}, []string{"report.xml"}},
		{"symlink out", Rules{Paths: []string{"link-out"}},
			[]string{"refused link-out: is a symlink that leads out of the project directory"}},
		{"through a symlink out", Rules{Paths: []string{"link-out/token", "link-out/*"}},
			[]string{"refused link-out: is a symlink that leads out of the project directory",
				"refused link-out: is a symlink that leads out of the project directory"}},
		{"symlink in is kept as a symlink", Rules{Paths: []string{"link-dist", "src/link-back"}},
			[]string{"link-dist -> dist", "src/link-back -> ../report.xml"}},
		{"through a symlink in", Rules{Paths: []string{"link-dist/a.bin", "link-dist/*.txt", "link-dist/s*/*.txt"}},
			[]string{"link-dist/a.bin", "link-dist/sub/b.txt"}},
		{"each path once", Rules{Paths: []string{"dist/a.bin", "dist/*.bin", "dist"}, Exclude: []string{"dist/s*"}},
			[]string{"dist/a.bin", "dist/", "dist/sub/b.txt"}},
		{"missing", Rules{Paths: []string{"nope", "nope/*", "report.xml/x"}}, nil},
		{"trailing slash wants a folder", Rules{Paths: []string{"report.xml/", "*.xml/"}}, nil},
		{"dot is everything", Rules{Paths: []string{"."}, Exclude: []string{"**/*.go", "dist/**", "link-dist", "dangling-in", ".*"}},
			[]string{"refused dangling-out: is a symlink that leads out of the project directory",
				"refused link-out: is a symlink that leads out of the project directory",
				"report.xml", "src/", "src/link-back -> ../report.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := collect(t, root, tt.r)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSummary(t *testing.T) {
	root := fixture(t)
	_, sum := collect(t, root, Rules{
		Paths:   []string{"dist/", "nope", "../x", "dist/a.bin"},
		Exclude: []string{"**/*.log", "never"},
	})
	require.Equal(t, Summary{
		Paths:    []Count{{"dist/", 4}, {"nope", 0}, {"dist/a.bin", 0}},
		Excluded: []Count{{"**/*.log", 1}, {"never", 0}},
		Selected: 4,
		Refused:  1,
	}, sum)
}

func TestUntracked(t *testing.T) {
	root := fixture(t)
	repo, err := git.PlainInit(root, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	for _, p := range []string{"src/main.go", ".gitignore", "dist/sub/b.txt"} {
		_, err = wt.Add(p)
		require.NoError(t, err)
	}
	got, sum := collect(t, root, Rules{Untracked: true, Paths: []string{"report.xml"}, Exclude: []string{"dangling-*"}})
	require.Equal(t, []string{
		"report.xml",
		"dist/a.bin", "dist/skip.log", // ignored files are untracked too
		"link-dist -> dist",
		"refused link-out: is a symlink that leads out of the project directory",
		"src/link-back -> ../report.xml",
	}, got)
	require.Equal(t, 4, sum.Untracked)
}

func TestUntrackedWithoutRepository(t *testing.T) {
	root := fixture(t)
	s, err := New(root, Rules{Untracked: true})
	require.NoError(t, err)
	for _, err := range s.All() {
		var ue *UntrackedError
		require.ErrorAs(t, err, &ue)
	}
}

func TestStopEarly(t *testing.T) {
	s, err := New(fixture(t), Rules{Paths: []string{"dist", "report.xml"}, Untracked: true})
	require.NoError(t, err)
	n := 0
	for range s.All() {
		n++
		break
	}
	require.Equal(t, 1, n)
}

func TestBadPattern(t *testing.T) {
	tests := []struct {
		name string
		r    Rules
		key  string
	}{
		{"bracket", Rules{Paths: []string{"dist/[a"}}, "paths"},
		{"empty", Rules{Paths: []string{" "}}, "paths"},
		{"exclude", Rules{Exclude: []string{"a/[b"}}, "exclude"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(t.TempDir(), tt.r)
			var pe *PatternError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.key, pe.Key)
		})
	}
}

func TestOpenRefusesSymlink(t *testing.T) {
	root := fixture(t)
	s, err := New(root, Rules{Paths: []string{"report.xml", "link-dist"}})
	require.NoError(t, err)
	for e, err := range s.All() {
		require.NoError(t, err)
		f, err := s.Open(e)
		if e.IsSymlink() {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		want string // "" when refused
	}{
		{"dist/a.bin", filepath.FromSlash("dist/a.bin")},
		{"dist/", "dist"},
		{"./x/../y", "y"},
		{"../x", ""},
		{"dist/../../x", ""},
		{"/etc/passwd", ""},
		{"", ""},
		{"..", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckName(tt.name)
			if tt.want == "" {
				var ref *Refusal
				require.ErrorAs(t, err, &ref)
				require.Equal(t, OutsideRoot, ref.Reason)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestMatchSegs(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"**", "a/b/c", true},
		{"a/**", "a", true},
		{"a/**/c", "a/c", true},
		{"a/**/c", "a/x/y/c", true},
		{"a/**/c", "a/x/y/d", false},
		{"*.log", "dist/x.log", false},
		{"**/*.log", "dist/x.log", true},
		{"dist/*", "dist/sub/x", false},
		{"d?st/[a-c].bin", "dist/a.bin", true},
	}
	for _, tt := range tests {
		t.Run(tt.pat+" "+tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, matchSegs(splitSegments(tt.pat), splitSegments(tt.name)))
		})
	}
}
