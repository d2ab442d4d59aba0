package kubernetes

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"kuberunner/common"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

// statuses is what the scripted kubelet reports for one pod: each entry is
// one pod version the watch delivers, as container statuses by name.
type statuses []map[string]corev1.ContainerStatus

// attemptScript is the kubelet's behaviour for one attempt: the versions it
// reports after the create, and those it still reports after the delete,
// before the pod is gone.
type attemptScript struct {
	created, deleting statuses
	// deletedBySomeoneElse: after the created versions, the pod vanishes.
	deletedBySomeoneElse bool
}

func waitingFor(reason, msg string) corev1.ContainerStatus {
	return corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
}

func isRunning() corev1.ContainerStatus {
	return corev1.ContainerStatus{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func creating() corev1.ContainerStatus { return waitingFor("ContainerCreating", "") }

// fakeCluster is a clientset whose pod creates and deletes drive a fake
// watch the way the kubelet and the API server would drive the real one.
type fakeCluster struct {
	*fake.Clientset
	watch   *watch.FakeWatcher
	scripts []attemptScript
	mu      sync.Mutex
	pods    []*corev1.Pod // as created, in order
	rv      int
}

func newFakeCluster(scripts ...attemptScript) *fakeCluster {
	fc := &fakeCluster{Clientset: fake.NewClientset(), watch: watch.NewFakeWithChanSize(1000, false), scripts: scripts}
	fc.PrependReactor("create", "pods", fc.create)
	fc.PrependReactor("delete", "pods", fc.delete)
	return fc
}

func (fc *fakeCluster) create(a k8stesting.Action) (bool, runtime.Object, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	pod := a.(k8stesting.CreateAction).GetObject().(*corev1.Pod).DeepCopy()
	n := len(fc.pods)
	pod.Name = fmt.Sprintf("%s%d", pod.GenerateName, n+1)
	fc.pods = append(fc.pods, pod)
	fc.emit(watch.Added, pod, nil)
	if n < len(fc.scripts) {
		for _, st := range fc.scripts[n].created {
			fc.emit(watch.Modified, pod, st)
		}
		if fc.scripts[n].deletedBySomeoneElse {
			fc.emit(watch.Deleted, pod, nil)
		}
	}
	return true, pod, nil
}

func (fc *fakeCluster) delete(a k8stesting.Action) (bool, runtime.Object, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	name := a.(k8stesting.DeleteAction).GetName()
	for i, pod := range fc.pods {
		if pod.Name != name {
			continue
		}
		if i < len(fc.scripts) {
			for _, st := range fc.scripts[i].deleting {
				fc.emit(watch.Modified, pod, st)
			}
		}
		fc.emit(watch.Deleted, pod, nil)
	}
	return true, nil, nil
}

// emit sends one version of pod with the given statuses; a pod whose
// build and helper both run is in phase Running.
func (fc *fakeCluster) emit(t watch.EventType, pod *corev1.Pod, st map[string]corev1.ContainerStatus) {
	fc.rv++
	p := pod.DeepCopy()
	p.ResourceVersion = fmt.Sprint(fc.rv)
	p.Status.Phase = corev1.PodPending
	for _, c := range p.Spec.Containers {
		if s, ok := st[c.Name]; ok {
			s.Name = c.Name
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, s)
		}
	}
	if st != nil && st[podspec.BuildContainer].State.Running != nil && st[podspec.HelperContainer].State.Running != nil {
		p.Status.Phase = corev1.PodRunning
	}
	fc.watch.Action(t, p)
}

// lineLog records the build log's lines.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(prefix string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, prefix+strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}
func (l *lineLog) Println(args ...any)      { l.add("", args) }
func (l *lineLog) Infoln(args ...any)       { l.add("", args) }
func (l *lineLog) Warningln(args ...any)    { l.add("WARNING: ", args) }
func (l *lineLog) Errorln(args ...any)      { l.add("ERROR: ", args) }
func (l *lineLog) SectionStart(_, _ string) {}
func (l *lineLog) SectionEnd(string)        {}
func (l *lineLog) Stream() io.Writer        { return io.Discard }

func (l *lineLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// testSpec is a job with a build image, the helper and one service.
func testSpec(policies common.PullPolicies) *podspec.JobSpec {
	return &podspec.JobSpec{
		Key: "7-abc", JobID: 7, Runner: "r", Namespace: "ci",
		Containers: []podspec.ContainerSpec{
			{Name: podspec.BuildContainer, Image: "reg/build:1"},
			{Name: podspec.HelperContainer, Image: "reg/helper:1"},
			{Name: "svc-0", Image: "reg/db:1"},
		},
		Policies: map[string]common.PullPolicies{"reg/build:1": policies, "reg/helper:1": policies, "reg/db:1": policies},
	}
}

var (
	up       = map[string]corev1.ContainerStatus{podspec.BuildContainer: isRunning(), podspec.HelperContainer: isRunning(), "svc-0": isRunning()}
	starting = map[string]corev1.ContainerStatus{podspec.BuildContainer: creating(), podspec.HelperContainer: creating(), "svc-0": creating()}
)

func with(base map[string]corev1.ContainerStatus, name string, st corev1.ContainerStatus) map[string]corev1.ContainerStatus {
	out := map[string]corev1.ContainerStatus{}
	for k, v := range base {
		out[k] = v
	}
	out[name] = st
	return out
}

// TestAttemptLoop runs the whole fallback loop against the fake cluster:
// the same code path as on a real one, minus the kubelet.
func TestAttemptLoop(t *testing.T) {
	refused := waitingFor("ErrImagePull", "dial tcp 127.0.0.1:5000: connect: connection refused")
	always, ifnp := common.PullPolicyAlways, common.PullPolicyIfNotPresent
	tests := []struct {
		name     string
		policies common.PullPolicies
		scripts  []attemptScript
		timeout  time.Duration
		reason   common.FailureReason // "" for a pod that starts
		attempts int
		// lastPolicies: each container's policy in the last pod created.
		lastPolicies map[string]corev1.PullPolicy
		inLog        []string
		check        func(t *testing.T, err error)
	}{
		{
			name:     "starts at once",
			policies: common.PullPolicies{always, ifnp},
			scripts:  []attemptScript{{created: statuses{starting, up}}},
			attempts: 1,
		},
		{
			name:     "two images fail in one attempt: one extra pod",
			policies: common.PullPolicies{always, ifnp},
			scripts: []attemptScript{
				{created: statuses{starting, with(with(up, podspec.BuildContainer, refused), "svc-0", refused)}},
				{created: statuses{up}},
			},
			attempts:     2,
			lastPolicies: map[string]corev1.PullPolicy{podspec.BuildContainer: corev1.PullIfNotPresent, podspec.HelperContainer: corev1.PullAlways, "svc-0": corev1.PullIfNotPresent},
			inLog:        []string{`Falling back for image "reg/build:1"`, `Falling back for image "reg/db:1"`},
		},
		{
			name:     "a failure reported only after the delete belongs to the same attempt",
			policies: common.PullPolicies{always, ifnp},
			scripts: []attemptScript{
				{created: statuses{with(starting, podspec.BuildContainer, refused)}, deleting: statuses{with(with(starting, podspec.BuildContainer, refused), podspec.HelperContainer, refused)}},
				{created: statuses{up}},
			},
			attempts:     2,
			lastPolicies: map[string]corev1.PullPolicy{podspec.BuildContainer: corev1.PullIfNotPresent, podspec.HelperContainer: corev1.PullIfNotPresent, "svc-0": corev1.PullAlways},
		},
		{
			name:     "the kubelet's secret-cache error heals, and the job runs",
			policies: common.PullPolicies{always},
			scripts: []attemptScript{{created: statuses{
				with(starting, podspec.BuildContainer, waitingFor("CreateContainerConfigError", "failed to sync secret cache: timed out waiting for the condition")),
				up,
			}}},
			attempts: 1,
			inLog:    []string{"Waiting for the kubelet, which retries this by itself", "failed to sync secret cache"},
		},
		{
			name:     "exhaustion",
			policies: common.PullPolicies{always, ifnp},
			scripts: []attemptScript{
				{created: statuses{with(starting, podspec.BuildContainer, refused)}},
				{created: statuses{with(starting, podspec.BuildContainer, waitingFor("ErrImagePull", "not found"))}},
			},
			reason:   common.ImagePullFailure,
			attempts: 2,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, pull.ErrPoliciesExhausted)
				var ipe *pull.ImagePullError
				require.ErrorAs(t, err, &ipe)
				assert.Equal(t, "reg/build:1", ipe.Image)
			},
		},
		{
			name:     "a configuration reason fails at once",
			policies: common.PullPolicies{always, ifnp},
			scripts:  []attemptScript{{created: statuses{with(starting, podspec.BuildContainer, waitingFor("InvalidImageName", "bad"))}}},
			reason:   common.ConfigurationFailure,
			attempts: 1,
			check: func(t *testing.T, err error) {
				var cce *ContainerConfigError
				require.ErrorAs(t, err, &cce)
			},
		},
		{
			name:     "the pod deleted by someone else",
			policies: common.PullPolicies{always},
			scripts:  []attemptScript{{created: statuses{starting}, deletedBySomeoneElse: true}},
			reason:   common.RunnerSystemFailure,
			attempts: 1,
			check: func(t *testing.T, err error) {
				var ended *PodEndedError
				require.ErrorAs(t, err, &ended)
				assert.Equal(t, "Deleted", ended.Reason)
			},
		},
		{
			name:     "poll_timeout names where the pod is stuck",
			policies: common.PullPolicies{always},
			scripts:  []attemptScript{{created: statuses{starting}}},
			timeout:  50 * time.Millisecond,
			reason:   common.RunnerSystemFailure,
			attempts: 1,
			check: func(t *testing.T, err error) {
				var te *PodStartTimeoutError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, "ContainerCreating", te.Reason)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeCluster(tt.scripts...)
			log := &lineLog{}
			spec := testSpec(tt.policies)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = time.Minute
			}
			created := false
			loop := &attemptLoop{
				client: fc, spec: spec, secrets: podspec.PodSecrets{Variables: "s"}, watch: podwatch.New(fc.watch), log: log,
				pulls: pull.NewManager(spec.Policies, log), timeout: timeout,
				created: func() { created = true },
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			pod, err := loop.run(ctx)
			assert.Equal(t, tt.attempts, loop.stats.attempts, "attempts\n%s", log.text())
			assert.True(t, created)
			if tt.reason == "" {
				require.NoError(t, err, log.text())
				assert.Equal(t, corev1.PodRunning, pod.Status.Phase)
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, &common.BuildError{FailureReason: tt.reason}, err.Error())
			}
			if tt.lastPolicies != nil {
				last := fc.pods[len(fc.pods)-1]
				got := map[string]corev1.PullPolicy{}
				for _, c := range last.Spec.Containers {
					got[c.Name] = c.ImagePullPolicy
				}
				assert.Equal(t, tt.lastPolicies, got)
			}
			for _, want := range tt.inLog {
				assert.Contains(t, log.text(), want)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}
