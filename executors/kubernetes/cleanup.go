package kubernetes

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kube "k8s.io/client-go/kubernetes"
)

// createSecret stores the job's variables in a Secret that the build and
// service containers read with envFrom, so that masked values never appear
// in the pod spec, where anyone who may read pods would see them.
func (e *Executor) createSecret(ctx context.Context) error {
	e.created = true
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: podNamePrefix(e.spec),
			Namespace:    e.spec.Namespace,
			Labels:       podLabels(e.spec, 0),
		},
		Type: corev1.SecretTypeOpaque,
		Data: secretData(e.vars),
	}
	delete(s.Labels, attemptLabel)
	created, err := e.client.CoreV1().Secrets(e.spec.Namespace).Create(ctx, s, metav1.CreateOptions{})
	if err != nil {
		return systemFailure(fmt.Errorf("create the job's variables secret: %w", err))
	}
	e.spec.SecretName = created.Name
	return nil
}

// cleanup removes every pod and secret that carries the job's label: one
// request per kind, whatever number of attempts ran, and nothing of
// another job, because the label value is unique to this run.
func cleanup(ctx context.Context, client kube.Interface, namespace, key string) error {
	sel := metav1.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{jobLabel: key}).String()}
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))}
	var errs []error
	if err := client.CoreV1().Pods(namespace).DeleteCollection(ctx, now, sel); err != nil && !apierrors.IsNotFound(err) {
		errs = append(errs, fmt.Errorf("delete the job's pods: %w", err))
	}
	if err := client.CoreV1().Secrets(namespace).DeleteCollection(ctx, now, sel); err != nil && !apierrors.IsNotFound(err) {
		errs = append(errs, fmt.Errorf("delete the job's secrets: %w", err))
	}
	return errors.Join(errs...)
}
