//go:build integration

package kubernetes

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/hack/localcluster/cluster"
	"kuberunner/test/clustertest"
)

// A runner deployed with the shipped Role and without the optional node
// access: the fallback still happens, placed as before, with a warning
// that says what to grant.
func TestNodeListForbiddenPlacesAsBefore(t *testing.T) {
	cs, rc := clustertest.Client(t)
	ns := clustertest.Namespace(t)
	ctx := context.Background()
	data, err := os.ReadFile("../../deploy/role.yaml")
	require.NoError(t, err)
	var role rbacv1.Role
	require.NoError(t, yaml.Unmarshal(data, &role))
	role.Namespace = ns
	_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "runner"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().Roles(ns).Create(ctx, &role, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "runner"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "runner", Namespace: ns}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	rc.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":runner"}
	clustertest.WaitAuthorization(t, rc.Impersonate.UserName, ns, "create", "secrets", true)

	img := cachedImage(t, "node-forbidden")
	clustertest.StopRegistry(t)
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("terminal"), nil)
	cfg := config.KubernetesConfig{Namespace: ns, Image: img, HelperImage: cluster.HelperImage, PollTimeout: 120, PullPolicy: alwaysThenCached}
	job := &common.Job{ID: 1, Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}}}
	err = executors.Run(ctx, New(rc), executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "it", Kubernetes: &cfg}, Log: log})
	require.NoError(t, log.Close())
	t.Logf("build log:\n%s", buf.String())
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "Cannot steer fallback pods to nodes that hold their images: the runner may not list nodes")
	assert.Contains(t, buf.String(), "Attempt 2 is placed as before: the runner may not list nodes")
	assert.Contains(t, buf.String(), "\nDone\n")
}
