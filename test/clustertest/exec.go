//go:build integration

package clustertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// Exec runs cmd in a container of pod ns/name through the apiserver and the
// kubelet (as `kubectl exec` does), feeding it stdin when not nil, and
// returns its output and exit code. A failure to run it at all fails the test.
func Exec(t testing.TB, ns, pod, container string, cmd []string, stdin io.Reader) (stdout, stderr string, exitCode int) {
	t.Helper()
	cs, cfg := Client(t)
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container, Command: cmd, Stdin: stdin != nil, Stdout: true, Stderr: true,
		}, scheme.ParameterCodec)
	// WebSocket first, as kubectl does since 1.31; SPDY if an upgrade fails.
	ws, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdin, Stdout: &out, Stderr: &errOut})
	var exitErr utilexec.CodeExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		exitCode = exitErr.ExitStatus()
	default:
		t.Fatalf("exec %v in %s/%s: %v (stderr: %s)", cmd, ns, pod, err, errOut.String())
	}
	return out.String(), errOut.String(), exitCode
}
