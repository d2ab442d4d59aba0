// Package coordinator is a fake GitLab for tests: an httptest server that
// speaks the part of GitLab's runner API that kuberunner uses
// (POST /api/v4/jobs/request, POST /api/v4/runners/verify,
// DELETE /api/v4/runners, PATCH /api/v4/jobs/:id/trace, PUT /api/v4/jobs/:id)
// as documented, checks tokens on every request, and records what it
// received so that tests can assert on it: each job's trace as received,
// Content-Range gaps and overlaps, the final state, checksum and size, how
// many final updates arrived, and how many jobs ran at once.
//
// Artifacts (artifacts.go): POST /api/v4/jobs/:id/artifacts takes the
// job's own token, streams the file part to disk, and checks it: a zip
// must open and agree with its metadata part (GitLab's metadata file),
// which must be there exactly when the job's features ask for it
// (ArtifactsMetadata); a gzip must decompress. Artifacts lists the uploads,
// with Entries and GzipMembers to read them. GET /api/v4/jobs/:id/artifacts
// takes a running job's token and serves the job's archive, or with
// direct_download=true redirects to a Storage (RedirectDownloads), a
// second server standing in for object storage that counts the JOB-TOKEN
// headers it receives. StoreArchive plants a crafted archive;
// SetArtifactsLimit answers 413 past a size. NewOn listens on an address a
// job pod can reach.
//
// Runners (runners.go): New takes the runner tokens it knows, AddRunner
// adds one, RemoveRunner forgets one as a deletion in GitLab's UI does, and
// DELETE /api/v4/runners (kuberunner unregister) forgets the token it is
// sent; a forgotten token gets 403 from every endpoint, verify included.
//
// Tests make it misbehave on demand with Inject (any status and headers, N
// times), TruncateTrace (the server lost the end of a trace) and
// SetJobStatus (cancel a job once its trace reaches a size).
//
// NewTLS serves the same over https with a certificate the test gives, for
// a GitLab behind a private CA (test/pki makes one).
//
// Clock is a manual clock for the code under test, so that waits of seconds
// (retry backoff, trace intervals, keep-alives) take no wall time.
//
// Everything is safe for concurrent use.
package coordinator
