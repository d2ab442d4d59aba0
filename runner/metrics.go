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

// countingTransport counts every coordinator request by endpoint and status.
type countingTransport struct{ next http.RoundTripper }

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	coordinatorRequests.WithLabelValues(endpointOf(req), status).Inc()
	return resp, err
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
