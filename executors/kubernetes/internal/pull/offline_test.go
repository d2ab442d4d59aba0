package pull

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/common"
)

func TestStartOffline(t *testing.T) {
	const (
		always = common.PullPolicyAlways
		ifnp   = common.PullPolicyIfNotPresent
		never  = common.PullPolicyNever
	)
	for _, tc := range []struct {
		name string
		list common.PullPolicies
		to   common.PullPolicy
		ok   bool
	}{
		{"always then if-not-present", common.PullPolicies{always, ifnp}, ifnp, true},
		{"always then never", common.PullPolicies{always, never}, never, true},
		{"always, always, if-not-present", common.PullPolicies{always, always, ifnp}, ifnp, true},
		{"always alone: nothing to skip to", common.PullPolicies{always}, "", false},
		{"if-not-present first needs no skip", common.PullPolicies{ifnp, always}, "", false},
		{"cluster default is not a known offline policy", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewManager(map[string]common.PullPolicies{"img": tc.list}, nil)
			_, to, ok := m.StartOffline("img")
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.to, to)
			if ok {
				assert.Equal(t, tc.to, m.Policy("img"))
				assert.GreaterOrEqual(t, m.Attempt("img"), 2, "the placer sees a fallback")
			}
		})
	}
	t.Run("only before the first attempt", func(t *testing.T) {
		m := NewManager(map[string]common.PullPolicies{"img": {always, ifnp}}, nil)
		m.StartOffline("img")
		_, _, ok := m.StartOffline("img")
		assert.False(t, ok)
	})
	t.Run("an unknown image", func(t *testing.T) {
		_, _, ok := NewManager(nil, nil).StartOffline("img")
		assert.False(t, ok)
	})
}
