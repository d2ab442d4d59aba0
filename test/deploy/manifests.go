package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// Dir is the repository's deploy/ directory, found from this file so that
// tests work from any package directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "deploy")
}

// decodeFile reads one YAML manifest of deploy/ into obj, strictly: a
// misspelt field in a manifest is an error here, not a silent default.
func decodeFile(rel string, obj any) error {
	data, err := os.ReadFile(filepath.Join(Dir(), rel))
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		return fmt.Errorf("deploy/%s: %w", rel, err)
	}
	return nil
}

// Role is deploy/role.yaml.
func Role() (*rbacv1.Role, error) {
	var r rbacv1.Role
	return &r, decodeFile("role.yaml", &r)
}

// NodeRole is deploy/node-access/clusterrole.yaml, the optional grant.
func NodeRole() (*rbacv1.ClusterRole, error) {
	var r rbacv1.ClusterRole
	return &r, decodeFile("node-access/clusterrole.yaml", &r)
}
