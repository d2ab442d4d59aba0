package runner

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The daemon's metrics. The executor registers its own (pull failures,
// fallback reactions, API requests) in the same default registry, so one
// /metrics serves them all.
var (
	jobsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_jobs_total",
		Help: "Jobs finished, by runner, state and failure reason (the reason as the job failed, before mapping to what GitLab knows).",
	}, []string{"runner", "state", "failure_reason"})
	jobsRunning = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kuberunner_jobs_running",
		Help: "Jobs running now, by runner.",
	}, []string{"runner"})
	coordinatorRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_coordinator_requests_total",
		Help: "Requests to GitLab's runner API, by endpoint and HTTP status (\"error\" when no answer came).",
	}, []string{"endpoint", "status"})
)

func init() { prometheus.MustRegister(jobsTotal, jobsRunning, coordinatorRequests) }

// countingTransport counts every coordinator request by endpoint and
// status, and each answer under GitLab Runner's name for it in api, when
// set, which is labelled with the runner.
type countingTransport struct {
	next http.RoundTripper
	api  *prometheus.CounterVec
	// runner and systemID label api.
	runner, systemID string
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	endpoint := endpointOf(req)
	coordinatorRequests.WithLabelValues(endpoint, status).Inc()
	// GitLab Runner counts answers only, and only of these endpoints.
	if name, ok := gitlabEndpoints[endpoint]; ok && err == nil && t.api != nil {
		t.api.WithLabelValues(t.runner, t.systemID, name, status, strings.ToLower(req.Method)).Inc()
	}
	return resp, err
}

// gitlabEndpoints are GitLab Runner's names (gitlab_runner_api_request_statuses_total)
// of the endpoints endpointOf names.
var gitlabEndpoints = map[string]string{
	"jobs/request": "request_job",
	"jobs/update":  "update_job",
	"jobs/trace":   "patch_trace",
}

// endpointOf names a runner API request without its job id, so the label
// has a handful of values: "jobs/request", "jobs/trace", "jobs/update",
// "runners/verify".
func endpointOf(req *http.Request) string {
	path := req.URL.Path
	i := strings.Index(path, "/api/v4/")
	if i < 0 {
		return "other"
	}
	parts := strings.Split(path[i+len("/api/v4/"):], "/")
	switch {
	case len(parts) >= 2 && parts[0] == "jobs" && parts[1] == "request":
		return "jobs/request"
	case len(parts) >= 3 && parts[0] == "jobs" && parts[2] == "trace":
		return "jobs/trace"
	case len(parts) == 2 && parts[0] == "jobs":
		return "jobs/update"
	case len(parts) >= 2 && parts[0] == "runners":
		return "runners/" + parts[1]
	}
	return "other"
}
