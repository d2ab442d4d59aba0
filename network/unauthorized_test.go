package network

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/test/coordinator"
)

// A 401 is GitLab rejecting the token, like a 403: ErrUnauthorized, not
// retried, for the job request, verify and unregister.
func TestUnauthorized(t *testing.T) {
	for _, call := range apiCalls[:3] {
		t.Run(call.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			srv.Inject(call.endpoint, coordinator.Fault{Status: 401})
			c := newClient(t, srv, nil, runnerToken)

			err := call.do(t, c, nil)

			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.NotErrorIs(t, err, ErrForbidden)
			assert.Len(t, srv.RequestsTo(call.path(0)), 1)
		})
	}
}
