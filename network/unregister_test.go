package network

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// Unregister sends DELETE /api/v4/runners with the token in its JSON body
// and reads GitLab's answer: 204 deleted, 403 unknown token; 5xx is
// retried, and only a 204 makes the coordinator forget the token.
func TestUnregister(t *testing.T) {
	for _, tc := range []struct {
		name      string
		token     string
		faults    []coordinator.Fault
		check     func(t *testing.T, err error)
		wantHits  int
		wantKnown bool
	}{
		{name: "204", wantHits: 1, check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "403", token: "glrt-unknown", wantHits: 1, wantKnown: true,
			check: func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrForbidden) }},
		{name: "502 then 204", wantHits: 2, faults: []coordinator.Fault{{Status: 502}},
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "500 until give up", wantHits: DefaultMaxAttempts, wantKnown: true, faults: []coordinator.Fault{{Status: 500, Times: 99}},
			check: func(t *testing.T, err error) {
				var gu *GiveUpError
				assert.ErrorAs(t, err, &gu)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			for _, f := range tc.faults {
				srv.Inject(coordinator.EndpointUnregister, f)
			}
			token := runnerToken
			if tc.token != "" {
				token = tc.token
			}
			c := newClient(t, srv, nil, token)
			err := c.Unregister(t.Context())
			tc.check(t, err)
			if err != nil {
				assert.NotContains(t, err.Error(), token)
			}
			reqs := srv.RequestsTo(coordinator.PathRunners)
			require.Len(t, reqs, tc.wantHits)
			assert.Equal(t, http.MethodDelete, reqs[0].Method)
			var body map[string]string
			require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
			assert.Equal(t, map[string]string{"token": token}, body)
			assert.Equal(t, tc.wantKnown, srv.HasRunner(runnerToken))
			assert.Empty(t, srv.Violations())
		})
	}
}
