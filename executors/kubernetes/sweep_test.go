package kubernetes

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
)

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 500, time.UTC)
	assert.True(t, podspec.Expiry(now, 0).IsZero(), "a job without a timeout never expires")
	assert.Equal(t, time.Date(2026, 11, 27, 13, 0, 30, 0, time.UTC), podspec.Expiry(now, time.Hour))
}

func TestSweep(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	meta := func(name string, expires string, managed bool) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: name, Namespace: "ci", UID: "uid-" + "name"}
		if managed {
			m.Labels = map[string]string{podspec.ManagedByLabel: podspec.ManagedByValue}
		}
		if expires != "" {
			m.Annotations = map[string]string{podspec.ExpiresAnnotation: expires}
		}
		return m
	}
	past, future := now.Add(-time.Second).Format(time.RFC3339), now.Add(time.Minute).Format(time.RFC3339)
	objs := []runtime.Object{
		&corev1.Pod{ObjectMeta: meta("expired-pod", past, true)},
		&corev1.Pod{ObjectMeta: meta("running-pod", future, true)},
		&corev1.Pod{ObjectMeta: meta("no-timeout-pod", "", true)},
		&corev1.Pod{ObjectMeta: meta("someone-elses", past, false)},
		&corev1.Secret{ObjectMeta: meta("expired-secret", past, true)},
		&corev1.Secret{ObjectMeta: meta("garbled-secret", "yesterday", true)},
	}
	cs := fake.NewClientset(objs...)
	rep, err := sweep(context.Background(), kubeapi.Client{Interface: cs}, "ci", now)
	require.NoError(t, err)
	assert.Equal(t, []string{"pod ci/expired-pod", "secret ci/expired-secret"}, rep.Deleted)
	assert.ElementsMatch(t, []string{"pod ci/running-pod", "pod ci/no-timeout-pod", "secret ci/garbled-secret"}, rep.Kept)

	pods, err := cs.CoreV1().Pods("ci").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var left []string
	for _, p := range pods.Items {
		left = append(left, p.Name)
	}
	assert.ElementsMatch(t, []string{"running-pod", "no-timeout-pod", "someone-elses"}, left)
	_, err = cs.CoreV1().Secrets("ci").Get(context.Background(), "garbled-secret", metav1.GetOptions{})
	assert.NoError(t, err, "an expiry that does not parse is kept")
}
