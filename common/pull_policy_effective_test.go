package common

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Short names keep the rule table readable.
var (
	always = PullPolicyAlways
	ifnp   = PullPolicyIfNotPresent
	never  = PullPolicyNever
	dflt   = PullPolicyDefault
)

func TestEffectivePullPolicies(t *testing.T) {
	tests := []struct {
		name                 string
		job, runner, allowed PullPolicies
		want                 PullPolicies
		wantErr              *PullPolicyError
	}{
		// Rule 1: the job's list replaces the runner's.
		{name: "job replaces runner", job: PullPolicies{ifnp}, runner: PullPolicies{always, ifnp}, want: PullPolicies{ifnp}},
		{name: "runner list used without job list", runner: PullPolicies{always, ifnp}, want: PullPolicies{always, ifnp}},
		// Rule 2: intersect with allowed, in requested order, repeats kept.
		{name: "allowed filters job", job: PullPolicies{never, ifnp, always}, allowed: PullPolicies{always, ifnp}, want: PullPolicies{ifnp, always}},
		{name: "requested order wins over allowed order", job: PullPolicies{ifnp, always}, allowed: PullPolicies{always, ifnp}, want: PullPolicies{ifnp, always}},
		{name: "repeats kept", job: PullPolicies{always, always, ifnp}, allowed: PullPolicies{always}, want: PullPolicies{always, always}},
		{name: "allowed defaults to runner pull_policy", job: PullPolicies{never, always}, runner: PullPolicies{always}, want: PullPolicies{always}},
		{name: "allowed does not default when set", job: PullPolicies{never}, runner: PullPolicies{always}, allowed: PullPolicies{never}, want: PullPolicies{never}},
		{name: "runner list filtered by allowed", runner: PullPolicies{always, never}, allowed: PullPolicies{never}, want: PullPolicies{never}},
		{name: "job list unrestricted when runner and allowed are empty", job: PullPolicies{never, always}, want: PullPolicies{never, always}},
		// Rule 3: neither job nor runner.
		{name: "neither: allowed used", allowed: PullPolicies{ifnp, always}, want: PullPolicies{ifnp, always}},
		{name: "neither and no allowed: cluster default", want: PullPolicies{dflt}},
		// Empty intersections.
		{
			name: "job outside allowed", job: PullPolicies{ifnp}, allowed: PullPolicies{always},
			wantErr: &PullPolicyError{Image: "alpine", Requested: PullPolicies{ifnp}, RequestedFrom: FromJob, Allowed: PullPolicies{always}, AllowedFrom: FromAllowedPullPolicies},
		},
		{
			name: "job outside runner pull_policy used as allowed", job: PullPolicies{never}, runner: PullPolicies{always, ifnp},
			wantErr: &PullPolicyError{Image: "alpine", Requested: PullPolicies{never}, RequestedFrom: FromJob, Allowed: PullPolicies{always, ifnp}, AllowedFrom: FromPullPolicyAsAllowed},
		},
		{
			name: "runner outside allowed", runner: PullPolicies{never}, allowed: PullPolicies{always},
			wantErr: &PullPolicyError{Image: "alpine", Requested: PullPolicies{never}, RequestedFrom: FromRunnerConfig, Allowed: PullPolicies{always}, AllowedFrom: FromAllowedPullPolicies},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EffectivePullPolicies("alpine", tt.job, tt.runner, tt.allowed)
			if tt.wantErr != nil {
				var ppe *PullPolicyError
				require.ErrorAs(t, err, &ppe)
				assert.Equal(t, tt.wantErr, ppe)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.NotEmpty(t, got)
		})
	}
}

func TestEffectivePullPoliciesDoesNotAlias(t *testing.T) {
	runner := PullPolicies{always, ifnp}
	got, err := EffectivePullPolicies("alpine", nil, runner, nil)
	require.NoError(t, err)
	got[0] = never
	assert.Equal(t, PullPolicies{always, ifnp}, runner)

	allowed := PullPolicies{ifnp}
	got, err = EffectivePullPolicies("alpine", nil, nil, allowed)
	require.NoError(t, err)
	got[0] = never
	assert.Equal(t, PullPolicies{ifnp}, allowed)
}

func TestPullPolicyErrorMessage(t *testing.T) {
	_, err := EffectivePullPolicies("registry.example.com/app:1", PullPolicies{ifnp}, nil, PullPolicies{always, never})
	assert.EqualError(t, err, `image "registry.example.com/app:1": none of the pull policies ["if-not-present"] from job is allowed by ["always", "never"] from runner config allowed_pull_policies`)
}
