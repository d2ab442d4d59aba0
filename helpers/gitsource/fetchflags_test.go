package gitsource

import (
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/require"
)

func TestParseFetchFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want FetchFlags
		err  string
	}{
		{"none", nil, FetchFlags{Tags: git.NoTags}, ""},
		{"GitLab's default", DefaultFetchFlags, FetchFlags{Prune: true, Tags: git.NoTags}, ""},
		{"short forms", []string{"-p", "-t", "-f", "-q"}, FetchFlags{Prune: true, Tags: git.AllTags}, ""},
		{"the later flag wins", []string{"--tags", "--prune", "--no-tags", "--no-prune"}, FetchFlags{Tags: git.NoTags}, ""},
		{"depth apart", []string{"--depth", "5"}, FetchFlags{Tags: git.NoTags, Depth: 5}, ""},
		{"depth joined, last wins", []string{"--depth=5", "--depth=7"}, FetchFlags{Tags: git.NoTags, Depth: 7}, ""},
		{"no recursion", []string{"--no-recurse-submodules", "--recurse-submodules=no"}, FetchFlags{Tags: git.NoTags}, ""},
		{"depth without a value", []string{"--depth"}, FetchFlags{}, `"--depth" needs a number of commits after it`},
		{"depth zero", []string{"--depth=0"}, FetchFlags{}, `"--depth=0" has depth "0", which is not a number`},
		{"depth not a number", []string{"--depth", "all"}, FetchFlags{}, `has depth "all"`},
		{"unshallow", []string{"--prune", "--unshallow"}, FetchFlags{}, `"--unshallow" is not supported: the helper fetches with go-git`},
		{"a filter", []string{"--filter=blob:none"}, FetchFlags{}, `"--filter=blob:none" is not supported`},
		{"combined short flags", []string{"-pt"}, FetchFlags{}, `"-pt" is not supported`},
		{"a refspec", []string{"main"}, FetchFlags{}, `"main" is not a flag`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseFetchFlags(c.args)
			if c.err == "" {
				require.NoError(t, err)
				require.Equal(t, c.want, got)
				return
			}
			var fe *FetchFlagError
			require.ErrorAs(t, err, &fe)
			require.ErrorContains(t, err, c.err)
			require.ErrorContains(t, err, "the flags the helper honours are --prune (-p)")
		})
	}
}

func TestPathspecs(t *testing.T) {
	subs := []string{"libs/a", "libs/b", "vendor/Big", "tools"}
	cases := []struct {
		name  string
		specs []string
		want  []string // the selected submodules
		err   string
	}{
		{"none selects all", nil, subs, ""},
		{"a path", []string{"tools"}, []string{"tools"}, ""},
		{"a directory above", []string{"libs"}, []string{"libs/a", "libs/b"}, ""},
		{"a trailing slash and ./", []string{"./libs/"}, []string{"libs/a", "libs/b"}, ""},
		{"a prefix that is no directory", []string{"lib", "tools"}, []string{"tools"}, ""},
		{"exclude, long form", []string{":(exclude)libs/a"}, []string{"libs/b", "vendor/Big", "tools"}, ""},
		{"exclude, short forms", []string{":!libs", ":^tools"}, []string{"vendor/Big"}, ""},
		{"include and exclude", []string{"libs", ":(exclude)libs/b"}, []string{"libs/a"}, ""},
		{"wildcards match slashes", []string{"*/b", "t??ls"}, []string{"libs/b", "tools"}, ""},
		{"a class", []string{"libs/[!a]"}, []string{"libs/b"}, ""},
		{"literal", []string{":(literal)libs/*", "tools"}, []string{"tools"}, ""},
		{"icase", []string{":(icase)VENDOR/big"}, []string{"vendor/Big"}, ""},
		{"case matters otherwise", []string{"VENDOR", "tools"}, []string{"tools"}, ""},
		{"top is the root already", []string{":/tools", ":(top)libs/a"}, []string{"libs/a", "tools"}, ""},
		{"glob magic", []string{":(glob)libs/**"}, nil, `uses magic "glob", which the helper does not support; supported: exclude`},
		{"attr magic", []string{":(attr:x)libs"}, nil, `uses magic "attr:x"`},
		{"unclosed magic", []string{":(exclude"}, nil, "has no ) closing its magic"},
		{"absolute", []string{"/etc"}, nil, "is not a path inside the repository"},
		{"climbing", []string{"libs/../../x"}, nil, "is not a path inside the repository"},
		{"empty", []string{":!"}, nil, "is not a path inside the repository"},
		{"bad class", []string{"libs/[a"}, nil, "has a wildcard that does not parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := newSubmoduleFilter(c.specs)
			if c.err != "" {
				var pe *PathspecError
				require.ErrorAs(t, err, &pe)
				require.ErrorContains(t, err, c.err)
				require.ErrorContains(t, ParseSubmodulePaths(c.specs), c.err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, s := range subs {
				if f.selects(s) {
					got = append(got, s)
				}
			}
			require.ElementsMatch(t, c.want, got)
		})
	}
}

func TestPathspecThatMatchesNothing(t *testing.T) {
	f, err := newSubmoduleFilter([]string{"libs", "nothere", ":(exclude)alsonothere"})
	require.NoError(t, err)
	spec, ok := f.unmatched([]string{"libs/a"})
	require.True(t, ok)
	require.Equal(t, "nothere", spec)
	_, ok = f.unmatched([]string{"libs/a", "nothere"})
	require.False(t, ok, "an exclude that names nothing is fine")
}
