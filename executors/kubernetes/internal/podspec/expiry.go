package podspec

import (
	"math"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// expiryGrace is added to the job's timeout: the runner's own cleanup runs
// as soon as the timeout passes, so an object older than this has lost its
// runner. It also absorbs clock skew between runner replicas.
const expiryGrace = 30 * time.Second

// Expiry is when the objects of a job that starts now with this timeout
// may be swept; zero (never) without a timeout, and never before now plus
// the grace, however large the timeout: a time in the past would let a
// restarted runner or another replica sweep the pod of a live job. Why not
// an owner reference from the Secret to the first pod instead: the
// fallback deletes that pod while the next attempt still needs the
// Secret, and the garbage collector would take the Secret with it.
func Expiry(now time.Time, timeout time.Duration) time.Time {
	if timeout <= 0 {
		return time.Time{}
	}
	return now.Add(saturatingAdd(timeout, expiryGrace)).Truncate(time.Second)
}

// saturatingAdd is a+b for positive durations, or the largest Duration
// where the sum would wrap to a negative one (about 292 years, which
// still formats as an RFC 3339 annotation).
func saturatingAdd(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Expired reports whether an object's expiry annotation has passed. An
// object without one (or with one that does not parse) is never swept: it
// may belong to a job without a timeout, still running.
func Expired(meta metav1.Object, now time.Time) bool {
	at, err := time.Parse(time.RFC3339, meta.GetAnnotations()[ExpiresAnnotation])
	return err == nil && now.After(at)
}
