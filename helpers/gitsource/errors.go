package gitsource

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sentinels for errors.Is.
var (
	// ErrOutsideRoot is a project directory that is not below the builds
	// root, or is the root itself.
	ErrOutsideRoot = errors.New("is not below the builds root")
	// ErrSymlinkInPath is a project directory reached through a symlink:
	// the directory or one above it, up to the root, is one.
	ErrSymlinkInPath = errors.New("is reached through a symlink")
	// ErrAuth is a server that refused the credentials, or got none.
	ErrAuth = errors.New("the server refused the credentials")
	// ErrRepositoryNotFound is a repository URL the server does not serve
	// (GitLab also answers so when the token may not read the project).
	ErrRepositoryNotFound = errors.New("repository not found")
	// ErrRefNotFound is a refspec whose source the server does not have.
	ErrRefNotFound = errors.New("ref not found on the server")
)

// RequestError is a request that can never work as written: a missing or
// malformed field. Its message never quotes the token.
type RequestError struct {
	// Field is the JSON name of the field at fault, "" for the document.
	Field string
	// Problem says what is wrong with it.
	Problem string
}

func (e *RequestError) Error() string {
	if e.Field == "" {
		return "request: " + e.Problem
	}
	return fmt.Sprintf("request: %s %s", e.Field, e.Problem)
}

// DirError is a project directory that Run refuses or cannot prepare.
type DirError struct {
	// Dir is the project directory as requested.
	Dir string
	// Err is ErrOutsideRoot, ErrSymlinkInPath, or the file system's error.
	Err error
}

func (e *DirError) Error() string { return fmt.Sprintf("project directory %s: %v", e.Dir, e.Err) }
func (e *DirError) Unwrap() error { return e.Err }

// CommitNotFoundError is a commit the fetch did not bring: with a shallow
// fetch, usually one older than the depth because the ref moved on since
// the pipeline started.
type CommitNotFoundError struct {
	// SHA is the commit asked for.
	SHA string
	// Depth is the depth fetched, 0 for the whole history.
	Depth int
}

func (e *CommitNotFoundError) Error() string {
	if e.Depth > 0 {
		return fmt.Sprintf("commit %s is not in the history fetched with git depth %d: "+
			"the ref has probably moved on since the pipeline started; "+
			"increase GIT_DEPTH, or set it to 0 to fetch the whole history", e.SHA, e.Depth)
	}
	return fmt.Sprintf("commit %s is not in the fetched history: "+
		"it is not reachable from the refspecs the job fetches (was the ref force-pushed?)", e.SHA)
}

// TimeoutError is a network operation that took longer than allowed.
type TimeoutError struct {
	// Op names the operation: "fetching https://host/group/project.git".
	Op string
	// Timeout is the limit that passed.
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not finish within %v", e.Op, e.Timeout)
}

// Is makes errors.Is(err, context.DeadlineExceeded) true, as for any
// deadline.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
