package pull

// Class is what a pull failure says about the registry, read from the
// kubelet's message by the executor's one message classifier
// (executors/kubernetes/reasons.go). This package never reads message text:
// it only acts on the class it is given.
type Class string

const (
	// ClassUnknown: the message matched nothing known. It falls back, as
	// every failure did before failures had classes.
	ClassUnknown Class = "unknown"
	// ClassTransient: the registry (or the kubelet's own pull rate limit)
	// asked to slow down, failed for now, or answered too slowly: 429, 5xx,
	// "pull QPS exceeded", a TLS handshake or I/O timeout. Nothing says the
	// image is gone or unreachable, so falling back at once could run a
	// stale cached copy while the registry is fine: the same policy is
	// retried first, within Rules.RetryBudget.
	ClassTransient Class = "transient"
	// ClassUnreachable: the registry cannot be reached at all (connection
	// refused, no such host, network unreachable). The cached copy is the
	// point of the fallback.
	ClassUnreachable Class = "unreachable"
	// ClassAbsent: the registry answered, and has no such image (not found,
	// manifest unknown), or the node has none for "never".
	ClassAbsent Class = "absent"
	// ClassDenied: the registry refused the job's credentials (401, 403,
	// unauthorized, access denied). A cached copy is exactly what those
	// credentials may not pull, so by default the job fails instead of
	// falling back (Rules.FallbackOnDenied).
	ClassDenied Class = "denied"
)

// Classes lists every class, for metrics and tests.
var Classes = []Class{ClassTransient, ClassUnreachable, ClassAbsent, ClassDenied, ClassUnknown}

// describe says in the build log what the class means.
func (c Class) describe() string {
	switch c {
	case ClassTransient:
		return "transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer"
	case ClassUnreachable:
		return "unreachable: the registry could not be reached"
	case ClassAbsent:
		return "absent: the image is not there"
	case ClassDenied:
		return "denied: the registry refused the credentials"
	}
	return "unknown: the message names no known cause"
}

// Rules is how a Manager treats each class. The zero value falls back on
// every failure except a denied one, which ends the job.
type Rules struct {
	// RetryBudget is how many times a transient failure may retry the same
	// policy of an image before the image falls back. The count starts
	// again at the image's next policy.
	RetryBudget int
	// FallbackOnDenied lets a denied failure fall back like any other
	// (config.toml pull_policy_fallback_on_denied).
	FallbackOnDenied bool
}
