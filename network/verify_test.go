package network

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		name     string
		token    string
		faults   []coordinator.Fault
		check    func(t *testing.T, err error)
		wantHits int
	}{
		{name: "200", wantHits: 1, check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "403", token: "wrong", wantHits: 1,
			check: func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrForbidden) }},
		{name: "502 then 200", wantHits: 2, faults: []coordinator.Fault{{Status: 502}},
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "500 until give up", wantHits: DefaultMaxAttempts, faults: []coordinator.Fault{{Status: 500, Times: 99}},
			check: func(t *testing.T, err error) {
				var gu *GiveUpError
				require.ErrorAs(t, err, &gu)
				var se *StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, 500, se.Status)
			}},
		{name: "404 is an error at once", wantHits: 1, faults: []coordinator.Fault{{Status: 404}},
			check: func(t *testing.T, err error) {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, 404, se.Status)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			for _, f := range tc.faults {
				srv.Inject(coordinator.EndpointVerify, f)
			}
			token := runnerToken
			if tc.token != "" {
				token = tc.token
			}
			c := newClient(t, srv, nil, token)
			tc.check(t, c.Verify(t.Context()))
			reqs := srv.RequestsTo(coordinator.PathRunnerVerify)
			require.Len(t, reqs, tc.wantHits)
			var body map[string]string
			require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
			assert.Equal(t, map[string]string{"token": token, "system_id": testSystem}, body)
		})
	}
}
