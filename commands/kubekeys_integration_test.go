//go:build integration

package commands

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
)

// The [runners.kubernetes] keys of issue 22, part 3, that reach the
// kubelet, each through `kuberunner run` on the local cluster.

// staticClaim makes a PersistentVolume on a host directory of the one
// node and binds it to a claim named claim in ns. The local cluster has
// no dynamic provisioner, so both are made by hand and bound to each
// other ahead of time (volumeName and claimRef), with no storage class.
func staticClaim(t *testing.T, ns, claim, hostDir string) {
	t.Helper()
	cs, _ := clustertest.Client(t)
	ctx := context.Background()
	size := resource.MustParse("1Mi")
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-" + claim},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              "",
			ClaimRef:                      &corev1.ObjectReference{Namespace: ns, Name: claim},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: hostDir, Type: ptr.To(corev1.HostPathDirectory),
			}},
		},
	}
	_, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
	})
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: claim, Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: ptr.To(""),
			VolumeName:       pv.Name,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	_, err = cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claim, metav1.GetOptions{})
		return err == nil && got.Status.Phase == corev1.ClaimBound
	}, time.Minute, 200*time.Millisecond, "claim %s/%s never bound to %s", ns, claim, pv.Name)
}

// A pvc volume whose claim name uses ${CI_CONCURRENT_ID}: the job (slot 0)
// mounts kk-pvc-0, reads what the host put in the volume and writes back.
func TestRunKubeKeysPVCVolume(t *testing.T) {
	img := variablesImage(t, "kk-pvc")
	ns := clustertest.Namespace(t)
	hostDir, err := os.MkdirTemp("", "kuberunner-pv-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(hostDir) })
	require.NoError(t, os.Chmod(hostDir, 0o777))
	require.NoError(t, os.WriteFile(filepath.Join(hostDir, "hello.txt"), []byte("from-the-host\n"), 0o644))
	staticClaim(t, ns, "kk-pvc-0", hostDir)

	srv := coordinator.New(t, "tok")
	id := srv.Enqueue(daemonJob(`echo "read=[$(cat /mnt/pv/hello.txt)]"`, `echo written-by-job > /mnt/pv/from-job.txt`))
	startDaemon(t, srv, ns, img,
		"[[runners.kubernetes.volumes.pvc]]",
		`  name = "kk-pvc-${CI_CONCURRENT_ID}"`,
		`  mount_path = "/mnt/pv"`)

	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	assert.Contains(t, string(rec.Trace), "read=[from-the-host]")
	got, err := os.ReadFile(filepath.Join(hostDir, "from-job.txt"))
	require.NoError(t, err, "the job wrote into the claim's volume")
	assert.Equal(t, "written-by-job\n", string(got))
}

// A config_map volume with items: only the listed key, at its path.
func TestRunKubeKeysConfigMapVolume(t *testing.T) {
	img := variablesImage(t, "kk-configmap")
	ns := clustertest.Namespace(t)
	cs, _ := clustertest.Client(t)
	_, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kk-settings"},
		Data:       map[string]string{"greeting": "hello from a config map", "other": "left out"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	srv := coordinator.New(t, "tok")
	id := srv.Enqueue(daemonJob(`echo "greeting=[$(cat /etc/kk/sub/greeting.txt)]"`, `ls /etc/kk`))
	startDaemon(t, srv, ns, img,
		"[[runners.kubernetes.volumes.config_map]]",
		`  name = "kk-settings"`,
		`  mount_path = "/etc/kk"`,
		`  read_only = true`,
		"  [runners.kubernetes.volumes.config_map.items]",
		`    greeting = "sub/greeting.txt"`)

	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	assert.Contains(t, string(rec.Trace), "greeting=[hello from a config map]")
	assert.NotContains(t, strings.Split(string(rec.Trace), "\n"), "other", "items lists the keys to mount; the others are left out")
}

// pod_labels and pod_annotations, with a label the job adds through
// KUBERNETES_POD_LABELS_1 where pod_labels_overwrite_allowed lets it: the
// test reads the running pod from the API while the job waits. The job's
// own labels are all still there.
func TestRunKubeKeysLabelsAndAnnotations(t *testing.T) {
	img := variablesImage(t, "kk-labels")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob(`echo "kk-ready"`, "i=0; while [ ! -e /builds/test-done ] && [ $i -lt 300 ]; do sleep 1; i=$((i+1)); done")
	job.Variables = common.JobVariables{
		{Key: "OWNER", Value: "platform", Public: true},
		{Key: "KUBERNETES_POD_LABELS_1", Value: "kk-stage=test", Public: true},
	}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img,
		`pod_labels_overwrite_allowed = "^kk-stage="`,
		"[runners.kubernetes.pod_labels]",
		`  kk-team = "blue"`,
		"[runners.kubernetes.pod_annotations]",
		`  "example.com/owner" = "$OWNER"`)
	waitTrace(t, srv, id, "kk-ready")

	pod := jobPod(t, ns)
	assert.Equal(t, "blue", pod.Labels["kk-team"])
	assert.Equal(t, "test", pod.Labels["kk-stage"], "the job's KUBERNETES_POD_LABELS_1")
	assert.Equal(t, "platform", pod.Annotations["example.com/owner"], "expanded with the job's variables")
	assert.Equal(t, "kuberunner", pod.Labels["app.kubernetes.io/managed-by"])
	assert.NotEmpty(t, pod.Labels["kuberunner.io/job"])

	_, stderr, code := clustertest.Exec(t, ns, pod.Name, "build", []string{"touch", "/builds/test-done"}, nil)
	require.Equal(t, 0, code, stderr)
	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	assert.Contains(t, string(rec.Trace), `pod_labels: "kk-stage=test" set by KUBERNETES_POD_LABELS_1`)
	requireNoJobObjects(t, ns)
}

// dns_policy "none" with dns_config: the job's resolv.conf is exactly
// what config.toml says.
func TestRunKubeKeysDNSConfig(t *testing.T) {
	img := variablesImage(t, "kk-dns")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	id := srv.Enqueue(daemonJob("cat /etc/resolv.conf"))
	startDaemon(t, srv, ns, img,
		`dns_policy = "none"`,
		"[runners.kubernetes.dns_config]",
		`  nameservers = ["10.9.8.7"]`,
		`  searches = ["kk.example.test"]`,
		"  [[runners.kubernetes.dns_config.options]]",
		`    name = "ndots"`,
		`    value = "3"`)

	rec := waitJob(t, srv, id)
	trace := string(rec.Trace)
	require.Equal(t, "success", rec.State, "trace:\n%s", trace)
	assert.Contains(t, trace, "nameserver 10.9.8.7")
	assert.Contains(t, trace, "search kk.example.test")
	assert.Contains(t, trace, "options ndots:3")
}

// host_aliases reach /etc/hosts, beside a service's alias.
func TestRunKubeKeysHostAliases(t *testing.T) {
	img := variablesImage(t, "kk-hosts")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob("cat /etc/hosts")
	job.Services = []common.Image{{Name: img, Alias: "kk-svc", Command: []string{"sleep", "3600"}}}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img,
		"[[runners.kubernetes.host_aliases]]",
		`  ip = "10.1.2.3"`,
		`  hostnames = ["kk-alias.internal", "kk-alias2.internal"]`)

	rec := waitJob(t, srv, id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	var aliasLine, serviceLine bool
	for _, line := range strings.Split(string(rec.Trace), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 3 && fields[0] == "10.1.2.3" && fields[1] == "kk-alias.internal" && fields[2] == "kk-alias2.internal" {
			aliasLine = true
		}
		if len(fields) >= 2 && fields[0] == "127.0.0.1" && fields[1] == "kk-svc" {
			serviceLine = true
		}
	}
	assert.True(t, aliasLine, "/etc/hosts has 10.1.2.3 kk-alias.internal kk-alias2.internal:\n%s", rec.Trace)
	assert.True(t, serviceLine, "the service's alias is still there:\n%s", rec.Trace)
}

// A job whose image allowed_images does not allow fails with a message
// that names the image and the patterns, before anything is created.
func TestRunKubeKeysAllowedImagesRefusal(t *testing.T) {
	img := variablesImage(t, "kk-allowed")
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	job := daemonJob("echo should-not-run")
	job.Image = common.Image{Name: "127.0.0.1:5000/not-allowed/busybox:1"}
	id := srv.Enqueue(job)
	startDaemon(t, srv, ns, img, `allowed_images = ["127.0.0.1:5000/allowed/**"]`)

	rec := waitJob(t, srv, id)
	trace := string(rec.Trace)
	require.Equal(t, "failed", rec.State, "trace:\n%s", trace)
	assert.Contains(t, trace, `the job's image "127.0.0.1:5000/not-allowed/busybox:1" is not allowed by this runner's allowed_images ("127.0.0.1:5000/allowed/**")`)
	assert.NotContains(t, trace, "should-not-run")
	assert.NotContains(t, trace, "created pod")
	requireNoJobObjects(t, ns)
}
