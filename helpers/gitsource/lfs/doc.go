// Package lfs fetches Git LFS objects with the documented protocol alone
// (git-lfs's docs/spec.md, docs/api/batch.md and basic-transfers.md); no
// well-kept Go library offers a client (git-lfs's own packages say they are
// not for use outside git-lfs). It does what a checkout needs and no more:
//
//   - ParsePointer reads a pointer file, strictly to the spec.
//   - Client.Batch asks the repository's LFS server (Endpoint: the
//     repository URL + /info/lfs) for up to 100 objects at a time, with
//     operation "download" and transfer "basic".
//   - Client.Download GETs one object's href with the headers the server
//     returned, and checks its size and sha256 against the pointer while
//     it streams.
//   - Store keeps the objects where git-lfs does,
//     .git/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>, so a later fetch of the
//     same repository, or git-lfs in the job, finds them; an object enters
//     it only once verified.
//
// No upload, no SSH, no transfer adapter but basic, no .lfsconfig. Every
// request is bounded by Client.Timeout. Credentials come from the caller's
// Authorize function, which decides where they may go; no error or URL this
// package prints carries userinfo or a query string (an href may be signed
// in its query). Writes go through an os.Root, so no symlink leads outside
// the repository. It imports no kuberunner package.
package lfs
