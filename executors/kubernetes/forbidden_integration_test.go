//go:build integration

package kubernetes

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/hack/localcluster/cluster"
	"kuberunner/test/clustertest"
)

// A runner whose Role lacks list and watch on pods learns it from the
// first list, not from the informer's sync timeout a minute later.
func TestPodListForbiddenFailsFast(t *testing.T) {
	cs, rc := clustertest.Client(t)
	ns := clustertest.Namespace(t)
	ctx := context.Background()
	_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "runner"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "runner"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create", "delete", "deletecollection", "list"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create", "delete", "deletecollection"}},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "runner"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "runner"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "runner", Namespace: ns}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	rc.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":runner"}
	clustertest.WaitAuthorization(t, rc.Impersonate.UserName, ns, "create", "secrets", true)

	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("terminal"), nil)
	cfg := config.KubernetesConfig{Namespace: ns, Image: cluster.BusyboxImage, HelperImage: cluster.HelperImage}
	job := &common.Job{ID: 1, Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
	began := time.Now()
	err = executors.Run(ctx, New(rc), executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "it", Kubernetes: &cfg}, Log: log})
	t.Logf("failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
	var fe *ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "list/watch", fe.Verb)
	assert.Equal(t, "pods", fe.Resource)
	assert.Contains(t, err.Error(), "cannot list resource \"pods\"")
}
