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
func cleanup(ctx context.Context, client kube.Interface, namespace, key string, what created) error {
	sel := metav1.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{podspec.JobLabel: key}).String()}
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))}
	var errs []error
	if what.pods {
		if err := kubeapi.RetryUnavailable(ctx, func(ctx context.Context) error {
			return client.CoreV1().Pods(namespace).DeleteCollection(ctx, now, sel)
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
