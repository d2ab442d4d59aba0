package placement

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kube "k8s.io/client-go/kubernetes"
)

// nodeConditionTimeout bounds the one read of a node when poll_timeout has
// already passed: the job fails either way, the read only explains why.
const nodeConditionTimeout = 5 * time.Second

// NodeCondition describes the Ready condition of the node a pod that never
// started was bound to: a node whose kubelet died keeps the pod Pending
// with no status at all, and only the node says why. It is read once, at
// poll_timeout, so a healthy job never pays for it; a runner without the
// optional node access (docs/deploy.md) gets the reason it could not look.
func NodeCondition(ctx context.Context, client kube.Interface, name string, now time.Time) string {
	ctx, cancel := context.WithTimeout(ctx, nodeConditionTimeout)
	defer cancel()
	node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Sprintf("node %s: condition unknown (%v)", name, err)
	}
	return describeReady(node, now)
}

// describeReady is the node's Ready condition in one line, with how long
// ago the kubelet last reported: a stale heartbeat is the sign of a dead
// kubelet before the node controller marks the node Unknown.
func describeReady(node *corev1.Node, now time.Time) string {
	for _, c := range node.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		s := fmt.Sprintf("node %s: Ready=%s", node.Name, c.Status)
		if c.Reason != "" {
			s += " (" + c.Reason
			if c.Message != "" {
				s += ": " + c.Message
			}
			s += ")"
		}
		if !c.LastHeartbeatTime.IsZero() {
			s += fmt.Sprintf(", last heartbeat %s ago", now.Sub(c.LastHeartbeatTime.Time).Round(time.Second))
		}
		return s
	}
	return fmt.Sprintf("node %s: no Ready condition reported", node.Name)
}
