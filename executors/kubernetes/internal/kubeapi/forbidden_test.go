package kubeapi

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A 403 keeps the API server's words (they name the user, the verb, the
// resource and the namespace) and adds where to look; anything else passes
// unchanged.
func TestForbidden(t *testing.T) {
	rbac := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
		errors.New(`User "system:serviceaccount:ci:kuberunner" cannot create resource "pods" in API group "" in the namespace "ci"`))
	tests := []struct {
		name    string
		err     error
		wrapped bool
	}{
		{"RBAC denial", rbac, true},
		{"already wrapped once", fmt.Errorf("outer: %w", &ForbiddenError{Verb: "create", Resource: "pods", Namespace: "ci", Err: rbac}), false},
		{"not found", apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, "p"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Forbidden(tt.err, "create", "pods", "ci")
			if !tt.wrapped {
				assert.Equal(t, tt.err, got)
				return
			}
			var fe *ForbiddenError
			require.ErrorAs(t, got, &fe)
			assert.True(t, apierrors.IsForbidden(got), "still a 403 to errors.As")
			for _, want := range []string{
				`refused create on pods in namespace "ci"`,
				`User "system:serviceaccount:ci:kuberunner" cannot create resource "pods"`,
				`its Role lacks "create" on "pods"`, "docs/deploy.md",
			} {
				assert.Contains(t, got.Error(), want)
			}
		})
	}
}
