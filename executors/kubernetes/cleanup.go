package kubernetes

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kube "k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
)

// created records which kinds of object the job may have left behind, so
// cleanup asks only about those: a job that failed before its first create
// sends no DELETE, and its own error is the first thing the log shows.
type created struct{ secret, pods bool }

// cleanup removes every pod and secret that carries the job's label: one
// request per kind, whatever number of attempts ran, and nothing of
// another job, because the label value is unique to this run. An API
// server that is restarting is waited for (within ctx): a delete lost to
// it would leak the pod until the next start's sweep.
// grace is the pods' grace period (cleanupGrace); the secret goes at once.
func cleanup(ctx context.Context, client kube.Interface, namespace, key string, what created, grace *int64) error {
	sel := metav1.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{podspec.JobLabel: key}).String()}
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))}
	pods := metav1.DeleteOptions{GracePeriodSeconds: grace}
	var errs []error
	if what.pods {
		if err := kubeapi.RetryUnavailable(ctx, func(ctx context.Context) error {
			return client.CoreV1().Pods(namespace).DeleteCollection(ctx, pods, sel)
		}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete the job's pods: %w", kubeapi.Forbidden(err, "deletecollection", "pods", namespace)))
		}
	}
	if what.secret {
		if err := kubeapi.RetryUnavailable(ctx, func(ctx context.Context) error {
			return client.CoreV1().Secrets(namespace).DeleteCollection(ctx, now, sel)
		}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete the job's secrets: %w", kubeapi.Forbidden(err, "deletecollection", "secrets", namespace)))
		}
	}
	return errors.Join(errs...)
}

// cleanupGrace is the grace period of the pods' delete, GitLab Runner's
// rule: cleanup_grace_period_seconds when set; else nil, the pod's own
// pod_termination_grace_period_seconds, when that is set; else 0, as
// kuberunner always did: the job is over, nothing in the pod needs time.
func cleanupGrace(cfg *config.KubernetesConfig) *int64 {
	switch {
	case cfg.CleanupGracePeriodSeconds != nil:
		return ptr.To(int64(*cfg.CleanupGracePeriodSeconds))
	case cfg.PodTerminationGracePeriodSeconds != nil:
		return nil
	}
	return ptr.To(int64(0))
}
