package localcluster

import (
	"context"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// bridgePod is the pod Up runs once so that the CNI plugin creates the pod
// bridge: test servers listen on its address (the S3 endpoint, git and
// coordinator servers that pods reach), and it exists only once a pod has
// had a network.
const bridgePod = "kuberunner-bridge"

// ensureBridge makes the pod bridge exist, running a pause pod if it does
// not yet.
func (c *Cluster) ensureBridge(ctx context.Context) error {
	if _, err := net.InterfaceByName(BridgeName); err == nil {
		return nil
	}
	cs, err := c.clientset()
	if err != nil {
		return err
	}
	pods := cs.CoreV1().Pods(metav1.NamespaceDefault)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: bridgePod},
		Spec: corev1.PodSpec{
			Containers:                    []corev1.Container{{Name: "pause", Image: PauseImage, ImagePullPolicy: corev1.PullIfNotPresent}},
			TerminationGracePeriodSeconds: ptr.To(int64(0)),
			AutomountServiceAccountToken:  ptr.To(false),
		},
	}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create the pod that makes the bridge %s: %w", BridgeName, err)
	}
	defer func() {
		_ = pods.Delete(context.WithoutCancel(ctx), bridgePod, metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))})
	}()
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(context.Context) (bool, error) {
		_, err := net.InterfaceByName(BridgeName)
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("the bridge %s did not appear within 60 s of a pod starting: %w", BridgeName, err)
	}
	return nil
}
