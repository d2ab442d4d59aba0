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

	"kuberunner/common"
	"kuberunner/executors/kubernetes/internal/pull"
)

// pullFailures is every container of one pod whose image could not be
// pulled, carried inside a BuildError so that the loop below finds them
// with errors.As; errors.As for a single *pull.ImagePullError works too.
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

// startPod is the one fallback loop: create a pod with the current policy
// of every image, wait on the job's watch, and when images fail to pull,
// advance exactly those images, delete the pod and try again. It returns
// the running pod, or the BuildError that ends the job.
func (e *Executor) startPod(ctx context.Context) (*corev1.Pod, error) {
	if err := e.createSecret(ctx); err != nil {
		return nil, err
	}
	w, err := startPodWatch(ctx, e.client, e.spec.Namespace, e.spec.Key)
	if err != nil {
		return nil, systemFailure(err)
	}
	e.watch = w
	var failedAt time.Time
	for {
		pod, images, err := e.createPod(ctx)
		if !failedAt.IsZero() {
			d := time.Since(failedAt)
			e.reactions = append(e.reactions, d)
			fallbackReaction.Observe(d.Seconds())
		}
		if err != nil {
			return nil, err
		}
		createdAt := time.Now()
		started, err := e.waitStarted(ctx, pod, images)
		if err == nil {
			e.log.Println(fmt.Sprintf("Pod %s/%s is running", pod.Namespace, pod.Name))
			return started, nil
		}
		var fails pullFailures
		if !errors.As(err, &fails) {
			return nil, err
		}
		failedAt = e.lastSeen
		e.detections = append(e.detections, failedAt.Sub(createdAt))
		// Failures the kubelet reports until the pod is gone belong to this
		// attempt too, so one outage across images costs one extra pod.
		fails = mergeFailures(fails, e.deletePod(ctx, pod.Name, images))
		for _, f := range fails {
			pullFailuresTotal.WithLabelValues(f.Reason, string(e.pulls.Policy(images[f.Container]))).Inc()
		}
		if err := e.pulls.Fail(fails...); err != nil {
			return nil, &common.BuildError{Inner: err, FailureReason: common.ImagePullFailure}
		}
	}
}

// createPod returns the created pod and the image of each container as we
// wrote it.
func (e *Executor) createPod(ctx context.Context) (*corev1.Pod, map[string]string, error) {
	e.attempts++
	pod := buildPod(e.spec, e.attempts, e.pulls.Policy)
	for _, c := range pod.Spec.Containers {
		e.pulls.Bind(c.Name, c.Image)
	}
	e.created = true
	created, err := e.client.CoreV1().Pods(e.spec.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		err = fmt.Errorf("create pod (attempt %d): %w", e.attempts, err)
		// The API server refusing this pod (invalid spec, a quota, pod
		// security, a missing service account) is the job's or the
		// operator's configuration, and a retry would meet the same answer.
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
			return nil, nil, configFailure(err)
		}
		return nil, nil, systemFailure(err)
	}
	e.log.Println(fmt.Sprintf("Attempt %d: created pod %s/%s, pull policies: %s", e.attempts, created.Namespace, created.Name, describePolicies(pod)))
	return created, specImages(pod), nil
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
			p = "(cluster default)"
		}
		parts = append(parts, c.Name+"="+p)
	}
	return strings.Join(parts, " ")
}

// waitStarted follows the pod on the job's watch until it starts, fails,
// or poll_timeout passes. Pull failures come back as a BuildError holding
// pullFailures.
func (e *Executor) waitStarted(ctx context.Context, pod *corev1.Pod, images map[string]string) (*corev1.Pod, error) {
	timeout := time.Duration(e.cfg.PollTimeout) * time.Second
	if timeout <= 0 {
		timeout = 180 * time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := podState{phase: string(corev1.PodPending)}
	for {
		obs, err := e.watch.next(wctx, pod.Name)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return nil, systemFailure(&PodStartTimeoutError{Pod: pod.Name, Timeout: timeout, Phase: last.phase, Reason: last.reason})
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, systemFailure(err)
		}
		if obs.deleted {
			return nil, systemFailure(&PodEndedError{Pod: pod.Name, Phase: last.phase, Reason: "Deleted", Message: "the pod was deleted while the job waited for it"})
		}
		st := readPod(obs.pod, images)
		last = st
		switch {
		case len(st.pullErrors) > 0:
			e.lastSeen = obs.at
			return nil, &common.BuildError{Inner: pullFailures(st.pullErrors), FailureReason: common.ImagePullFailure}
		case st.configErr != nil:
			return nil, configFailure(st.configErr)
		case st.ended != nil:
			return nil, systemFailure(st.ended)
		case st.started:
			return obs.pod, nil
		}
	}
}

// deletePod removes a failed attempt at once (grace 0: nothing in it ran)
// and reads the watch until the pod is gone, returning pull failures of
// other containers that the kubelet reported meanwhile.
func (e *Executor) deletePod(ctx context.Context, name string, images map[string]string) []*pull.ImagePullError {
	err := e.client.CoreV1().Pods(e.spec.Namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
	if err != nil {
		// Cleanup deletes by label whatever is left; the job goes on.
		e.log.Warningln(fmt.Sprintf("Could not delete pod %s: %v", name, err))
		return nil
	}
	var more []*pull.ImagePullError
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		obs, err := e.watch.next(dctx, name)
		if err != nil || obs.deleted {
			return more
		}
		more = append(more, readPod(obs.pod, images).pullErrors...)
	}
}

// specImages maps container names to the images we wrote, before any
// admission webhook could rewrite them.
func specImages(pod *corev1.Pod) map[string]string {
	out := make(map[string]string, len(pod.Spec.Containers))
	for _, c := range pod.Spec.Containers {
		out[c.Name] = c.Image
	}
	return out
}
