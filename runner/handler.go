package runner

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler is what `run` serves on listen_address:
//   - /metrics: GitLab Runner's metrics (the daemon's registry) beside
//     kuberunner's own, Go's and the process's (the default registry);
//   - /-/health: 200 while the process serves, for a liveness probe;
//   - /-/ready: 200 once the configuration is loaded and the daemon asks
//     GitLab for jobs, 503 before and once it stops asking (SIGQUIT), for
//     a readiness probe.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	gather := prometheus.Gatherers{prometheus.DefaultGatherer, d.registry}
	mux.Handle("/metrics", promhttp.HandlerFor(gather, promhttp.HandlerOpts{}))
	mux.HandleFunc("/-/health", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !d.ready.Load() {
			http.Error(w, "not asking GitLab for jobs", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}
