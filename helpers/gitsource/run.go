package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// DefaultNetworkTimeout bounds each network operation when
// Options.NetworkTimeout is 0.
const DefaultNetworkTimeout = 10 * time.Minute

// Options are the helper's own settings, which do not come from the job.
type Options struct {
	// Out receives the progress lines for the build log, one Write per
	// line, credentials masked. nil discards them.
	Out io.Writer
	// Root is the directory Request.Dir must lie below. "" means
	// DefaultRoot; tests point it at a temporary directory.
	Root string
	// NetworkTimeout bounds each fetch (of the repository, of each
	// submodule). 0 means DefaultNetworkTimeout.
	NetworkTimeout time.Duration
}

// Run prepares req.Dir as req asks: see the package documentation. It
// returns nil when the directory holds the repository at req.SHA (or the
// fetch alone, without checkout). Cancelling ctx stops a network operation
// in flight; its error then wraps context.Cause(ctx). The returned error
// and everything written to Out have the request's credentials masked.
func Run(ctx context.Context, req Request, opts Options) error {
	m := newMasker(req)
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	s := &session{req: req, out: m.writer(out), timeout: opts.NetworkTimeout}
	if s.timeout <= 0 {
		s.timeout = DefaultNetworkTimeout
	}
	root := opts.Root
	if root == "" {
		root = DefaultRoot
	}
	return m.error(s.run(ctx, root))
}

// session is one Run.
type session struct {
	req     Request
	out     io.Writer
	timeout time.Duration

	url    *url.URL // the repository, without credentials
	auth   transport.AuthMethod
	dir    string          // the project directory, checked
	flags  FetchFlags      // GIT_FETCH_EXTRA_FLAGS
	filter submoduleFilter // GIT_SUBMODULE_PATHS

	// http is HTTPClient(req): every request of the Run goes through it,
	// LFS's included.
	http *http.Client
}

func (s *session) printf(format string, args ...any) {
	fmt.Fprintf(s.out, format+"\n", args...)
}

