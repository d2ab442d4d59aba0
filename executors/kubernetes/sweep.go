package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
)

func init() { executors.RegisterSweeper("kubernetes", SweepExpired) }

// SweepExpired deletes the pods and secrets that jobs of a runner killed
// mid-job (SIGKILL, OOM, a lost node) left in the runner's namespace: the
// ones kuberunner manages whose expiry has passed. `kuberunner run` calls
// it at start. Each delete is conditional on the object's UID, so an
// object recreated under the same name is never touched.
func SweepExpired(ctx context.Context, runner *config.RunnerConfig) (executors.SweepReport, error) {
	cfg := runner.Kubernetes
	if cfg == nil {
		cfg = &config.KubernetesConfig{}
	}
	rc, err := kubeapi.RestConfig(connection(cfg))
	if err != nil {
		return executors.SweepReport{}, err
	}
	api, err := kubeapi.NewClient(rc, kubeapi.DefaultHeaderTimeout)
	if err != nil {
		return executors.SweepReport{}, err
	}
	namespace := cfg.Namespace
	if namespace == "" {
		namespace = config.DefaultNamespace
	}
	return sweep(ctx, api, namespace, time.Now())
}

func sweep(ctx context.Context, api kubeapi.Client, namespace string, now time.Time) (executors.SweepReport, error) {
	sel := metav1.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{podspec.ManagedByLabel: podspec.ManagedByValue}).String()}
	var rep executors.SweepReport
	var errs []error
	remove := func(kind string, meta metav1.Object, del func(context.Context, string, metav1.DeleteOptions) error) {
		if !podspec.Expired(meta, now) {
			rep.Kept = append(rep.Kept, fmt.Sprintf("%s %s/%s", kind, namespace, meta.GetName()))
			return
		}
		uid := meta.GetUID()
		opts := metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0)), Preconditions: &metav1.Preconditions{UID: ptr.To(types.UID(uid))}}
		err := del(ctx, meta.GetName(), opts)
		switch {
		case err == nil:
			rep.Deleted = append(rep.Deleted, fmt.Sprintf("%s %s/%s", kind, namespace, meta.GetName()))
		case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
			// Gone already, or a new object under the name.
		default:
			errs = append(errs, fmt.Errorf("delete %s %s/%s: %w", kind, namespace, meta.GetName(), err))
		}
	}
	pods, err := api.CoreV1().Pods(namespace).List(ctx, sel)
	if err != nil {
		errs = append(errs, fmt.Errorf("list pods in %s: %w", namespace, err))
	} else {
		for i := range pods.Items {
			remove("pod", &pods.Items[i], api.CoreV1().Pods(namespace).Delete)
		}
	}
	secrets, err := api.CoreV1().Secrets(namespace).List(ctx, sel)
	if err != nil {
		errs = append(errs, fmt.Errorf("list secrets in %s: %w", namespace, err))
	} else {
		for i := range secrets.Items {
			remove("secret", &secrets.Items[i], api.CoreV1().Secrets(namespace).Delete)
		}
	}
	return rep, errors.Join(errs...)
}
