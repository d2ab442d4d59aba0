package network

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Defaults for zero fields of Config.
const (
	// DefaultTimeout bounds one request other than a job request.
	DefaultTimeout = 30 * time.Second
	// DefaultRequestJobTimeout bounds one job request. It is longer than
	// the time GitLab's Workhorse may hold a job request open (long
	// polling) before answering 204.
	DefaultRequestJobTimeout = 90 * time.Second
	// DefaultArtifactTimeout bounds one try of an artifact's transfer: two
	// gigabytes at a slow 1 MB/s, with room; the job's own timeout
	// bounds all tries.
	DefaultArtifactTimeout = time.Hour
)

// Config is what a Client needs to talk for one runner.
type Config struct {
	// URL is GitLab's base URL, e.g. https://gitlab.example.com or
	// https://example.com/gitlab; the API lives under api/v4 below it.
	URL string
	// Token is the runner's authentication token.
	Token string
	// SystemID identifies this machine (LoadOrCreateSystemID).
	SystemID string
	// Version and Revision are reported to GitLab in the job request's info.
	Version, Revision string

	// HTTPClient sends the requests; nil uses http.DefaultClient. TLS
	// settings belong in its transport (clienttls.Material.Transport).
	HTTPClient *http.Client
	// CAFile is the runner's tls-ca-file that HTTPClient trusts besides the
	// system's roots, named in a *CertificateError; "" for none.
	CAFile string
	// Clock is where waits happen; nil uses the system clock.
	Clock Clock
	// Retry is the retry policy for transport errors, 408, 429 and 5xx.
	Retry RetryPolicy
	// Timeout bounds each request but job requests; 0 is DefaultTimeout.
	Timeout time.Duration
	// RequestJobTimeout bounds each job request; 0 is
	// DefaultRequestJobTimeout.
	RequestJobTimeout time.Duration
	// ArtifactTimeout bounds each try of an artifact's upload or
	// download; 0 is DefaultArtifactTimeout.
	ArtifactTimeout time.Duration
	// Logger receives retries and background trace errors, with the
	// caller's fields (the daemon's runner name); nil is logrus's standard
	// logger, so that no warning is lost.
	Logger logrus.FieldLogger
}

// Client is the coordinator client of one runner. Safe for concurrent use.
type Client struct {
	base       *url.URL
	token      string
	systemID   string
	info       runnerInfo
	http       *http.Client
	clock      Clock
	retry      RetryPolicy
	timeout    time.Duration
	jobTimeout time.Duration
	// artifactTimeout bounds one try of an artifact's upload or download.
	artifactTimeout time.Duration
	log             logrus.FieldLogger
	userAgent       string
	caFile          string

	// secrets are what no message may show: the runner token and the
	// URL's userinfo (userinfoSecrets).
	secrets []string

	mu         sync.Mutex
	lastUpdate string
}

// maxBody caps what is read of an answer; job payloads are the largest.
const maxBody = 64 << 20

// maxQuotedBody is how much of an unexpected answer statusError searches
// for secrets; it quotes far less.
const maxQuotedBody = 64 << 10

// New checks cfg and returns its Client.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("coordinator: no runner token")
	}
	return build(cfg)
}

// NewJobClient is a Client for the requests a job makes with its own token
// (its artifacts), where the runner's token is not at hand: in the helper
// container. cfg.Token is not used.
func NewJobClient(cfg Config) (*Client, error) {
	cfg.Token = ""
	return build(cfg)
}

func build(cfg Config) (*Client, error) {
	u, err := parseBaseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:            u,
		token:           cfg.Token,
		systemID:        cfg.SystemID,
		info:            newRunnerInfo(cfg.Version, cfg.Revision),
		http:            checkingRedirects(cfg.HTTPClient),
		clock:           cfg.Clock,
		retry:           cfg.Retry,
		timeout:         cfg.Timeout,
		jobTimeout:      cfg.RequestJobTimeout,
		artifactTimeout: cfg.ArtifactTimeout,
		log:             cfg.Logger,
		caFile:          cfg.CAFile,
		secrets:         append([]string{cfg.Token}, userinfoSecrets(u)...),
	}
	if c.clock == nil {
		c.clock = realClock{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.jobTimeout <= 0 {
		c.jobTimeout = DefaultRequestJobTimeout
	}
	if c.artifactTimeout <= 0 {
		c.artifactTimeout = DefaultArtifactTimeout
	}
	if c.log == nil {
		c.log = logrus.StandardLogger()
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	c.userAgent = fmt.Sprintf("kuberunner %s (%s; %s)", version, runtime.GOOS, runtime.GOARCH)
	return c, nil
}

// parseBaseURL reads GitLab's URL. Its errors never quote it: its userinfo
// may be a token, and a URL that does not parse cannot be redacted
// reliably (without a scheme, "glpat-…:x@host" parses as scheme and
// opaque part).
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return nil, fmt.Errorf("coordinator url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("coordinator url: want http(s)://host[/path]")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("coordinator url %s: no host; want http(s)://host[/path]", redactURL(u))
	}
	return u, nil
}

// checkingRedirects is a copy of hc (nil: http.DefaultClient) that asks
// each request's redirect policy (checkRedirect) before following a
// redirect; the caller's client is left as it was.
func checkingRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	own := *hc
	own.CheckRedirect = checkRedirect
	return &own
}

// endpoint is the absolute URL of an API path such as "jobs/request".
func (c *Client) endpoint(path string) string {
	return c.base.JoinPath("api/v4", path).String()
}

// response is an answer: its status and headers, and its body read in
// full unless bodyErr says why not (too large, cut short, stalled), in
// which case body holds what arrived.
type response struct {
	status  int
	header  http.Header
	body    []byte
	bodyErr error
	// secrets are the tokens of the request answered (secretsOf).
	secrets []string
}

// statusError describes r as the answer op did not expect, quoting the
// start of its body with the request's secrets masked. Masking comes
// before cutting, so that no part of a token is left.
func (c *Client) statusError(op string, r *response) *StatusError {
	body := r.body[:min(len(r.body), maxQuotedBody)]
	quoted := strings.TrimSpace(hide(string(body), c.secrets, r.secrets))
	if len(quoted) > 200 {
		quoted = quoted[:200] + "…"
	}
	hint, _ := retryHint(r.header, c.clock.Now())
	return &StatusError{Op: op, Status: r.status, Body: quoted, RetryAfter: hint}
}

// readBody reads at most maxBody bytes of an answer.
func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	return data, err
}
