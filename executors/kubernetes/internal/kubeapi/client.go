package kubeapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	kube "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// DefaultHeaderTimeout bounds talking to the API server, so that a server
// that accepts connections and never answers fails the job in seconds, not
// at the job timeout. Watches and exec streams are long by design, so there
// is no whole-request timeout: the bound is on the answer's headers, which
// every request gets promptly from a live server. Connecting is bounded by
// client-go's own dialer (30 s); setting a Dial of our own would make
// client-go build a new, uncached transport, with its own idle
// connections, for every job.
const DefaultHeaderTimeout = 30 * time.Second

// Connection is how config.toml reaches the API server: GitLab Runner's
// host, bearer_token, ca_file, cert_file, key_file and context.
type Connection struct {
	Host, BearerToken, CAFile, CertFile, KeyFile, Context string
}

// String never shows the token.
func (c Connection) String() string {
	token := ""
	if c.BearerToken != "" {
		token = " bearer_token=[REDACTED]"
	}
	return fmt.Sprintf("host=%q context=%q ca_file=%q cert_file=%q key_file=%q%s", c.Host, c.Context, c.CAFile, c.CertFile, c.KeyFile, token)
}

// ownCredentials says whether the connection is GitLab Runner's
// out-of-cluster client: a host with credentials of its own.
func (c Connection) ownCredentials() bool {
	return c.Host != "" && (c.BearerToken != "" || c.CAFile != "" || c.CertFile != "" || c.KeyFile != "")
}

// RestConfig finds the cluster. A host with credentials of its own is the
// whole connection, as on GitLab Runner, and no kubeconfig is read.
// Otherwise: in-cluster credentials when kuberunner runs in a pod, else
// the kubeconfig that $KUBECONFIG or ~/.kube/config names, in the context
// c.Context when set; c.Host, when set, replaces only the server address.
func RestConfig(c Connection) (*rest.Config, error) {
	if c.ownCredentials() {
		return &rest.Config{Host: c.Host, BearerToken: c.BearerToken, TLSClientConfig: rest.TLSClientConfig{
			CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile,
		}}, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	overrides := &clientcmd.ConfigOverrides{CurrentContext: c.Context}
	overrides.ClusterInfo.Server = c.Host
	rc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubernetes client configuration: %w", err)
	}
	return rc, nil
}

// Client is the job's client: the typed clientset, the rest config that
// exec needs, and the counter every request of the job goes through.
type Client struct {
	kube.Interface
	REST     *rest.Config
	Requests *Requests
	// Base is the config before the wrappers, for a client that must not
	// count as this job's (the shared informer's).
	Base *rest.Config
}

// NewClient wraps the transport with the request counter and the header
// timeout, and bounds connecting.
func NewClient(base *rest.Config, headerTimeout time.Duration) (Client, error) {
	rc := rest.CopyConfig(base)
	// The executor's requests come in short bursts per job; the client-side
	// rate limiter's default of 5 QPS would only add latency to a fallback.
	rc.QPS, rc.Burst = 50, 100
	counter := &Requests{}
	rc.Wrap(counter.wrap)
	rc.Wrap(func(rt http.RoundTripper) http.RoundTripper { return headerDeadline(rt, headerTimeout) })
	cs, err := kube.NewForConfig(rc)
	if err != nil {
		return Client{}, fmt.Errorf("kubernetes client: %w", err)
	}
	return Client{Interface: cs, REST: rc, Requests: counter, Base: base}, nil
}

// ErrAPINoAnswer: the API server took the request but sent no answer in
// time.
var ErrAPINoAnswer = errors.New("the Kubernetes API server did not answer")
