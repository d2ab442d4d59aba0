package kubeapi

import (
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Requests counts the executor's API requests by verb and resource, per
// job (for the build log, tests and the benchmark) and process-wide as the
// Prometheus counter kuberunner_kubernetes_api_requests_total. Counting at
// the transport sees every request, including the watch and exec upgrades.
var apiRequestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "kuberunner_kubernetes_api_requests_total",
	Help: "Requests the Kubernetes executor sent to the API server, by verb and resource.",
}, []string{"verb", "resource"})

func init() { prometheus.MustRegister(apiRequestsTotal) }

// RequestCount is one verb on one resource, e.g. {"create", "pods"}.
type RequestCount struct{ Verb, Resource string }

type Requests struct {
	mu     sync.Mutex
	counts map[RequestCount]int
}

func (a *Requests) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		verb, resource := classifyRequest(req)
		apiRequestsTotal.WithLabelValues(verb, resource).Inc()
		a.mu.Lock()
		if a.counts == nil {
			a.counts = map[RequestCount]int{}
		}
		a.counts[RequestCount{verb, resource}]++
		a.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

// Snapshot returns a copy of the counts so far.
func (a *Requests) Snapshot() map[RequestCount]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[RequestCount]int, len(a.counts))
	for k, v := range a.counts {
		out[k] = v
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// classifyRequest names a request by the verb the API server authorises it
// as: POST /api/v1/namespaces/ns/pods/name/exec is ("create", "pods/exec").
func classifyRequest(req *http.Request) (verb, resource string) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// Skip the group prefix: api/v1 or apis/GROUP/VERSION.
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return strings.ToLower(req.Method), "other"
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	named := len(parts) >= 2
	if len(parts) == 0 {
		return strings.ToLower(req.Method), "other"
	}
	resource = parts[0]
	if len(parts) >= 3 {
		resource += "/" + parts[2]
	}
	switch req.Method {
	case http.MethodGet:
		switch {
		case req.URL.Query().Get("watch") == "true" || req.URL.Query().Get("watch") == "1":
			verb = "watch"
		case len(parts) >= 3 && (parts[2] == "exec" || parts[2] == "attach"):
			// The websocket upgrade is a GET, and Kubernetes 1.34 authorises
			// it as get on pods/exec (1.35 also checks create); SPDY's is a
			// POST, authorised as create.
			verb = "get"
		case named:
			verb = "get"
		default:
			verb = "list"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "patch"
	case http.MethodDelete:
		if named {
			verb = "delete"
		} else {
			verb = "deletecollection"
		}
	default:
		verb = strings.ToLower(req.Method)
	}
	return verb, resource
}
