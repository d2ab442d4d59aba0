package placement

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestNodeCondition(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	node := func(conds ...corev1.NodeCondition) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Conditions: conds}}
	}
	for _, tc := range []struct {
		name string
		node *corev1.Node
		want string
	}{
		{"kubelet stopped, marked by the node controller", node(corev1.NodeCondition{
			Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
			Message: "Kubelet stopped posting node status.", LastHeartbeatTime: metav1.NewTime(now.Add(-52 * time.Second)),
		}), "node n1: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting node status.), last heartbeat 52s ago"},
		{"kubelet stopped, not yet marked", node(corev1.NodeCondition{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: metav1.NewTime(now.Add(-31 * time.Second)),
		}), "node n1: Ready=True (KubeletReady), last heartbeat 31s ago"},
		{"no Ready condition", node(), "node n1: no Ready condition reported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, describeReady(tc.node, now))
			got := NodeCondition(context.Background(), fake.NewClientset(tc.node), "n1", now)
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		got := NodeCondition(context.Background(), fake.NewClientset(), "gone", now)
		assert.Contains(t, got, `node gone: condition unknown (nodes "gone" not found)`)
	})
}
