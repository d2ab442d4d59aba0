package kubernetes

import "github.com/prometheus/client_golang/prometheus"

// Fallback metrics, for operators who want to see an outage on a dashboard
// before they read build logs. The API request counter is in apirequests.go.
var (
	pullFailuresTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_image_pull_failures_total",
		Help: "Containers whose image could not be pulled, by the kubelet's waiting reason and the pull policy that failed.",
	}, []string{"reason", "pull_policy"})
	fallbackReaction = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kuberunner_pull_fallback_reaction_seconds",
		Help:    "From the watch delivering a pull failure to the next pod's create call returning.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12), // 5 ms .. ~10 s
	})
)

func init() { prometheus.MustRegister(pullFailuresTotal, fallbackReaction) }
