package pull

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

// recordLog keeps the lines in order, prefixed by level.
type recordLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordLog) Warningln(args ...any) { l.add("WARNING: ", args) }
func (l *recordLog) Infoln(args ...any)    { l.add("", args) }

func (l *recordLog) add(prefix string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, prefix+strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

func (l *recordLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

const (
	always = common.PullPolicyAlways
	ifnp   = common.PullPolicyIfNotPresent
	never  = common.PullPolicyNever
	dflt   = common.PullPolicyDefault
)

func pullErr(image, container string) *ImagePullError {
	return &ImagePullError{Image: image, Container: container, Reason: "ErrImagePull", Message: "rpc error: not found"}
}

func TestManagerSequence(t *testing.T) {
	log := &recordLog{}
	m := NewManager(map[string]common.PullPolicies{"alpine": {always, ifnp, never}}, log)

	assert.Equal(t, always, m.Policy("alpine"))
	assert.Equal(t, 1, m.Attempt("alpine"))

	require.NoError(t, m.Fail(pullErr("alpine", "build")))
	assert.Equal(t, ifnp, m.Policy("alpine"))
	assert.Equal(t, 2, m.Attempt("alpine"))
	assert.Equal(t, []string{
		`WARNING: Failed to pull image "alpine" for container "build" with pull policy "always": ErrImagePull: rpc error: not found`,
		`Falling back for image "alpine": attempt 2 will use pull policy "if-not-present" (1 more after this)`,
	}, log.take())

	require.NoError(t, m.Fail(pullErr("alpine", "build")))
	assert.Equal(t, never, m.Policy("alpine"))
	assert.Equal(t, 3, m.Attempt("alpine"))
	assert.Equal(t, []string{
		`WARNING: Failed to pull image "alpine" for container "build" with pull policy "if-not-present": ErrImagePull: rpc error: not found`,
		`Falling back for image "alpine": attempt 3 will use pull policy "never" (no more after this)`,
	}, log.take())

	last := &ImagePullError{Image: "alpine", Container: "build", Reason: "ErrImageNeverPull", Message: "image not present with pull policy of Never"}
	err := m.Fail(last)
	require.Error(t, err)
	assert.Equal(t, []string{
		`WARNING: Failed to pull image "alpine" for container "build" with pull policy "never": ErrImageNeverPull: image not present with pull policy of Never`,
	}, log.take())
	assert.EqualError(t, err, `image "alpine": all pull policies failed (tried "always", "if-not-present", "never"): ErrImageNeverPull: image not present with pull policy of Never`)
}

func TestManagerTable(t *testing.T) {
	type step struct {
		fail      []*ImagePullError
		exhausted string // image named by the ExhaustedError, "" for nil
		policies  map[string]common.PullPolicy
		attempts  map[string]int
	}
	tests := []struct {
		name  string
		lists map[string]common.PullPolicies
		steps []step
	}{
		{
			name:  "repeat is one retry",
			lists: map[string]common.PullPolicies{"alpine": {always, always}},
			steps: []step{
				{fail: []*ImagePullError{pullErr("alpine", "build")}, policies: map[string]common.PullPolicy{"alpine": always}, attempts: map[string]int{"alpine": 2}},
				{fail: []*ImagePullError{pullErr("alpine", "build")}, exhausted: "alpine"},
			},
		},
		{
			name:  "single policy exhausts at once",
			lists: map[string]common.PullPolicies{"alpine": {never}},
			steps: []step{{fail: []*ImagePullError{pullErr("alpine", "build")}, exhausted: "alpine"}},
		},
		{
			name:  "independent images",
			lists: map[string]common.PullPolicies{"alpine": {always, ifnp}, "postgres:16": {ifnp, always}},
			steps: []step{
				{
					fail:     []*ImagePullError{pullErr("postgres:16", "svc-0")},
					policies: map[string]common.PullPolicy{"alpine": always, "postgres:16": always},
					attempts: map[string]int{"alpine": 1, "postgres:16": 2},
				},
				{
					fail:     []*ImagePullError{pullErr("alpine", "build")},
					policies: map[string]common.PullPolicy{"alpine": ifnp, "postgres:16": always},
					attempts: map[string]int{"alpine": 2, "postgres:16": 2},
				},
			},
		},
		{
			name:  "several containers of one image advance it once",
			lists: map[string]common.PullPolicies{"busybox": {always, ifnp, never}},
			steps: []step{{
				fail:     []*ImagePullError{pullErr("busybox", "svc-0"), pullErr("busybox", "svc-1")},
				policies: map[string]common.PullPolicy{"busybox": ifnp},
				attempts: map[string]int{"busybox": 2},
			}},
		},
		{
			name:  "keyed by the image, whatever the container",
			lists: map[string]common.PullPolicies{"alpine": {always, ifnp}},
			steps: []step{{
				fail:     []*ImagePullError{pullErr("alpine", "build")},
				policies: map[string]common.PullPolicy{"alpine": ifnp},
			}},
		},
		{
			name:  "unknown image gets one cluster-default attempt",
			lists: map[string]common.PullPolicies{},
			steps: []step{{fail: []*ImagePullError{pullErr("other", "x")}, exhausted: "other"}},
		},
		{
			name:  "first exhausted image in the order given",
			lists: map[string]common.PullPolicies{"a": {always}, "b": {always}, "c": {always, never}},
			steps: []step{{
				fail:      []*ImagePullError{pullErr("c", "cc"), pullErr("b", "cb"), pullErr("a", "ca")},
				exhausted: "b",
				policies:  map[string]common.PullPolicy{"c": never},
			}},
		},
		{
			name:  "no errors change nothing",
			lists: map[string]common.PullPolicies{"alpine": {always, ifnp}},
			steps: []step{{fail: []*ImagePullError{nil}, policies: map[string]common.PullPolicy{"alpine": always}, attempts: map[string]int{"alpine": 1}}},
		},
		{
			name:  "stays exhausted",
			lists: map[string]common.PullPolicies{"alpine": {always, ifnp}},
			steps: []step{
				{fail: []*ImagePullError{pullErr("alpine", "build")}},
				{fail: []*ImagePullError{pullErr("alpine", "build")}, exhausted: "alpine", policies: map[string]common.PullPolicy{"alpine": ifnp}, attempts: map[string]int{"alpine": 2}},
				{fail: []*ImagePullError{pullErr("alpine", "build")}, exhausted: "alpine", policies: map[string]common.PullPolicy{"alpine": ifnp}, attempts: map[string]int{"alpine": 2}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewManager(tt.lists, &recordLog{})
			for i, s := range tt.steps {
				err := m.Fail(s.fail...)
				if s.exhausted == "" {
					require.NoError(t, err, "step %d", i)
				} else {
					var ee *ExhaustedError
					require.ErrorAs(t, err, &ee, "step %d", i)
					assert.Equal(t, s.exhausted, ee.Image, "step %d", i)
					assert.ErrorIs(t, err, ErrPoliciesExhausted)
				}
				for img, want := range s.policies {
					assert.Equal(t, want, m.Policy(img), "step %d policy of %s", i, img)
				}
				for img, want := range s.attempts {
					assert.Equal(t, want, m.Attempt(img), "step %d attempt of %s", i, img)
				}
			}
		})
	}
}

func TestExhaustedError(t *testing.T) {
	m := NewManager(map[string]common.PullPolicies{"alpine": {always, always}}, nil) // a nil log is allowed
	require.NoError(t, m.Fail(pullErr("alpine", "build")))
	last := &ImagePullError{Image: "alpine", Container: "build", Reason: "ImagePullBackOff", Message: "Back-off pulling image"}
	err := fmt.Errorf("attempt 2: %w", m.Fail(last))

	assert.ErrorIs(t, err, ErrPoliciesExhausted)
	var ipe *ImagePullError
	require.ErrorAs(t, err, &ipe)
	assert.Same(t, last, ipe)
	var ee *ExhaustedError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, common.PullPolicies{always, always}, ee.Tried)
	assert.EqualError(t, ee, `image "alpine": all pull policies failed (tried "always", "always"): ImagePullBackOff: Back-off pulling image`)

	t.Run("wrapped in a BuildError", func(t *testing.T) {
		be := fmt.Errorf("job: %w", &common.BuildError{Inner: err, FailureReason: common.ImagePullFailure})
		assert.ErrorIs(t, be, ErrPoliciesExhausted)
		require.ErrorAs(t, be, &ipe)
		assert.Equal(t, "ImagePullBackOff", ipe.Reason)
	})
	t.Run("without Last", func(t *testing.T) {
		e := &ExhaustedError{Image: "x", Tried: common.PullPolicies{dflt}}
		assert.EqualError(t, e, `image "x": all pull policies failed (tried (cluster default))`)
		assert.Nil(t, errors.Unwrap(e))
		var ipe *ImagePullError
		assert.False(t, errors.As(e, &ipe))
	})
}

func TestImagePullErrorMessage(t *testing.T) {
	tests := []struct {
		err  *ImagePullError
		want string
	}{
		{pullErr("alpine", "build"), `image "alpine" for container "build": ErrImagePull: rpc error: not found`},
		{&ImagePullError{Image: "a", Container: "c", Reason: "ErrImagePull"}, `image "a" for container "c": ErrImagePull`},
		{&ImagePullError{Image: "a", Container: "c", Message: "boom"}, `image "a" for container "c": boom`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.EqualError(t, tt.err, tt.want)
		})
	}
}

func TestManagerDefaultPolicyLines(t *testing.T) {
	log := &recordLog{}
	m := NewManager(map[string]common.PullPolicies{"alpine": {dflt, always}}, log)
	assert.Equal(t, dflt, m.Policy("alpine"))
	require.NoError(t, m.Fail(pullErr("alpine", "build")))
	assert.Equal(t, []string{
		`WARNING: Failed to pull image "alpine" for container "build" with pull policy (cluster default): ErrImagePull: rpc error: not found`,
		`Falling back for image "alpine": attempt 2 will use pull policy "always" (no more after this)`,
	}, log.take())
}

func TestManagerCopiesLists(t *testing.T) {
	list := common.PullPolicies{always, ifnp}
	m := NewManager(map[string]common.PullPolicies{"alpine": list}, nil)
	list[0] = never
	assert.Equal(t, always, m.Policy("alpine"))
}

// Run with -race: images fail and are queried from many goroutines, as the
// executor's watch and pod builder may do.
func TestManagerConcurrent(t *testing.T) {
	const images = 8
	const policies = 50
	lists := map[string]common.PullPolicies{}
	for i := range images {
		list := make(common.PullPolicies, policies)
		for j := range list {
			list[j] = always
		}
		lists[fmt.Sprintf("img-%d", i)] = list
	}
	log := &recordLog{}
	m := NewManager(lists, log)

	var wg sync.WaitGroup
	for i := range images {
		img := fmt.Sprintf("img-%d", i)
		ctr := fmt.Sprintf("ctr-%d", i)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range policies - 1 {
				_ = m.Policy(img)
				assert.NoError(t, m.Fail(pullErr(img, ctr)))
			}
		}()
		go func() {
			defer wg.Done()
			for range policies {
				_ = m.Attempt(img)
				_ = m.Policy(img)
			}
		}()
	}
	wg.Wait()
	for i := range images {
		assert.Equal(t, policies, m.Attempt(fmt.Sprintf("img-%d", i)))
	}
	assert.Len(t, log.take(), 2*images*(policies-1))
}

// When one image runs out, no further pod follows, so the log must not
// announce a next policy for the others.
func TestNoFallbackLineWhenAnImageIsExhausted(t *testing.T) {
	log := &recordLog{}
	m := NewManager(map[string]common.PullPolicies{"a": {always}, "b": {always, ifnp}}, log)
	err := m.Fail(pullErr("a", "build"), pullErr("b", "svc-0"))
	require.ErrorIs(t, err, ErrPoliciesExhausted)
	require.Len(t, log.lines, 2)
	for _, l := range log.lines {
		require.True(t, strings.HasPrefix(l, "WARNING: Failed to pull image"), l)
	}
}
