package kubernetes

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/pull"
)

// A transient pull failure (pull.ClassTransient: 429, 5xx, the kubelet's
// "pull QPS exceeded", a timeout) retries the same policy in a NEW pod,
// after a backoff of ours, instead of leaving the failed pod to the
// kubelet's own ImagePullBackOff retry. Only one of the two backoffs ever
// runs: the loop deletes a pod at its first pull failure, before the
// kubelet's back-off (10 s, doubling to 5 min) comes round, and the kubelet
// keys that back-off by pod UID, so the new pod pulls at once and our wait
// is the only one. We chose ours over the kubelet's because:
//
//   - it is bounded and ours to size: pull_retry_budget retries of at most
//     pullRetryBackoff each, under 30 s in all even at the largest budget
//     (TestPullRetryWaitsStayUnder30s), where the kubelet's second retry
//     alone comes 30 s after the first failure;
//   - it keeps one loop and one rule per attempt: a pod whose build image
//     is rate limited while a service's registry is down needs a new pod
//     for the service's fallback anyway, and both decisions are made on the
//     same failures (pull.Manager.React);
//   - it has jitter, so 20 jobs throttled together do not retry together.
//
// The cost is one pod delete and create per retry, a few API requests.
//
// The waits are 0.5-1 s, 1-2 s, 2-4 s, 4-8 s, 4-8 s (docs/configuration.md):
// wait.Backoff's jitter adds up to Jitter times the step on top, so a
// Jitter of 1 on half of 1, 2, 4, 8 s draws from the lower half of each.
var pullRetryBackoff = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 1, Cap: 4 * time.Second, Steps: config.MaxPullRetryBudget}

// pullRetry is how the attempt loop waits before a pod that retries a
// policy. wait is a timer on ctx; tests replace it.
type pullRetry struct {
	backoff wait.Backoff
	wait    func(ctx context.Context, d time.Duration) error
}

// delay is the wait before retry number retry (1 for the first) of one
// image's policy. The count is the pull manager's, which starts over at a
// fallback, so each delay steps a fresh copy rather than one shared
// backoff.
func (p pullRetry) delay(retry int) time.Duration {
	b := p.backoff
	d := b.Step()
	for range retry - 1 {
		d = b.Step()
	}
	return d
}

func newPullRetry() pullRetry {
	return pullRetry{backoff: pullRetryBackoff, wait: waitFor}
}

// waitFor is the one timed wait of the executor: the backoff before a
// retried pull. It ends early, with ctx's error, when the job ends.
func waitFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pullRules are a runner's pull-failure rules, as pull.Manager applies them.
func pullRules(cfg *config.KubernetesConfig) pull.Rules {
	return pull.Rules{RetryBudget: cfg.PullRetries(), FallbackOnDenied: cfg.PullPolicyFallbackOnDenied}
}

// Reactions of the loop to one attempt's pull failures, the action label
// of the reaction histogram.
const (
	actionFallback = "fallback" // at least one image moved to its next policy
	actionRetry    = "retry"    // images only retry their policy
)

// react decides what one attempt's pull failures lead to (pull.Manager),
// counts them, and waits out the backoff when an image retries. It returns
// the action taken, or the BuildError that ends the job: every policy of
// an image failed, or a pull was denied.
func (l *attemptLoop) react(ctx context.Context, fails pullFailures) (string, error) {
	for _, f := range fails {
		class := f.Class
		if class == "" {
			class = pull.ClassUnknown
		}
		pullFailuresTotal.WithLabelValues(f.Reason, string(class), policyLabel(l.pulls.Policy(f.Image))).Inc()
	}
	if l.sawPulls != nil {
		l.sawPulls(fails)
	}
	r, err := l.pulls.React(fails...)
	if err != nil {
		return "", &common.BuildError{Inner: err, FailureReason: common.ImagePullFailure}
	}
	for _, fb := range r.Fallbacks {
		pullFallbacksTotal.WithLabelValues(policyLabel(fb.From), policyLabel(fb.To), causePullFailure).Inc()
	}
	if r.Retry == 0 {
		return actionFallback, nil
	}
	d := l.retry.delay(r.Retry)
	l.log.Println(fmt.Sprintf("Waiting %s before the next attempt, so that the registry can recover", d.Round(time.Millisecond)))
	if err := l.retry.wait(ctx, d); err != nil {
		return "", err
	}
	if len(r.Fallbacks) > 0 {
		return actionFallback, nil
	}
	return actionRetry, nil
}
