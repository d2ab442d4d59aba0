//go:build integration

package kubernetes

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/test/clustertest"
)

// A runner deployed with the shipped Role and without the optional node
// access: the fallback still happens, placed as before, with a warning
// that says what to grant.
func TestNodeListForbiddenPlacesAsBefore(t *testing.T) {
	data, err := os.ReadFile("../../deploy/role.yaml")
	require.NoError(t, err)
	var role rbacv1.Role
	require.NoError(t, yaml.Unmarshal(data, &role))
	ns := clustertest.Namespace(t)
	rc := clustertest.ServiceAccountWithRole(t, ns, "runner", role.Rules)

	img := cachedImage(t, "node-forbidden")
	clustertest.StopRegistry(t)
	r := runOnClusterAs(t, rc, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &common.Job{ID: 1})
	require.NoError(t, r.err)
	assert.Contains(t, r.log, "Cannot steer fallback pods to nodes that hold their images: the runner may not list nodes")
	assert.Contains(t, r.log, "Attempt 2 is placed as before: the runner may not list nodes")
	assert.Contains(t, r.log, "\nDone\n")
}
