package pull

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func classed(image, container string, c Class) *ImagePullError {
	return &ImagePullError{Image: image, Container: container, Reason: "ErrImagePull", Message: "msg", Class: c}
}

// TestReactByClass runs one image through a sequence of failures and
// checks, after each, what the manager decided and wrote.
func TestReactByClass(t *testing.T) {
	type step struct {
		class    Class
		retry    int               // Reaction.Retry
		fallback *Fallback         // the one expected fallback, if any
		policy   common.PullPolicy // Policy after the step
		attempt  int               // Attempt after the step: the policy's place, retries not counted
		lines    []string
		err      error // matched with errors.Is
	}
	tests := []struct {
		name  string
		list  common.PullPolicies
		rules Rules
		steps []step
	}{
		{
			name: "transient retries the same policy, then falls back", list: common.PullPolicies{always, ifnp},
			rules: Rules{RetryBudget: 2},
			steps: []step{
				{class: ClassTransient, retry: 1, policy: always, attempt: 1, lines: []string{
					`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
					`Pull failure of image "img" is transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer: retry 1 of 2 with pull policy "always" (attempt 2)`,
				}},
				{class: ClassTransient, retry: 2, policy: always, attempt: 1, lines: []string{
					`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
					`Pull failure of image "img" is transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer: retry 2 of 2 with pull policy "always" (attempt 3)`,
				}},
				{class: ClassTransient, fallback: &Fallback{Image: "img", From: always, To: ifnp}, policy: ifnp, attempt: 2, lines: []string{
					`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
					`Pull failure of image "img" is transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer: its 2 retries with pull policy "always" are spent; falling back`,
					`Falling back for image "img": attempt 4 will use pull policy "if-not-present" (no more after this)`,
				}},
				// The budget starts again at the next policy.
				{class: ClassTransient, retry: 1, policy: ifnp, attempt: 2},
			},
		},
		{
			name: "a budget of 0 falls back at once", list: common.PullPolicies{always, ifnp},
			steps: []step{{class: ClassTransient, fallback: &Fallback{Image: "img", From: always, To: ifnp}, policy: ifnp, attempt: 2}},
		},
		{
			name: "unreachable falls back without retrying", list: common.PullPolicies{always, ifnp},
			rules: Rules{RetryBudget: 2},
			steps: []step{{class: ClassUnreachable, fallback: &Fallback{Image: "img", From: always, To: ifnp}, policy: ifnp, attempt: 2, lines: []string{
				`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
				`Pull failure of image "img" is unreachable: the registry could not be reached: falling back`,
				`Falling back for image "img": attempt 2 will use pull policy "if-not-present" (no more after this)`,
			}}},
		},
		{
			name: "absent falls back", list: common.PullPolicies{always, ifnp}, rules: Rules{RetryBudget: 2},
			steps: []step{{class: ClassAbsent, fallback: &Fallback{Image: "img", From: always, To: ifnp}, policy: ifnp, attempt: 2}},
		},
		{
			name: "denied ends the job by default", list: common.PullPolicies{always, ifnp}, rules: Rules{RetryBudget: 2},
			steps: []step{{class: ClassDenied, policy: always, attempt: 1, err: ErrPullDenied, lines: []string{
				`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
				`Pull failure of image "img" is denied: the registry refused the credentials: not falling back to a copy the node may hold (pull_policy_fallback_on_denied is off)`,
			}}},
		},
		{
			name: "denied falls back when allowed", list: common.PullPolicies{always, ifnp}, rules: Rules{FallbackOnDenied: true},
			steps: []step{{class: ClassDenied, fallback: &Fallback{Image: "img", From: always, To: ifnp}, policy: ifnp, attempt: 2, lines: []string{
				`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
				`Pull failure of image "img" is denied: the registry refused the credentials: falling back, as pull_policy_fallback_on_denied allows`,
				`Falling back for image "img": attempt 2 will use pull policy "if-not-present" (no more after this)`,
			}}},
		},
		{
			name: "transient on the last policy retries, then exhausts", list: common.PullPolicies{always}, rules: Rules{RetryBudget: 1},
			steps: []step{
				{class: ClassTransient, retry: 1, policy: always, attempt: 1},
				{class: ClassTransient, policy: always, attempt: 1, err: ErrPoliciesExhausted, lines: []string{
					`WARNING: Failed to pull image "img" for container "build" with pull policy "always": ErrImagePull: msg`,
					`Pull failure of image "img" is transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer: no pull policy is left`,
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &recordLog{}
			m := NewManager(map[string]common.PullPolicies{"img": tt.list}, log)
			m.SetRules(tt.rules)
			for i, s := range tt.steps {
				r, err := m.React(classed("img", "build", s.class))
				if s.err != nil {
					require.ErrorIs(t, err, s.err, "step %d", i)
				} else {
					require.NoError(t, err, "step %d", i)
				}
				assert.Equal(t, s.retry, r.Retry, "step %d retry", i)
				if s.fallback != nil {
					assert.Equal(t, []Fallback{*s.fallback}, r.Fallbacks, "step %d", i)
				} else {
					assert.Empty(t, r.Fallbacks, "step %d", i)
				}
				assert.Equal(t, s.policy, m.Policy("img"), "step %d policy", i)
				assert.Equal(t, s.attempt, m.Attempt("img"), "step %d attempt", i)
				lines := log.take()
				if s.lines != nil {
					assert.Equal(t, s.lines, lines, "step %d", i)
				}
			}
		})
	}
}

// One image retries while another falls back in the same attempt; a
// denied image ends the job and silences the others' plans.
func TestReactSeveralImages(t *testing.T) {
	t.Run("retry and fallback together", func(t *testing.T) {
		m := NewManager(map[string]common.PullPolicies{"a": {always, ifnp}, "b": {always, ifnp}}, nil)
		m.SetRules(Rules{RetryBudget: 2})
		r, err := m.React(classed("a", "build", ClassTransient), classed("b", "svc-0", ClassUnreachable))
		require.NoError(t, err)
		assert.Equal(t, 1, r.Retry)
		assert.Equal(t, []Fallback{{Image: "b", From: always, To: ifnp}}, r.Fallbacks)
		assert.Equal(t, always, m.Policy("a"))
		assert.Equal(t, ifnp, m.Policy("b"))
	})
	t.Run("one denied container of an image is enough", func(t *testing.T) {
		log := &recordLog{}
		m := NewManager(map[string]common.PullPolicies{"a": {always, ifnp}, "b": {always, ifnp}}, log)
		m.SetRules(Rules{RetryBudget: 2})
		_, err := m.React(classed("b", "svc-0", ClassTransient), classed("a", "build", ClassDenied), classed("a", "svc-1", ClassTransient))
		var de *DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "a", de.Image)
		assert.Equal(t, always, de.Policy)
		var ipe *ImagePullError
		require.True(t, errors.As(err, &ipe))
		assert.Equal(t, "svc-1", ipe.Container, "Last is the image's last failure")
		assert.Equal(t, `image "a": the registry denied the pull with pull policy "always"; kuberunner does not fall back to a copy the node may hold, `+
			`because the job's credentials may not pull it (set pull_policy_fallback_on_denied = true in [runners.kubernetes] to allow it): ErrImagePull: msg`, err.Error())
		lines := log.take()
		require.Len(t, lines, 4, "three warnings and the denied line: b's retry is never announced")
		assert.Contains(t, lines[3], `Pull failure of image "a" is denied`)
	})
}

func TestDeniedErrorUnwrapNil(t *testing.T) {
	var ipe *ImagePullError
	err := error(&DeniedError{Image: "x", Policy: always})
	assert.False(t, errors.As(err, &ipe))
	assert.ErrorIs(t, err, ErrPullDenied)
	assert.NotErrorIs(t, err, ErrPoliciesExhausted)
}

// What credentials went with a pull is in every line and error about it:
// the warning, a denial that ends the job, and the last failure of an
// image whose policies are spent.
func TestSentCredentialsInMessages(t *testing.T) {
	tests := []struct {
		name  string
		class Class
		sent  string
		want  string // the error
	}{
		{
			name: "denied without credentials", class: ClassDenied, sent: "no credentials were sent for 127.0.0.1:5008",
			want: `image "a": the registry denied the pull with pull policy "always"; kuberunner does not fall back to a copy the node may hold, ` +
				`because the job's credentials may not pull it (set pull_policy_fallback_on_denied = true in [runners.kubernetes] to allow it): ` +
				`ErrImagePull: msg (no credentials were sent for 127.0.0.1:5008)`,
		},
		{
			name: "denied with credentials", class: ClassDenied, sent: "credentials for 127.0.0.1:5008 from the job payload were sent",
			want: `(credentials for 127.0.0.1:5008 from the job payload were sent)`,
		},
		{
			name: "unreachable to the end", class: ClassUnreachable, sent: "credentials for 127.0.0.1:5008 from DOCKER_AUTH_CONFIG (job variable) were sent",
			want: `image "a": all pull policies failed (tried "always"): ErrImagePull: msg (credentials for 127.0.0.1:5008 from DOCKER_AUTH_CONFIG (job variable) were sent)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &recordLog{}
			m := NewManager(map[string]common.PullPolicies{"a": {always}}, log)
			f := classed("a", "build", tt.class)
			f.Sent = tt.sent
			_, err := m.React(f)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			lines := log.take()
			require.NotEmpty(t, lines)
			assert.Equal(t, `WARNING: Failed to pull image "a" for container "build" with pull policy "always": ErrImagePull: msg (`+tt.sent+`)`, lines[0])
		})
	}
}
