package kubernetes

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

// recordedWaits replaces the backoff timer: it records each wait and
// returns at once, or fails like a cancelled job.
type recordedWaits struct {
	mu  sync.Mutex
	ds  []time.Duration
	err error
}

func (r *recordedWaits) wait(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ds = append(r.ds, d)
	return r.err
}

// TestPullRetry runs the attempt loop on the fake cluster with messages the
// kubelet really writes, and checks what each class leads to.
func TestPullRetry(t *testing.T) {
	const pulling = `failed to pull and unpack image "reg/build:1": failed to resolve reference "reg/build:1": pulling from host reg failed with status code [manifests 1]: `
	throttled := waitingFor("ErrImagePull", pulling+"429 Too Many Requests")
	denied := waitingFor("ErrImagePull", pulling+"401 Unauthorized")
	refused := waitingFor("ErrImagePull", "dial tcp 127.0.0.1:5000: connect: connection refused")
	always, ifnp := common.PullPolicyAlways, common.PullPolicyIfNotPresent
	fails := func(st corev1.ContainerStatus) attemptScript {
		return attemptScript{created: statuses{with(starting, podspec.BuildContainer, st)}}
	}
	ok := attemptScript{created: statuses{up}}
	tests := []struct {
		name     string
		rules    pull.Rules
		scripts  []attemptScript
		waitErr  error
		reason   common.FailureReason // "" for a pod that starts
		attempts int
		// buildPolicies is the build container's policy in each pod.
		buildPolicies []corev1.PullPolicy
		waits         int
		fallbacks     float64 // always → if-not-present
		inLog, notLog []string
		check         func(t *testing.T, err error)
	}{
		{
			name: "429 twice, then served: the same policy three times", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{fails(throttled), fails(throttled), ok}, attempts: 3, waits: 2,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullAlways, corev1.PullAlways},
			inLog: []string{
				`Pull failure of image "reg/build:1" is transient: the registry or the kubelet asked to slow down, failed for now, timed out or cut the transfer: retry 1 of 2 with pull policy "always" (attempt 2)`,
				`retry 2 of 2 with pull policy "always" (attempt 3)`,
				"before the next attempt, so that the registry can recover",
			},
			notLog: []string{"Falling back"},
		},
		{
			name: "429 past the budget falls back", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{fails(throttled), fails(throttled), fails(throttled), ok}, attempts: 4, waits: 2, fallbacks: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullAlways, corev1.PullAlways, corev1.PullIfNotPresent},
			inLog:         []string{`its 2 retries with pull policy "always" are spent; falling back`, `Falling back for image "reg/build:1": attempt 4 will use pull policy "if-not-present"`},
		},
		{
			name: "a budget of 0 is today's behaviour", rules: pull.Rules{},
			scripts: []attemptScript{fails(throttled), ok}, attempts: 2, fallbacks: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent},
		},
		{
			name: "unreachable falls back without a wait", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{fails(refused), ok}, attempts: 2, fallbacks: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent},
			inLog:         []string{`Pull failure of image "reg/build:1" is unreachable: the registry could not be reached: falling back`},
		},
		{
			name: "denied ends the job and runs no cached copy", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{fails(denied), ok}, attempts: 1, reason: common.ImagePullFailure,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways},
			inLog:         []string{`Pull failure of image "reg/build:1" is denied`},
			notLog:        []string{"Falling back"},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, pull.ErrPullDenied)
				var de *pull.DeniedError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "reg/build:1", de.Image)
				assert.Contains(t, err.Error(), "pull_policy_fallback_on_denied = true")
			},
		},
		{
			name: "denied falls back when the runner allows it", rules: pull.Rules{FallbackOnDenied: true},
			scripts: []attemptScript{fails(denied), ok}, attempts: 2, fallbacks: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent},
		},
		{
			name: "a rate-limited build and an unreachable service: one pod for both", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{
				{created: statuses{with(with(starting, podspec.BuildContainer, throttled), "svc-0", refused)}},
				ok,
			},
			attempts: 2, waits: 1, fallbacks: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways, corev1.PullAlways},
		},
		{
			name: "the job ending during the wait ends the loop", rules: pull.Rules{RetryBudget: 2},
			scripts: []attemptScript{fails(throttled), ok}, waitErr: context.Canceled, attempts: 1, waits: 1,
			buildPolicies: []corev1.PullPolicy{corev1.PullAlways},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, context.Canceled)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := map[string]string{"from_policy": "always", "to_policy": "if-not-present", "cause": causePullFailure}
			before := gathered(t, "kuberunner_pull_fallbacks_total", fb)
			jobsBefore := gathered(t, "kuberunner_job_pod_attempts", nil)
			detectBefore := gathered(t, "kuberunner_pull_failure_detection_seconds", nil)
			retryBefore := gathered(t, "kuberunner_pull_fallback_reaction_seconds", map[string]string{"action": actionRetry})
			transientBefore := gathered(t, "kuberunner_image_pull_failures_total", map[string]string{"reason": "ErrImagePull", "class": "transient", "pull_policy": "always"})
			fc := newFakeCluster(tt.scripts...)
			log := &lineLog{}
			spec := testSpec(common.PullPolicies{always, ifnp})
			pulls := pull.NewManager(spec.Policies, log)
			pulls.SetRules(tt.rules)
			waits := &recordedWaits{err: tt.waitErr}
			loop := &attemptLoop{
				client: fc, spec: spec, secrets: podspec.PodSecrets{Variables: "s"}, watch: podwatch.New(fc.watch), log: log,
				pulls: pulls, timeout: time.Minute, created: func() {},
				retry: pullRetry{backoff: pullRetryBackoff, wait: waits.wait},
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			pod, err := loop.run(ctx)
			assert.Equal(t, tt.attempts, loop.stats.attempts, "attempts\n%s", log.text())
			switch {
			case tt.reason != "":
				assert.ErrorIs(t, err, &common.BuildError{FailureReason: tt.reason}, "%v", err)
			case tt.check == nil:
				require.NoError(t, err, log.text())
				assert.Equal(t, corev1.PodRunning, pod.Status.Phase)
			}
			var got []corev1.PullPolicy
			for _, p := range fc.pods {
				for _, c := range p.Spec.Containers {
					if c.Name == podspec.BuildContainer {
						got = append(got, c.ImagePullPolicy)
					}
				}
			}
			assert.Equal(t, tt.buildPolicies, got, log.text())
			assert.Len(t, waits.ds, tt.waits)
			assert.Equal(t, tt.fallbacks, gathered(t, "kuberunner_pull_fallbacks_total", fb)-before, "fallbacks always → if-not-present")
			assert.Equal(t, 1.0, gathered(t, "kuberunner_job_pod_attempts", nil)-jobsBefore, "one podwatch.Observation per job")
			assert.Equal(t, float64(len(loop.stats.detections)), gathered(t, "kuberunner_pull_failure_detection_seconds", nil)-detectBefore)
			if tt.fallbacks == 0 && tt.reason == "" && tt.waitErr == nil {
				assert.Equal(t, float64(tt.waits), gathered(t, "kuberunner_pull_fallback_reaction_seconds", map[string]string{"action": actionRetry})-retryBefore)
			}
			transient := 0
			for _, sc := range tt.scripts[:tt.attempts] {
				for _, st := range sc.created {
					if w := st[podspec.BuildContainer].State.Waiting; w != nil && w.Message == throttled.State.Waiting.Message {
						transient++
					}
				}
			}
			assert.Equal(t, float64(transient), gathered(t, "kuberunner_image_pull_failures_total",
				map[string]string{"reason": "ErrImagePull", "class": "transient", "pull_policy": "always"})-transientBefore)
			for _, want := range tt.inLog {
				assert.Contains(t, log.text(), want)
			}
			for _, not := range tt.notLog {
				assert.NotContains(t, log.text(), not)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

// Each retry of a policy waits within the range docs/configuration.md
// gives, and the ranges start over with the count.
func TestPullRetryDelayRanges(t *testing.T) {
	retry := pullRetry{backoff: pullRetryBackoff}
	for _, tc := range []struct {
		retry    int
		from, to time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{5, 4 * time.Second, 8 * time.Second},
		{100, 4 * time.Second, 8 * time.Second},
		{0, 500 * time.Millisecond, time.Second}, // counts as the first
	} {
		t.Run(fmt.Sprintf("retry %d", tc.retry), func(t *testing.T) {
			for range 200 {
				d := retry.delay(tc.retry)
				assert.GreaterOrEqual(t, d, tc.from)
				assert.LessOrEqual(t, d, tc.to)
			}
		})
	}
}

// The retries' waits stay under 30 s in all even at the largest budget
// config.toml allows, whatever the jitter draws, so a throttled registry
// costs a job well under its poll_timeout before the fallback.
func TestPullRetryWaitsStayUnder30s(t *testing.T) {
	noJitter := pullRetryBackoff
	noJitter.Jitter = 0
	var least, most time.Duration
	for n := range config.MaxPullRetryBudget {
		d := pullRetry{backoff: noJitter}.delay(n + 1)
		least += d
		most += time.Duration(float64(d) * (1 + pullRetryBackoff.Jitter))
	}
	assert.Less(t, most, 30*time.Second)
	assert.Greater(t, least, time.Duration(0))
}

// Every class the classifier can give reaches the metric's label.
func TestPolicyLabel(t *testing.T) {
	for in, want := range map[common.PullPolicy]string{
		common.PullPolicyAlways: "always", common.PullPolicyIfNotPresent: "if-not-present",
		common.PullPolicyNever: "never", common.PullPolicyDefault: "cluster-default",
	} {
		t.Run(want, func(t *testing.T) { assert.Equal(t, want, policyLabel(in)) })
	}
}

// gathered reads a counter or a histogram's count from the default
// registry, the one `kuberunner run` serves, as a scrape would.
func gathered(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue metrics
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
