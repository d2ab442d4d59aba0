// Package gitsource puts a job's repository, at the job's commit, into the
// project directory, with go-git alone: the helper image has no git binary.
// `kuberunner helper clone` reads a Request as JSON on stdin and calls Run.
//
// What it does follows the CI variables a GitLab Runner user knows, which
// the executor reads and copies into the Request:
//
//   - GIT_STRATEGY (Request.Strategy): clone empties the directory and
//     starts afresh; fetch reuses a repository already there; none leaves
//     the directory alone; empty leaves it empty, without fetching.
//   - GIT_DEPTH (Request.Depth): a shallow fetch of that many commits; 0
//     fetches the whole history. A commit older than the depth is an
//     error that says to raise GIT_DEPTH.
//   - GIT_CHECKOUT (Request.Checkout): false fetches without checking out.
//   - GIT_SUBMODULE_STRATEGY (Request.SubmoduleStrategy): none, normal (the
//     top-level submodules) or recursive.
//   - GIT_SUBMODULE_DEPTH (Request.SubmoduleDepth): the submodules' depth
//     instead of GIT_DEPTH.
//   - GIT_SUBMODULE_PATHS (Request.SubmodulePaths): git pathspecs choosing
//     the top-level submodules, ":(exclude)path" included (pathspec.go).
//   - GIT_FETCH_EXTRA_FLAGS (Request.FetchFlags): the git fetch flags
//     go-git can honour; any other is refused by name (fetchflags.go).
//   - GIT_LFS_SKIP_SMUDGE (Request.LFSSkipSmudge): leave Git LFS files as
//     pointers. Otherwise, after the checkout, the objects of the files
//     the commit's .gitattributes give filter=lfs are fetched through the
//     LFS batch API (package lfs) and written over their pointers.
//
// Both strategies that fetch do it the same way: a repository is created
// (or reused), its remote "origin" is set to the repository URL without
// credentials, exactly the request's refspecs are fetched without tags, the
// commit is checked out as a detached HEAD, and on reuse every file that
// the commit does not track is removed, ignored files too (git clean -ffdx).
//
// Credentials (the job token) are given to go-git as HTTP basic auth and
// are never written to disk, printed, or put in an error: every line Run
// prints and its error pass through a filter that masks them. They are sent
// only to the origin of the repository URL; a submodule or an LFS download
// on another host is fetched without them.
//
// Over https, the server's certificate is verified with the system's roots
// plus the CA of Request.TLS (the runner's tls-ca-file), and the runner's
// client certificate is presented; a certificate that does not verify is a
// *CertificateError naming the host and those roots, never a retry without
// verification. HTTPClient is that client, for every other request a Run
// makes (LFS). The TLS material comes from helpers/clienttls, the package's
// only kuberunner import.
//
// The project directory must lie below a root, /builds in the helper
// container, and no directory on the way may be a symlink. Emptying it never
// follows a symlink, and go-git writes through filesystems bound to the
// directory, so a symlink the repository or an earlier job left cannot lead
// a write outside it.
package gitsource
