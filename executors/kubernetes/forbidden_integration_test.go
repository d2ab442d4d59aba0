//go:build integration

package kubernetes

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// A runner whose Role lacks list and watch on pods learns it from the
// first list, not from the informer's sync timeout a minute later.
func TestPodListForbiddenFailsFast(t *testing.T) {
	ns := clustertest.Namespace(t)
	rc := clustertest.ServiceAccountWithRole(t, ns, "runner", []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create", "delete", "deletecollection", "list"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create", "delete", "deletecollection"}},
	})
	began := time.Now()
	r := runOnClusterAs(t, rc, ns, config.KubernetesConfig{Image: localcluster.BusyboxImage}, &common.Job{ID: 1})
	t.Logf("failed after %s: %v", time.Since(began).Round(time.Millisecond), r.err)
	var fe *kubeapi.ForbiddenError
	require.ErrorAs(t, r.err, &fe)
	assert.Equal(t, "list/watch", fe.Verb)
	assert.Equal(t, "pods", fe.Resource)
	assert.Contains(t, r.err.Error(), "cannot list resource \"pods\"")
}
