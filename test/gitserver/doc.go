// Package gitserver runs a real Git smart-HTTP server for tests: the git
// CLI's own `git http-backend` behind net/http/cgi, on a loopback port,
// serving bare repositories that tests build with the git CLI.
//
// Every request must carry HTTP basic auth with the user name
// "gitlab-ci-token" and the server's job token as the password, as GitLab
// expects from a CI job; anything else gets 401 with a WWW-Authenticate
// header. So a client that sends no credentials, or the wrong ones, fails
// the way it would against GitLab.
//
// With the TLS option it serves https with a certificate the test gives,
// for a GitLab behind a private CA.
// It is also a Git LFS server, as GitLab is: POST
// <project>.git/info/lfs/objects/batch answers download requests (transfer
// basic) for the objects stored with AddLFSObject or CommitLFS, and GET
// <project>.git/gitlab-lfs/objects/<oid> serves them; both need the same
// credentials. LFSHeaderAuth chooses whether the batch answer hands the
// download an Authorization header, as GitLab does, or leaves the client
// to send its own.
//
// The server listens on 127.0.0.1 only and is shut down by t.Cleanup. When
// git is not installed, New fails the test with a message saying to run
// `apt-get install git`; nothing is skipped.
//
// It is a test helper: production code must not import it.
package gitserver
