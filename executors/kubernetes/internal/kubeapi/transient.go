package kubeapi

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Unavailable reports whether err says the API server could not be
// reached or could not serve for now — restarting, overloaded, behind a
// broken connection — rather than that it refused the request. Only such
// errors are worth a retry: a refusal (403, 404, 422) stays one.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrAPINoAnswer) {
		return true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
			apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || status.Status().Code >= 500
	}
	return utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err) || utilnet.IsProbableEOF(err) ||
		errors.Is(err, context.DeadlineExceeded) || StreamLost(err)
}

// StreamLost reports whether an exec stream ended because its connection
// broke, not because the command finished: the API server went away (a
// restart drops every proxied stream) or the network did.
func StreamLost(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code != websocket.CloseNormalClosure
	}
	return utilnet.IsConnectionReset(err) || utilnet.IsProbableEOF(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// apiRetry is the backoff for requests that must not be lost to an API
// server restart (the deletes of cleanup): a restart takes seconds, so the
// waits grow to 10 s and the caller's context bounds the whole.
var apiRetry = wait.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 30, Cap: 10 * time.Second}

// reconnectRetry is the backoff of the informers' list and watch calls
// (patient.go): short pauses, so a job sees its pod within a second of the
// API server's return, for about two minutes before the reflector's own
// backoff takes over.
var reconnectRetry = wait.Backoff{Duration: 200 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 130, Cap: time.Second}

// silentTries is how many requests in a row may go unanswered within the
// header deadline before a retry loop gives up. A restarting API server
// refuses connections, which are retried for as long as the caller's
// context allows; one that takes requests and never answers costs the
// header deadline per try, so waiting it out would hold a failed job (and
// an interrupted process) for minutes.
const silentTries = 2

// RetryUnavailable runs fn until it succeeds, fails for a reason other
// than Unavailable, goes unanswered silentTries times in a row, or ctx
// ends; it returns fn's last error.
func RetryUnavailable(ctx context.Context, fn func(context.Context) error) error {
	return RetryUnavailableWith(ctx, apiRetry, fn)
}

// RetryUnavailableWith is RetryUnavailable with backoff b.
func RetryUnavailableWith(ctx context.Context, b wait.Backoff, fn func(context.Context) error) error {
	var last error
	silent := 0
	err := wait.ExponentialBackoffWithContext(ctx, b, func(ctx context.Context) (bool, error) {
		last = fn(ctx)
		if silent = silentAgain(silent, last); silent >= silentTries {
			return true, nil
		}
		return !Unavailable(last), nil
	})
	if last != nil || err == nil {
		return last
	}
	return err
}

// silentAgain counts the unanswered tries in a row, err being the latest.
func silentAgain(silent int, err error) int {
	if errors.Is(err, ErrAPINoAnswer) {
		return silent + 1
	}
	return 0
}
