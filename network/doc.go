// Package network is kuberunner's client for GitLab's runner API (the
// "coordinator"): asking for jobs (POST /api/v4/jobs/request), verifying a
// runner (POST /api/v4/runners/verify), deleting it (DELETE
// /api/v4/runners, for unregister), streaming a job's log
// (PATCH /api/v4/jobs/:id/trace), reporting its end
// (PUT /api/v4/jobs/:id), and a job's artifacts with its own token
// (POST and GET /api/v4/jobs/:id/artifacts, artifacts.go; a Client from
// NewJobClient in the helper container, which has no runner token).
//
// A Client talks for one runner token. Trace is the job's log sink: an
// io.Writer that the build log feeds, sent in patches at the interval
// the server asks for, resent from where the server says it is, with
// keep-alives while the job is quiet; it tells the job when GitLab cancels
// it (Canceling, Aborted) and makes the one final update (Finish).
//
// Every request has a context and a timeout. Failures worth retrying
// (transport errors, 408, 429, 5xx) are retried with exponential backoff
// and jitter (apimachinery's wait.Backoff, only for computing the waits),
// honouring Retry-After and RateLimit-ResetTime; a TLS certificate that
// cannot be verified is not retried, and its error names the host and the
// runner's tls-ca-file (the caller's transport trusts it, built by
// clienttls). A redirect is followed only within
// GitLab's origin and never from https to http, since every request carries
// a token (redirect.go), and no error shows a token or a URL's userinfo
// (redact.go). Time comes from a Clock so
// that tests take no wall time. Retries are warnings on the caller's logrus
// logger, so that an operator sees GitLab struggling; they name method,
// path, status and wait, and never a token. It knows nothing of Kubernetes.
package network
