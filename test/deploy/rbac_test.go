package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
)

// Every allow-listed grant is in the Role, so the list cannot name a verb
// the Role no longer holds.
func TestRoleGrantsTheAllowList(t *testing.T) {
	role, err := Role()
	require.NoError(t, err)
	for req, why := range Unobserved {
		assert.True(t, Grants(role.Rules, req), "%s is allow-listed (%s) but deploy/role.yaml does not grant it", req, why)
	}
}

func TestCompare(t *testing.T) {
	role := &rbacv1.Role{Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}},
	}}
	nodes := &rbacv1.ClusterRole{Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get"}},
	}}
	tests := []struct {
		name           string
		nodes          *rbacv1.ClusterRole
		observed       []Request
		denied, unused []Request
	}{
		{"exactly what is used", nil, []Request{{"create", "pods"}, {"watch", "pods"}}, nil, nil},
		{"a request the Role lacks", nil, []Request{{"create", "pods"}, {"watch", "pods"}, {"get", "secrets"}}, []Request{{"get", "secrets"}}, nil},
		{"a grant nobody uses", nil, []Request{{"create", "pods"}}, nil, []Request{{"watch", "pods"}}},
		{"a node read without the optional ClusterRole", nil, []Request{{"create", "pods"}, {"watch", "pods"}, {"get", "nodes"}}, []Request{{"get", "nodes"}}, nil},
		{"a node read with it", nodes, []Request{{"create", "pods"}, {"watch", "pods"}, {"get", "nodes"}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			denied, unused := Compare(role, tt.nodes, tt.observed)
			assert.Equal(t, tt.denied, denied, "denied")
			assert.Equal(t, tt.unused, unused, "unused (create pods/exec is allow-listed)")
		})
	}
}

// The optional ClusterRole only reads nodes.
func TestNodeRoleOnlyReadsNodes(t *testing.T) {
	nr, err := NodeRole()
	require.NoError(t, err)
	for _, g := range Granted(nr.Rules) {
		assert.Equal(t, "nodes", g.Resource)
		assert.Contains(t, []string{"get", "list", "watch"}, g.Verb)
	}
}
