package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kube "k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"kuberunner/common"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/placement"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

// pullFailures is every container of one pod whose image could not be
// pulled, carried inside a BuildError so that the loop finds them with
// errors.As; errors.As for a single *pull.ImagePullError works too.
type pullFailures []*pull.ImagePullError

func (p pullFailures) Error() string {
	msgs := make([]string, len(p))
	for i, f := range p {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

func (p pullFailures) Unwrap() []error {
	out := make([]error, len(p))
	for i, f := range p {
		out[i] = f
	}
	return out
}

// attemptStats is what the loop measured, for the metrics, tests and the
// benchmark.
type attemptStats struct {
	attempts int
	// reactions: from the watch delivering a pull failure to the next
	// pod's create call returning.
	reactions []time.Duration
	// detections: from a pod's create call returning to the watch
	// delivering its pull failure.
	detections []time.Duration
}

// attemptLoop is the one fallback loop of a job: create a pod with the
// current policy of every image, wait on the job's watch, and when images
// fail to pull, advance exactly those images, delete the pod and try
// again. It holds no client state of its own beyond one job's.
type attemptLoop struct {
	client  kube.Interface
	spec    *podspec.JobSpec
	secrets podspec.PodSecrets // the same for every attempt
	// sent says what credentials went with an image's pull, for the
	// failure's message (pullAuth.sentFor); nil says nothing.
	sent    func(image string) string
	pulls   *pull.Manager
	watch   *podwatch.Watch
	log     executors.BuildLog
	timeout time.Duration // poll_timeout, per attempt
	// created is set once a pod create may have reached the API server.
	created func()
	// retry waits before a pod that retries a policy (retrybudget.go).
	retry pullRetry
	stats attemptStats

	// place may change a pod's placement before its create (placement.Placer).
	place func(ctx context.Context, pod *corev1.Pod, attempt int)
	// sawPulls hears each attempt's pull failures before the manager
	// reacts, and started the pod that ran (the registry breakers).
	sawPulls func(pullFailures)
	started  func()
}

// run returns the running pod, or the BuildError that ends the job.
func (l *attemptLoop) run(ctx context.Context) (*corev1.Pod, error) {
	var failedAt time.Time
	var action string
	defer func() { podAttempts.Observe(float64(l.stats.attempts)) }()
	for {
		pod, err := l.createPod(ctx)
		if !failedAt.IsZero() {
			d := time.Since(failedAt)
			l.stats.reactions = append(l.stats.reactions, d)
			fallbackReaction.WithLabelValues(action).Observe(d.Seconds())
		}
		if err != nil {
			return nil, err
		}
		createdAt := time.Now()
		started, seenAt, err := l.waitStarted(ctx, pod)
		if err == nil {
			l.log.Println(fmt.Sprintf("Pod %s/%s is running", pod.Namespace, pod.Name))
			if l.started != nil {
				l.started()
			}
			return started, nil
		}
		var fails pullFailures
		if !errors.As(err, &fails) {
			return nil, err
		}
		failedAt = seenAt
		l.stats.detections = append(l.stats.detections, failedAt.Sub(createdAt))
		pullFailureDetection.Observe(failedAt.Sub(createdAt).Seconds())
		// Failures the kubelet reports until the pod is gone belong to this
		// attempt too, so one outage across images costs one extra pod.
		fails = mergeFailures(fails, l.deletePod(ctx, pod.Name))
		l.tellSent(fails)
		if action, err = l.react(ctx, fails); err != nil {
			return nil, err
		}
	}
}

func (l *attemptLoop) createPod(ctx context.Context) (*corev1.Pod, error) {
	l.stats.attempts++
	pod := podspec.BuildPod(l.spec, l.secrets, l.stats.attempts, l.pulls.Policy)
	if l.place != nil {
		l.place(ctx, pod, l.stats.attempts)
	}
	created, err := l.client.CoreV1().Pods(l.spec.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if mayExist(err) {
		l.created()
	}
	if err != nil {
		err = fmt.Errorf("create pod (attempt %d): %w", l.stats.attempts, kubeapi.Forbidden(err, "create", "pods", l.spec.Namespace))
		// The API server refusing this pod (invalid spec, a quota, pod
		// security, a missing service account) is the job's or the
		// operator's configuration, and a retry would meet the same answer.
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
			return nil, configFailure(err)
		}
		return nil, systemFailure(err)
	}
	l.log.Println(fmt.Sprintf("Attempt %d: created pod %s/%s, pull policies: %s", l.stats.attempts, created.Namespace, created.Name, describePolicies(pod)))
	return created, nil
}

// waitStarted follows the pod until it starts, fails, or poll_timeout
// passes. Pull failures come back as a BuildError holding pullFailures,
// with when the watch delivered them.
func (l *attemptLoop) waitStarted(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, time.Time, error) {
	wctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	last := podState{phase: string(corev1.PodPending)}
	var running *corev1.Pod
	var seenAt time.Time
	told := map[string]bool{}
	node := ""
	err := l.watch.Until(wctx, pod.Name, func(obs podwatch.Observation) (bool, error) {
		st := readPod(obs, l.spec)
		last = st
		if obs.Pod != nil && obs.Pod.Spec.NodeName != "" {
			node = obs.Pod.Spec.NodeName
		}
		for _, h := range st.healing {
			if !told[h] {
				told[h] = true
				l.log.Println(fmt.Sprintf("Waiting for the kubelet, which retries this by itself (up to poll_timeout %s): %s", l.timeout, h))
			}
		}
		switch {
		case len(st.pullErrors) > 0:
			seenAt = obs.At
			return true, &common.BuildError{Inner: pullFailures(st.pullErrors), FailureReason: common.ImagePullFailure}
		case st.configErr != nil:
			return true, configFailure(st.configErr)
		case st.ended != nil:
			return true, systemFailure(st.ended)
		case st.started:
			running = obs.Pod
			return true, nil
		}
		return false, nil
	})
	switch {
	case err == nil:
		return running, seenAt, nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		timeout := &PodStartTimeoutError{Pod: pod.Name, Timeout: l.timeout, Phase: last.phase, Reason: last.reason}
		if node != "" {
			timeout.Node = placement.NodeCondition(ctx, l.client, node, time.Now())
		}
		return nil, seenAt, systemFailure(timeout)
	case ctx.Err() != nil:
		return nil, seenAt, ctx.Err()
	}
	var be *common.BuildError
	if errors.As(err, &be) {
		return nil, seenAt, err
	}
	return nil, seenAt, systemFailure(err)
}

// deleteWait bounds the wait for a failed attempt to go away: it only
// collects late pull failures, and cleanup removes whatever is left.
const deleteWait = 30 * time.Second

// deletePod removes a failed attempt at once (grace 0: nothing in it ran)
// and waits on the watch until the pod is gone, returning the pull failures
// of other containers that the kubelet reported meanwhile.
func (l *attemptLoop) deletePod(ctx context.Context, name string) []*pull.ImagePullError {
	err := l.client.CoreV1().Pods(l.spec.Namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))})
	if err != nil {
		// Cleanup deletes by label whatever is left; the job goes on.
		l.log.Warningln(fmt.Sprintf("Could not delete pod %s: %v", name, kubeapi.Forbidden(err, "delete", "pods", l.spec.Namespace)))
		return nil
	}
	var more []*pull.ImagePullError
	dctx, cancel := context.WithTimeout(ctx, deleteWait)
	defer cancel()
	_ = l.watch.Until(dctx, name, func(obs podwatch.Observation) (bool, error) {
		if obs.Deleted {
			return true, nil
		}
		more = append(more, readPod(obs, l.spec).pullErrors...)
		return false, nil
	})
	return more
}