func (s *session) run(ctx context.Context, root string) error {
	if err := s.req.Validate(); err != nil {
		return err
	}
	switch s.req.Strategy {
	case StrategyNone:
		s.printf("Skipping Git repository setup: GIT_STRATEGY is none, %s is left as it is", s.req.Dir)
		return nil
	case StrategyEmpty:
		return s.empty(root)
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if err := s.parse(); err != nil {
		return err
	}
	var err error
	if s.http, err = HTTPClient(s.req); err != nil {
		return err
	}
	if s.dir, err = projectDir(root, s.req.Dir); err != nil {
		return err
	}

	repo, reused, err := s.openRepository()
	if err != nil {
		return err
	}
	if err := s.fetch(ctx, repo); err != nil {
		return err
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if !s.req.Checkout {
		return s.skipCheckout(repo)
	}
	if err := s.checkout(repo, reused); err != nil {
		return err
	}
	if err := s.fetchLFS(ctx, repo); err != nil {
		return err
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return s.updateSubmodules(ctx, repo)
}

// parse reads what Validate checked into the session.
func (s *session) parse() error {
	u, err := parseRepoURL(s.req.RepoURL)
	if err != nil {
		return err
	}
	s.url, s.auth = withoutUserinfo(u), authFor(s.req, u)
	if s.flags, err = ParseFetchFlags(s.req.FetchFlags); err != nil {
		return err
	}
	s.filter, err = newSubmoduleFilter(s.req.SubmodulePaths)
	return err
}

// depth is the depth of the project's fetch: --depth of
// GIT_FETCH_EXTRA_FLAGS, else GIT_DEPTH.
func (s *session) depth() int {
	if s.flags.Depth > 0 {
		return s.flags.Depth
	}
	return s.req.Depth
}

// submoduleDepth is the depth of each submodule's fetch:
// GIT_SUBMODULE_DEPTH, else GIT_DEPTH.
func (s *session) submoduleDepth() int {
	if s.req.SubmoduleDepth != nil {
		return *s.req.SubmoduleDepth
	}
	return s.req.Depth
}

// empty is GIT_STRATEGY empty: the project directory exists and holds
// nothing, and no repository is contacted.
func (s *session) empty(root string) error {
	dir, err := projectDir(root, s.req.Dir)
	if err != nil {
		return err
	}
	n, err := emptyDir(dir)
	if err != nil {
		return &DirError{Dir: s.req.Dir, Err: fmt.Errorf("emptying it: %w", err)}
	}
	s.printf("Skipping Git repository setup: GIT_STRATEGY is empty, %s is an empty directory (%d entries removed)", s.req.Dir, n)
	return nil
}

// openRepository returns the repository to fetch into: a new one in an
// emptied directory, or for GIT_STRATEGY fetch the one already there if
// it opens. reused tells which.
func (s *session) openRepository() (repo *git.Repository, reused bool, err error) {
	if s.req.Strategy == StrategyFetch {
		ok, err := hasGitDir(s.dir)
		if err != nil {
			return nil, false, &DirError{Dir: s.req.Dir, Err: err}
		}
		if ok {
			repo, err := git.Open(storage(s.dir))
			switch {
			case err != nil:
				s.printf("WARNING: the Git repository in %s cannot be reused (%v); starting afresh", s.req.Dir, err)
			case s.depth() == 0 && isShallow(repo):
				// go-git cannot unshallow: a fetch without depth finds
				// nothing new and leaves the history cut.
				s.printf("The Git repository in %s is shallow and GIT_DEPTH is 0: starting afresh for the whole history", s.req.Dir)
			default:
				s.printf("Reusing the Git repository in %s (GIT_STRATEGY fetch)", s.req.Dir)
				return repo, true, nil
			}
		} else {
			s.printf("No Git repository in %s yet: creating one (GIT_STRATEGY fetch)", s.req.Dir)
		}
	} else {
		s.printf("Creating a fresh Git repository in %s (GIT_STRATEGY clone)", s.req.Dir)
	}
	n, err := emptyDir(s.dir)
	if err != nil {
		return nil, false, &DirError{Dir: s.req.Dir, Err: fmt.Errorf("emptying it: %w", err)}
	}
	if n > 0 {
		s.printf("Removed the %d entries that were in %s", n, s.req.Dir)
	}
	repo, err = git.Init(storage(s.dir))
	if err != nil {
		return nil, false, &DirError{Dir: s.req.Dir, Err: fmt.Errorf("creating the repository: %w", err)}
	}
	return repo, false, nil
}

// isShallow reports whether repo's history is cut (.git/shallow lists
// commits). An unreadable list counts as shallow: starting afresh is safe.
func isShallow(repo *git.Repository) bool {
	commits, err := repo.Storer.Shallow()
	return err != nil || len(commits) > 0
}

// storage is the repository in dir on file systems bound to dir: go-git
// resolves every path, symlinks included, inside it.
func storage(dir string) (*filesystem.Storage, billy.Filesystem) {
	wt := osfs.New(dir, osfs.WithBoundOS())
	dot := osfs.New(filepath.Join(dir, git.GitDirName), osfs.WithBoundOS())
	return filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), wt
}

// network runs one network operation under the timeout. When the timeout
// passes or ctx ends, the error is the cause (a *TimeoutError, or what
// cancelled ctx) rather than whatever go-git made of the cut connection.
func (s *session) network(ctx context.Context, op string, f func(context.Context) error) error {
	nctx, cancel := context.WithTimeoutCause(ctx, s.timeout, &TimeoutError{Op: op, Timeout: s.timeout})
	defer cancel()
	err := f(withTransport(nctx, s.http.Transport))
	if err != nil && nctx.Err() != nil {
		return &stoppedError{op: op, cause: context.Cause(nctx)}
	}
	return s.certificateError(err)
}

// stoppedError is a network operation cut short by its timeout or by the
// caller. Its message is complete: callers return it as it is.
type stoppedError struct {
	op    string
	cause error
}

func (e *stoppedError) Error() string {
	var te *TimeoutError
	if errors.As(e.cause, &te) && te.Op == e.op {
		return te.Error() // names the operation already
	}
	return e.op + ": " + e.cause.Error()
}
func (e *stoppedError) Unwrap() error { return e.cause }

// shortSHA is the abbreviation the progress lines use.
func shortSHA(sha string) string { return sha[:8] }
