//go:build integration

package commands

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// runDaemonJob runs job through `kuberunner run` and a test coordinator,
// with extra lines in [runners.kubernetes], and returns GitLab's record of
// it once the job is complete.
func runDaemonJob(t *testing.T, ns, image string, job common.Job, extra ...string) coordinator.JobRecord {
	t.Helper()
	clustertest.NeedRegistry(t)
	srv := coordinator.New(t, "tok")
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, image, extra...)
	require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 },
		4*time.Minute, 100*time.Millisecond, "job %d never completed", id)
	rec, _ := srv.Job(id)
	t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

// Must show 1: an image with bash runs the script in bash, so `[[ ]]`,
// arrays and `source` work; a busybox-only image runs the same script in
// sh, and the log says which.
func TestShellBashElseSh(t *testing.T) {
	script := []string{
		`printf 'X=from-file\n' > vars.sh`,
		`source ./vars.sh`,
		`arr=(one two three)`,
		`[[ ${#arr[@]} -eq 3 && $X == from-file ]]`,
		`echo "bash-ok ${arr[2]} $X"`,
	}
	tests := []struct {
		name  string
		image func(t *testing.T) string
		shell string
		ok    bool
	}{
		{"debian has bash", func(t *testing.T) string { return clustertest.Debian(t) }, "Running the script with bash 5.", true},
		{"busybox has only sh", func(*testing.T) string { return localcluster.BusyboxImage }, "Running the script with sh: the image has no bash", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := runDaemonJob(t, clustertest.Namespace(t), tt.image(t), daemonJob(script...))
			trace := string(rec.Trace)
			assert.Contains(t, trace, tt.shell)
			if tt.ok {
				assert.Equal(t, "success", rec.State)
				assert.Contains(t, trace, "bash-ok three from-file")
			}
		})
	}
}

// Must show 2, first half: under the default profile (baseline) a root job
// on Debian changes owners, adds a user, switches to it with su, and runs
// apt-get update, which drops privileges to _apt (the `seteuid 42 failed`
// of a pod without capabilities). The local file repository keeps apt off
// the network.
func TestDefaultProfileRootTools(t *testing.T) {
	script := []string{
		`id -u`,
		`useradd --create-home someuser`,
		`touch owned && chown someuser:someuser owned && echo "owner=$(stat -c %U owned)"`,
		`su -c id someuser`,
		`mkdir -p /repo && : > /repo/Packages`,
		`echo 'deb [trusted=yes] file:/repo ./' > /tmp/local.list`,
		`apt-get -o Dir::Etc::SourceList=/tmp/local.list -o Dir::Etc::SourceParts=/dev/null update`,
		`echo root-tools-ok`,
	}
	rec := runDaemonJob(t, clustertest.Namespace(t), clustertest.Debian(t), daemonJob(script...))
	trace := string(rec.Trace)
	assert.Equal(t, "success", rec.State)
	assert.Contains(t, trace, `Security profile "baseline"`)
	assert.Contains(t, trace, "owner=someuser")
	assert.Regexp(t, `uid=[0-9]+\(someuser\)`, trace)
	assert.Contains(t, trace, "root-tools-ok")
	assert.NotContains(t, trace, "seteuid")
}

// restrictedNamespace is a test namespace whose PodSecurity admission
// enforces the "restricted" standard.
func restrictedNamespace(t *testing.T) string {
	ns := clustertest.Namespace(t)
	cs, _ := clustertest.Client(t)
	patch := []byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted","pod-security.kubernetes.io/enforce-version":"latest"}}}`)
	_, err := cs.CoreV1().Namespaces().Patch(context.Background(), ns, "application/merge-patch+json", patch, metav1.PatchOptions{})
	require.NoError(t, err)
	return ns
}

// Must show 2, second half: security_profile = "restricted" with a non-root
// user for the build container gives pods that a namespace enforcing Pod
// Security "restricted" admits, whether the user is the pod's (the helper
// shares it) or the build container's alone (the helper runs as the
// profile's non-root user).
func TestRestrictedProfileInRestrictedNamespace(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "restricted-run"))
	tests := []struct {
		name  string
		extra []string
	}{
		{"the pod's user", []string{`security_profile = "restricted"`, `[runners.kubernetes.pod_security_context]`, `run_as_user = 1000`, `run_as_group = 1000`}},
		{"the build container's user", []string{`security_profile = "restricted"`, `[runners.kubernetes.build_container_security_context]`, `run_as_user = 1000`, `run_as_group = 1000`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := daemonJob(`echo "uid=$(id -u)"`, `echo "written=$((600+66))" > "$CI_PROJECT_DIR/f"`, `cat "$CI_PROJECT_DIR/f"`)
			rec := runDaemonJob(t, restrictedNamespace(t), img, job, tt.extra...)
			trace := string(rec.Trace)
			assert.Equal(t, "success", rec.State)
			assert.Contains(t, trace, `Security profile "restricted"`)
			assert.Contains(t, trace, "uid=1000")
			assert.Contains(t, trace, "written=666", "the build user writes its project directory")
		})
	}
}

// Must show 3, second half: after_script reads CI_JOB_STATUS, the job's
// result so far, for a job that succeeds and one that fails; the script
// itself sees running.
func TestAfterScriptJobStatus(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "job-status"))
	tests := []struct {
		name, last, want, state string
	}{
		{"success", "true", "after=success", "success"},
		{"failed", "exit 1", "after=failed", "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := daemonJob(`echo "during=$CI_JOB_STATUS"`, tt.last)
			job.Steps = append(job.Steps, common.Step{Name: common.StepAfterScript, Script: []string{`echo "after=$CI_JOB_STATUS"`}, When: common.WhenAlways})
			rec := runDaemonJob(t, clustertest.Namespace(t), img, job)
			trace := string(rec.Trace)
			assert.Equal(t, tt.state, rec.State)
			assert.Contains(t, trace, "during=running")
			assert.Contains(t, trace, tt.want)
		})
	}
}
