//go:build integration

package commands

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// The secrets of the service test: neither may reach the service.
const (
	maskedSecret  = "s3cr3t-masked-value"
	projectSecret = "project-only-value"
)

// waitJob waits until the coordinator holds job id's final report.
func waitJob(t *testing.T, srv *coordinator.Server, id int64) coordinator.JobRecord {
	t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(t, func() bool { rec, _ = srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 50*time.Millisecond)
	return rec
}

// variablesImage is a busybox image the node holds, and the helper image.
func variablesImage(t *testing.T, base string) string {
	img := clustertest.Push(t, clustertest.UniqueImage(t, base))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	return img
}

// A job's variables as GitLab Runner gives them: B: "$A/bin" with A: "x"
// is x/bin, C: "$A" marked raw stays $A, and the predefined variables the
// runner sets have their values: CI_PROJECT_DIR under /builds by the
// project's full path, CI_JOB_TIMEOUT from runner_info, the node's
// architecture, and the job's slot.
func TestRunVariablesExpanded(t *testing.T) {
	img := variablesImage(t, "run-variables")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob(
		`echo "B=[$B]"`,
		`echo "C=[$C]"`,
		`echo "DIR=[$CI_PROJECT_DIR] PWD=[$(pwd)]"`,
		`echo "TIMEOUT=[$CI_JOB_TIMEOUT]"`,
		`echo "ARCH=[$CI_RUNNER_EXECUTABLE_ARCH]"`,
		`echo "SLOT=[$CI_CONCURRENT_ID/$CI_CONCURRENT_PROJECT_ID]"`,
		`echo "PIP=[$PIP_CACHE_DIR]"`,
	)
	job.JobInfo.ProjectID = 42
	job.RunnerInfo.Timeout = 600
	job.Variables = common.JobVariables{
		{Key: "CI_PROJECT_PATH", Value: "group/sub/project", Public: true},
		{Key: "B", Value: "$A/bin", Public: true},
		{Key: "A", Value: "x", Public: true},
		{Key: "C", Value: "$A", Public: true, Raw: true},
		{Key: "PIP_CACHE_DIR", Value: "$CI_PROJECT_DIR/.cache/pip", Public: true},
	}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img)

	rec := waitJob(t, srv, id)
	trace := string(rec.Trace)
	require.Equal(t, "success", rec.State, "trace:\n%s", trace)
	for _, want := range []string{
		"B=[x/bin]",
		"C=[$A]",
		"DIR=[/builds/group/sub/project] PWD=[/builds/group/sub/project]",
		"TIMEOUT=[600]",
		"ARCH=[linux/" + runtime.GOARCH + "]", // the one-node cluster runs on this machine
		"SLOT=[0/0]",
		"PIP=[/builds/group/sub/project/.cache/pip]",
	} {
		assert.Contains(t, trace, want)
	}
}

// A service's own variables reach its container, with the job's public
// variables; the job's masked and other secret variables do not, neither
// in the service's environment nor anywhere in the pod spec. The service
// prints its environment, and the test reads it from the container's log
// through the API while the job waits.
func TestRunServiceVariables(t *testing.T) {
	img := variablesImage(t, "run-svc-vars")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob(
		`echo "job-$((1+1))-ready"`,
		"i=0; while [ ! -e /builds/test-done ] && [ $i -lt 300 ]; do sleep 1; i=$((i+1)); done",
	)
	job.Variables = common.JobVariables{
		{Key: "PUB", Value: "shared-public", Public: true},
		{Key: "MASKED_SECRET", Value: maskedSecret, Masked: true},
		{Key: "PROJECT_SECRET", Value: projectSecret},
		{Key: "DERIVED", Value: "x-$PROJECT_SECRET", Public: true},
	}
	job.Services = []common.Image{{
		Name:    img,
		Command: []string{"sh", "-c", "env; echo env-done; exec sleep 3600"},
		Variables: common.JobVariables{
			{Key: "S", Value: "v"},
			{Key: "LEAK", Value: "[$MASKED_SECRET$PROJECT_SECRET]"},
		},
	}}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img)
	waitTrace(t, srv, id, "job-2-ready")

	pod := jobPod(t, ns)
	env := containerLog(t, ns, pod.Name, "svc-0", "env-done")
	lines := strings.Split(env, "\n")
	assert.Contains(t, lines, "S=v")
	assert.Contains(t, lines, "PUB=shared-public", "GitLab Runner gives services the job's public variables")
	assert.Contains(t, lines, "LEAK=[]", "a reference to a secret is empty in a service")
	assert.NotContains(t, env, "DERIVED=", "a public variable that took in a secret stays secret")
	assert.NotContains(t, env, maskedSecret)
	assert.NotContains(t, env, projectSecret)

	for _, c := range pod.Spec.Containers {
		if c.Name == "svc-0" {
			assert.Empty(t, c.EnvFrom, "a service never reads the job's Secret")
		}
	}
	spec, err := json.Marshal(pod.Spec)
	require.NoError(t, err)
	assert.NotContains(t, string(spec), maskedSecret)
	assert.NotContains(t, string(spec), projectSecret)

	_, stderr, code := clustertest.Exec(t, ns, pod.Name, "build", []string{"touch", "/builds/test-done"}, nil)
	require.Equal(t, 0, code, stderr)
	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	assert.NotContains(t, string(rec.Trace), maskedSecret)
}

// image:kubernetes:user 1234:1234 runs the build container as that user.
func TestRunImageUser(t *testing.T) {
	img := variablesImage(t, "run-image-user")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob(`echo "uid=[$(id -u)] gid=[$(id -g)]"`)
	job.Image = common.Image{Name: img, ExecutorOptions: common.ImageExecutorOptions{
		Kubernetes: common.ImageUserOptions{User: "1234:1234"},
	}}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img)

	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	assert.Contains(t, string(rec.Trace), "uid=[1234] gid=[1234]")
}

// jobPod is the one running job pod in ns.
func jobPod(t *testing.T, ns string) *corev1.Pod {
	t.Helper()
	cs, _ := clustertest.Client(t)
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"})
	require.NoError(t, err)
	require.Len(t, pods.Items, 1)
	return &pods.Items[0]
}

// containerLog waits until a container's log holds until, and returns it.
func containerLog(t *testing.T, ns, pod, container, until string) string {
	t.Helper()
	cs, _ := clustertest.Client(t)
	var log string
	require.Eventually(t, func() bool {
		raw, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container}).DoRaw(context.Background())
		log = string(raw)
		return err == nil && strings.Contains(log, until)
	}, time.Minute, 200*time.Millisecond, "the log of %s never showed %q", container, until)
	return log
}
