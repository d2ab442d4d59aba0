package localcluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// ComponentError names the component that failed and where its log is; its
// message ends with the log's last lines, which usually say why.
type ComponentError struct {
	Component string
	Log       string
	Err       error
}

func (e *ComponentError) Error() string {
	return fmt.Sprintf("%s failed to start: %v\n--- last lines of %s ---\n%s\n---", e.Component, e.Err, e.Log, tail(e.Log, 25))
}

func (e *ComponentError) Unwrap() error { return e.Err }

// waitHealthy polls check with a short, growing backoff until it succeeds,
// the process p (when we started it) exits, or timeout passes. Polling the
// component's own health endpoint, rather than sleeping a fixed time, keeps a
// warm start at a few seconds and still tolerates a slow machine.
func (c *Cluster) waitHealthy(ctx context.Context, name string, p *proc, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var exited <-chan struct{}
	if p != nil {
		exited = p.exited
	}
	var last error
	for delay := 20 * time.Millisecond; ; delay = min(delay*3/2, 500*time.Millisecond) {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		last = check(cctx)
		ccancel()
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			return &ComponentError{name, c.LogPath(name), fmt.Errorf("process exited (%v) before it was healthy; last check: %v", p.err, last)}
		case <-ctx.Done():
			return &ComponentError{name, c.LogPath(name), fmt.Errorf("not healthy after %s: %v", timeout, last)}
		case <-time.After(delay):
		}
	}
}

// httpOK returns nil when GET url answers 200.
func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return nil
}

var plainHTTP = &http.Client{Timeout: 5 * time.Second}

// insecureHTTP talks to kube-controller-manager's and kube-scheduler's health
// endpoints, which serve a self-signed certificate made at start-up; they are
// on loopback, so skipping verification exposes nothing.
var insecureHTTP = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}

// apiserverHTTP authenticates as admin and verifies the apiserver against the CA.
func (c *Cluster) apiserverHTTP() (*http.Client, error) {
	caPEM, err := os.ReadFile(c.pki("ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cert, err := tls.LoadX509KeyPair(c.pki("admin.crt"), c.pki("admin.key"))
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}, nil
}
