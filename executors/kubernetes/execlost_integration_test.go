//go:build integration

package kubernetes

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/exitmark"
	"kuberunner/test/clustertest"
	"kuberunner/test/netfault"
)

// A script's exec stream cut by the network mid-run is a lost stream on
// either protocol, never an exit code. Over SPDY, client-go alone reports
// the cut as success (its status stream just ends); the exit marker is
// what tells them apart. Uncut, both protocols report the real code.
func TestExecStreamCutIsNeverAnExitCode(t *testing.T) {
	img := cachedImage(t, "execcut")
	cs, cfg := clustertest.Client(t)
	ns := clustertest.Namespace(t)
	zero := int64(0)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "cut"}, Spec: corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyNever, TerminationGracePeriodSeconds: &zero,
		Containers: []corev1.Container{{Name: podspec.BuildContainer, Image: img, ImagePullPolicy: corev1.PullNever,
			Command: []string{"sleep", "3600"}}}}}
	_, err := cs.CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{})
	require.NoError(t, err)
	clustertest.WaitForPod(t, cs, ns, pod.Name, time.Minute, "Running", clustertest.Running)

	run := func(t *testing.T, p execProtocol, script string, cut bool) (stdout, stderr string, err error) {
		proxy := netfault.New(t, strings.TrimPrefix(cfg.Host, "https://"))
		rc := rest.CopyConfig(cfg)
		rc.Host = "https://" + proxy.Addr
		api, err := kubeapi.NewClient(rc, kubeapi.DefaultHeaderTimeout)
		require.NoError(t, err)
		out := &watchedWriter{seen: make(chan struct{}), want: "started"}
		var errOut strings.Builder
		if cut {
			go func() { <-out.seen; proxy.Down() }()
		}
		err = execInPod(context.Background(), api, execRequest{
			Namespace: ns, Pod: pod.Name, Container: podspec.BuildContainer, Command: []string{"sh"},
			Stdin: strings.NewReader(script), Stdout: out, Stderr: &errOut, Mark: exitmark.Shell, Protocol: p,
		})
		return out.String(), errOut.String(), err
	}
	for _, proto := range []struct {
		name string
		p    execProtocol
	}{{"websocket", execWebSocket}, {"spdy", execSPDY}} {
		t.Run(proto.name+"/cut", func(t *testing.T) {
			out, _, err := run(t, proto.p, "echo started; sleep 5; exit 0\n", true)
			var lost *ExecStreamLostError
			require.ErrorAs(t, err, &lost, "output %q", out)
			t.Logf("%s: %v", proto.name, err)
		})
		t.Run(proto.name+"/exit 3", func(t *testing.T) {
			out, errOut, err := run(t, proto.p, "echo started; echo oops >&2; exit 3\n", false)
			var exit *ExecExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, 3, exit.Code)
			assert.Equal(t, "started\n", out)
			assert.Equal(t, "oops\n", errOut, "the marker is not in the output")
		})
		t.Run(proto.name+"/exit 0", func(t *testing.T) {
			out, errOut, err := run(t, proto.p, "echo started; printf 'no newline' >&2\n", false)
			require.NoError(t, err)
			assert.Equal(t, "started\n", out)
			assert.Equal(t, "no newline", errOut)
		})
	}
}

// watchedWriter collects output and closes seen once want appears in it.
type watchedWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
