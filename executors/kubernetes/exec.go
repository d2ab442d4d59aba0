package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"

	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/helpers/exitmark"
)

// execRequest is one command run in a container of the job pod.
type execRequest struct {
	Namespace, Pod, Container string
	Command                   []string
	Stdin                     io.Reader
	Stdout, Stderr            io.Writer
	// Mark wraps Command so that it reports its exit status in its stderr
	// (exitmark.Shell, or the helper's report-exit): without it a cut SPDY
	// stream reads as a clean exit.
	Mark func(nonce string, cmd []string) []string
	// Protocol is execAuto but in tests that need one protocol.
	Protocol execProtocol
}

type execProtocol int

const (
	execAuto execProtocol = iota // WebSocket, SPDY when the upgrade is refused
	execWebSocket
	execSPDY
)

// ExecExitError is a command that ran and exited non-zero.
type ExecExitError struct {
	Container string
	Code      int
}

func (e *ExecExitError) Error() string {
	return fmt.Sprintf("command in container %q exited with code %d", e.Container, e.Code)
}

// errNoExitStatus: the streams ended cleanly, as SPDY's do when their
// connection drops, but the command's exit marker never came.
var errNoExitStatus = errors.New("the streams ended without the command's exit status")

// execInPod runs a command over the API server's exec subresource.
func execInPod(ctx context.Context, api kubeapi.Client, r execRequest) error {
	var marks *exitmark.Filter
	if r.Mark != nil {
		nonce := exitmark.NewNonce()
		r.Command = r.Mark(nonce, r.Command)
		marks = exitmark.NewFilter(r.Stderr, nonce)
		r.Stderr = marks
	}
	req := api.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(r.Namespace).Name(r.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: r.Container,
			Command:   r.Command,
			Stdin:     r.Stdin != nil,
			Stdout:    r.Stdout != nil,
			Stderr:    r.Stderr != nil,
		}, scheme.ParameterCodec)
	exec, err := newExecutor(api, req.URL(), r.Protocol)
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", r.Pod, r.Container, err)
	}
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr})
	if marks != nil {
		if ferr := marks.Flush(); err == nil {
			err = ferr
		}
		if _, ok := marks.Exit(); err == nil && !ok && ctx.Err() == nil {
			return &ExecStreamLostError{Pod: r.Pod, Container: r.Container, Err: errNoExitStatus}
		}
	}
	var exit utilexec.ExitError
	if errors.As(err, &exit) && exit.Exited() {
		return &ExecExitError{Container: r.Container, Code: exit.ExitStatus()}
	}
	if err != nil && kubeapi.StreamLost(err) && ctx.Err() == nil {
		return &ExecStreamLostError{Pod: r.Pod, Container: r.Container, Err: err}
	}
	if err != nil {
		// The SPDY fallback, a POST, is what fails last when both are
		// refused, so the verb to name is create.
		return fmt.Errorf("exec in %s/%s: %w", r.Pod, r.Container, kubeapi.Forbidden(err, "create", "pods/exec", r.Namespace))
	}
	return nil
}

// newExecutor speaks the API server's current protocol, WebSocket, and
// falls back to SPDY when the server or a proxy on the way refuses the
// upgrade.
func newExecutor(api kubeapi.Client, u *url.URL, p execProtocol) (remotecommand.Executor, error) {
	ws, err := remotecommand.NewWebSocketExecutor(api.REST, "GET", u.String())
	if err != nil || p == execWebSocket {
		return ws, err
	}
	spdy, err := remotecommand.NewSPDYExecutor(api.REST, "POST", u)
	if err != nil || p == execSPDY {
		return spdy, err
	}
	return remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
}

// ExecStreamLostError: the connection carrying a command broke before the
// command's exit status arrived — an API server restart drops every exec
// stream it proxies. The command may still be running or may have
// finished either way, so this is never reported as an exit code.
type ExecStreamLostError struct {
	Pod, Container string
	Err            error
}

func (e *ExecStreamLostError) Error() string {
	return fmt.Sprintf("lost the connection to the Kubernetes API server while the command ran in %s/%s, so its exit status is unknown: %v", e.Pod, e.Container, e.Err)
}

func (e *ExecStreamLostError) Unwrap() error { return e.Err }
