package gitsource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"kuberunner/helpers/clienttls"
)

// Strategy is GIT_STRATEGY: how the project directory is prepared.
type Strategy string

const (
	// StrategyClone empties the directory and fetches into a new repository.
	StrategyClone Strategy = "clone"
	// StrategyFetch fetches into the repository already in the directory,
	// or clones when there is none (or it cannot be opened).
	StrategyFetch Strategy = "fetch"
	// StrategyNone leaves the directory as it is.
	StrategyNone Strategy = "none"
	// StrategyEmpty leaves an empty directory: what was there is removed
	// and nothing is fetched.
	StrategyEmpty Strategy = "empty"
)

// strategies lists every Strategy, for messages.
const strategies = `"clone", "fetch", "none" or "empty"`

// SubmoduleStrategy is GIT_SUBMODULE_STRATEGY.
type SubmoduleStrategy string

const (
	// SubmodulesNone fetches no submodule. It is the default.
	SubmodulesNone SubmoduleStrategy = "none"
	// SubmodulesNormal fetches and checks out the top-level submodules.
	SubmodulesNormal SubmoduleStrategy = "normal"
	// SubmodulesRecursive also fetches the submodules of submodules, down
	// to MaxSubmoduleNesting levels.
	SubmodulesRecursive SubmoduleStrategy = "recursive"
)

// RefType is what Request.Ref names: GitLab's git_info.ref_type.
type RefType string

const (
	RefBranch RefType = "branch"
	RefTag    RefType = "tag"
)

// MaxRequestSize bounds the JSON document ReadRequest accepts.
const MaxRequestSize = 1 << 20

// Request is the JSON document `kuberunner helper clone` reads on stdin.
// The executor fills it from the job payload and the job's GIT_* variables
// and marshals it; this type is its one definition.
type Request struct {
	// Dir is the project directory ($CI_PROJECT_DIR), an absolute path
	// below the builds root (/builds in the helper container).
	Dir string `json:"dir"`
	// RepoURL is the repository's http or https URL (the payload's
	// git_info.repo_url). It may carry credentials as userinfo, as GitLab
	// sends it: https://gitlab-ci-token:<job token>@host/group/project.git.
	// They are used for authentication and never printed or stored.
	RepoURL string `json:"repo_url"`
	// Ref is the branch or tag the job runs for ($CI_COMMIT_REF_NAME),
	// without refs/heads/ or refs/tags/.
	Ref string `json:"ref"`
	// SHA is the commit to check out ($CI_COMMIT_SHA): 40 hex digits.
	SHA string `json:"sha"`
	// BeforeSHA is the previous tip of the ref ($CI_COMMIT_BEFORE_SHA).
	// It is informational: nothing is fetched or checked out by it.
	BeforeSHA string `json:"before_sha,omitempty"`
	// RefType says whether Ref is a "branch" or a "tag". It chooses the
	// refspec when RefSpecs is empty, and is then required.
	RefType RefType `json:"ref_type,omitempty"`
	// RefSpecs are fetched exactly as given (git_info.refspecs), for
	// example "+refs/heads/main:refs/remotes/origin/main" and
	// "+refs/pipelines/123:refs/pipelines/123". When empty, the ref alone
	// is fetched: +refs/heads/<ref>:refs/remotes/origin/<ref> for a branch,
	// +refs/tags/<ref>:refs/tags/<ref> for a tag.
	RefSpecs []string `json:"refspecs,omitempty"`
	// Depth is GIT_DEPTH: fetch that many commits from the tip of each
	// refspec; 0 fetches the whole history.
	Depth int `json:"depth"`
	// Strategy is GIT_STRATEGY: "clone", "fetch", "none" or "empty".
	// Required.
	Strategy Strategy `json:"strategy"`
	// Checkout is GIT_CHECKOUT: check SHA out as a detached HEAD. When
	// false, the refspecs are fetched and nothing is checked out.
	// ReadRequest makes it true when the document leaves it out.
	Checkout bool `json:"checkout"`
	// SubmoduleStrategy is GIT_SUBMODULE_STRATEGY: "none" (also when
	// empty), "normal" or "recursive". Submodules are fetched over http(s)
	// with the same depth, and with the credentials only when they are on
	// the repository's host.
	SubmoduleStrategy SubmoduleStrategy `json:"submodule_strategy,omitempty"`
	// SubmoduleDepth is GIT_SUBMODULE_DEPTH: the depth of each submodule's
	// fetch, 0 for its whole history. nil means Depth.
	SubmoduleDepth *int `json:"submodule_depth,omitempty"`
	// SubmodulePaths is GIT_SUBMODULE_PATHS split at white space: git
	// pathspecs that choose the top-level submodules to update, such as
	// "libs/a" or ":(exclude)libs/big". Empty updates them all.
	SubmodulePaths []string `json:"submodule_paths,omitempty"`
	// FetchFlags is GIT_FETCH_EXTRA_FLAGS split at white space, limited to
	// what go-git honours (ParseFetchFlags). The executor sends
	// DefaultFetchFlags for a job that does not set the variable.
	FetchFlags []string `json:"fetch_flags,omitempty"`
	// LFSSkipSmudge is GIT_LFS_SKIP_SMUDGE: leave Git LFS files as the
	// pointers the commit holds. Otherwise their objects are fetched
	// after the checkout and written in their place.
	LFSSkipSmudge bool `json:"lfs_skip_smudge,omitempty"`
	// Token is the job token ($CI_JOB_TOKEN). When set, it is sent as
	// basic auth with the user name gitlab-ci-token, instead of any
	// credentials in RepoURL.
	Token string `json:"token,omitempty"`
	// TLS is the runner's tls-* files (tls.go): the CA trusted besides
	// the system's roots and the client certificate, for every HTTP
	// request of the Run. nil trusts the system's roots only.
	TLS *clienttls.Material `json:"tls,omitempty"`
}