// tellSent notes on each failure what credentials went with its pull, so
// that a denial says whether there were any, and whose.
func (l *attemptLoop) tellSent(fails pullFailures) {
	if l.sent == nil {
		return
	}
	for _, f := range fails {
		f.Sent = l.sent(f.Image)
	}
}

// mergeFailures adds the failures of containers not reported yet.
func mergeFailures(a, b []*pull.ImagePullError) pullFailures {
	seen := map[string]bool{}
	for _, f := range a {
		seen[f.Container] = true
	}
	for _, f := range b {
		if !seen[f.Container] {
			seen[f.Container] = true
			a = append(a, f)
		}
	}
	return a
}

// describePolicies names each container's image policy as the API sees it,
// e.g. `build=IfNotPresent helper=Always`.
func describePolicies(pod *corev1.Pod) string {
	parts := make([]string, 0, len(pod.Spec.Containers))
	for _, c := range pod.Spec.Containers {
		p := string(c.ImagePullPolicy)
		if p == "" {
			p = common.PullPolicyDefault.String()
		}
		parts = append(parts, c.Name+"="+p)
	}
	return strings.Join(parts, " ")
}

// mayExist says whether a create call may have made its object: yes on
// success, and yes when the answer is not a clear refusal (a timeout, a
// dropped connection, a 5xx), because cleanup deleting nothing costs a
// request while a leaked pod costs a node.
func mayExist(err error) bool {
	if err == nil {
		return true
	}
	var status apierrors.APIStatus
	return !errors.As(err, &status) || status.Status().Code >= 500
}
