package gitsource

import (
	"fmt"
	"strconv"
	"strings"

	git "github.com/go-git/go-git/v5"
)

// DefaultFetchFlags are GIT_FETCH_EXTRA_FLAGS for a job that does not set
// the variable: GitLab Runner's default.
var DefaultFetchFlags = []string{"--prune", "--quiet"}

// FetchFlags is what the git fetch flags of GIT_FETCH_EXTRA_FLAGS ask of
// the fetch, for the flags go-git can honour.
type FetchFlags struct {
	// Prune removes the local refs under the refspecs' destinations that
	// the server no longer has.
	Prune bool
	// Tags is git.AllTags for --tags; the helper fetches no tag otherwise.
	Tags git.TagMode
	// Depth is --depth, which wins over GIT_DEPTH as the later flag does
	// for git; 0 when not given.
	Depth int
}

// supportedFetchFlags is the list every refusal shows.
const supportedFetchFlags = "--prune (-p), --no-prune, --tags (-t), --no-tags (-n), --depth N (--depth=N), " +
	"--force (-f), --quiet (-q), --no-recurse-submodules"

// fetchFlagActions are the flags without a value. --force, --quiet and
// --no-recurse-submodules change nothing: the helper always forces its
// refspecs, prints no transfer progress, and fetches submodules only as
// GIT_SUBMODULE_STRATEGY says.
var fetchFlagActions = map[string]func(*FetchFlags){
	"--prune": prune, "-p": prune, "--no-prune": noPrune,
	"--tags": allTags, "-t": allTags, "--no-tags": noTags, "-n": noTags,
	"--force": noEffect, "-f": noEffect, "--quiet": noEffect, "-q": noEffect,
	"--no-recurse-submodules": noEffect, "--recurse-submodules=no": noEffect,
}

func prune(f *FetchFlags)   { f.Prune = true }
func noPrune(f *FetchFlags) { f.Prune = false }
func allTags(f *FetchFlags) { f.Tags = git.AllTags }
func noTags(f *FetchFlags)  { f.Tags = git.NoTags }
func noEffect(*FetchFlags)  {}

// FetchFlagError is a GIT_FETCH_EXTRA_FLAGS argument the helper refuses.
type FetchFlagError struct {
	// Flag is the argument as given.
	Flag string
	// Problem says why it is refused.
	Problem string
}

func (e *FetchFlagError) Error() string {
	return fmt.Sprintf("%q %s; the flags the helper honours are %s", e.Flag, e.Problem, supportedFetchFlags)
}

// ParseFetchFlags reads git fetch flags, GIT_FETCH_EXTRA_FLAGS split at
// white space. A later flag wins over an earlier one, as for git. Any
// argument go-git cannot honour is a *FetchFlagError.
func ParseFetchFlags(args []string) (FetchFlags, error) {
	f := FetchFlags{Tags: git.NoTags}
	for i := 0; i < len(args); i++ {
		if act, ok := fetchFlagActions[args[i]]; ok {
			act(&f)
			continue
		}
		depth, used, err := depthFlag(args[i:])
		if err != nil {
			return f, err
		}
		f.Depth, i = depth, i+used-1
	}
	return f, nil
}

// depthFlag reads "--depth N" or "--depth=N" at the start of args: the
// depth, and how many arguments it took.
func depthFlag(args []string) (depth, used int, err error) {
	a := args[0]
	value, ok := strings.CutPrefix(a, "--depth=")
	used = 1
	switch {
	case a == "--depth" && len(args) == 1:
		return 0, 0, &FetchFlagError{Flag: a, Problem: "needs a number of commits after it"}
	case a == "--depth":
		value, used = args[1], 2
	case !ok:
		return 0, 0, unsupportedFetchFlag(a)
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 {
		return 0, 0, &FetchFlagError{Flag: a, Problem: fmt.Sprintf("has depth %q, which is not a number of commits (1 or more)", value)}
	}
	return n, used, nil
}

func unsupportedFetchFlag(a string) *FetchFlagError {
	if !strings.HasPrefix(a, "-") {
		return &FetchFlagError{Flag: a, Problem: "is not a flag (the refspecs come from GitLab)"}
	}
	return &FetchFlagError{Flag: a, Problem: "is not supported: the helper fetches with go-git, which cannot honour it"}
}