// ReadRequest decodes one Request from r: a single JSON object of at most
// MaxRequestSize bytes with no unknown field. A missing "checkout" means
// true. The result is validated.
func ReadRequest(r io.Reader) (Request, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRequestSize+1))
	if err != nil {
		return Request{}, fmt.Errorf("reading the request: %w", err)
	}
	if len(data) > MaxRequestSize {
		return Request{}, &RequestError{Field: "", Problem: fmt.Sprintf("the document is larger than %d bytes", MaxRequestSize)}
	}
	req := Request{Checkout: true}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		// json's messages quote field names and offsets, never values.
		return Request{}, &RequestError{Problem: "not a valid request document: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Request{}, &RequestError{Problem: "not a valid request document: data after the JSON object"}
	}
	return req, req.Validate()
}

// Validate checks every field on its own, without touching the disk or
// the network, and returns the first problem as a *RequestError.
func (r Request) Validate() error {
	if r.Dir == "" {
		return &RequestError{Field: "dir", Problem: "is required"}
	}
	switch r.Strategy {
	case StrategyNone, StrategyEmpty:
		return nil // nothing else is used
	case StrategyClone, StrategyFetch:
	case "":
		return &RequestError{Field: "strategy", Problem: "is required: " + strategies}
	default:
		return &RequestError{Field: "strategy", Problem: fmt.Sprintf("%q is not %s", r.Strategy, strategies)}
	}
	if _, err := parseRepoURL(r.RepoURL); err != nil {
		return err
	}
	if !isHexSHA(r.SHA) {
		return &RequestError{Field: "sha", Problem: "must be a commit sha of 40 hex digits"}
	}
	if r.Depth < 0 {
		return &RequestError{Field: "depth", Problem: "must be 0 (full history) or more"}
	}
	switch r.SubmoduleStrategy {
	case "", SubmodulesNone, SubmodulesNormal, SubmodulesRecursive:
	default:
		return &RequestError{Field: "submodule_strategy", Problem: fmt.Sprintf(`%q is not "none", "normal" or "recursive"`, r.SubmoduleStrategy)}
	}
	if err := r.validateSubmodulesAndFlags(); err != nil {
		return err
	}
	switch r.RefType {
	case "", RefBranch, RefTag:
	default:
		return &RequestError{Field: "ref_type", Problem: fmt.Sprintf(`%q is not "branch" or "tag"`, r.RefType)}
	}
	if err := r.checkTLS(); err != nil {
		return err
	}
	_, err := r.refSpecs()
	return err
}

// validateSubmodulesAndFlags checks what GIT_SUBMODULE_DEPTH,
// GIT_SUBMODULE_PATHS and GIT_FETCH_EXTRA_FLAGS became.
func (r Request) validateSubmodulesAndFlags() error {
	if r.SubmoduleDepth != nil && *r.SubmoduleDepth < 0 {
		return &RequestError{Field: "submodule_depth", Problem: "must be 0 (full history) or more"}
	}
	if err := ParseSubmodulePaths(r.SubmodulePaths); err != nil {
		return &RequestError{Field: "submodule_paths", Problem: err.Error()}
	}
	if _, err := ParseFetchFlags(r.FetchFlags); err != nil {
		return &RequestError{Field: "fetch_flags", Problem: err.Error()}
	}
	return nil
}

// String describes the request with its credentials masked, so that
// printing a Request with %v or %+v cannot leak the token.
func (r Request) String() string {
	masked := r
	if r.Token != "" {
		masked.Token = maskText
	}
	masked.RepoURL = redactURL(r.RepoURL)
	type plain Request // no String method: no recursion
	return fmt.Sprintf("%+v", plain(masked))
}

// GoString masks the credentials for %#v as String does for %v.
func (r Request) GoString() string { return "gitsource.Request" + r.String() }

// isHexSHA reports whether s is a full SHA-1 in hex.
func isHexSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
