package kubernetes

import (
	"github.com/prometheus/client_golang/prometheus"

	"kuberunner/common"
)

// Fallback metrics, for operators who want to see an outage on a dashboard
// before they read build logs. Each metric has one owner: the attempt loop
// (attempts.go, retrybudget.go) observes all of these; the API request
// counter is in internal/kubeapi (apirequests.go). docs/observability.md lists them with
// queries.
var (
	pullFailuresTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_image_pull_failures_total",
		Help: "Containers whose image could not be pulled, by the kubelet's waiting reason, what the message says about the registry (class: transient, unreachable, absent, denied, unknown) and the pull policy that failed.",
	}, []string{"reason", "class", "pull_policy"})
	pullFallbacksTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_pull_fallbacks_total",
		Help: "Images that moved from one pull policy to the next, by the policy left, the policy taken and the cause: pull_failure (the pull failed) or breaker (the registry's breaker was open, so the job started past always).",
	}, []string{"from_policy", "to_policy", "cause"})
	fallbackReaction = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kuberunner_pull_fallback_reaction_seconds",
		Help:    "From the watch delivering a pull failure to the next pod's create call returning, by action: fallback (an image took its next policy) or retry (images retried their policy; this includes the backoff wait).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14), // 5 ms .. ~41 s
	}, []string{"action"})
	pullFailureDetection = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kuberunner_pull_failure_detection_seconds",
		Help:    "From a pod's create call returning to the watch delivering its first pull failure.",
		Buckets: prometheus.ExponentialBuckets(0.05, 2, 12), // 50 ms .. ~102 s
	})
	podAttempts = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kuberunner_job_pod_attempts",
		Help:    "Pods a job created before one ran or the job gave up: 1 when nothing failed, more for each retry or fallback.",
		Buckets: []float64{1, 2, 3, 4, 5, 6, 8, 10},
	})
)

// Values of kuberunner_pull_fallbacks_total's cause.
const (
	causePullFailure = "pull_failure"
	causeBreaker     = "breaker"
)

// The per-registry breaker (breaker.go), by registry host.
var (
	breakerOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kuberunner_registry_breaker_open",
		Help: "1 while the registry's breaker is open (a pull found nothing answering and nothing has answered since), else 0.",
	}, []string{"registry"})
	breakerOpens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_registry_breaker_opens_total",
		Help: "Times the registry's breaker opened.",
	}, []string{"registry"})
	breakerCloses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_registry_breaker_closes_total",
		Help: "Times the registry's breaker closed: a probe or a job's pull got an answer.",
	}, []string{"registry"})
	breakerOpenSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kuberunner_registry_breaker_open_seconds",
		Help:    "How long a registry's breaker stayed open, observed when it closes.",
		Buckets: prometheus.ExponentialBuckets(5, 2, 12), // 5 s .. ~2.8 h
	})
	breakerSkips = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuberunner_registry_breaker_skips_total",
		Help: "Images of jobs that started past always because their registry's breaker was open.",
	}, []string{"registry"})
)

func init() {
	prometheus.MustRegister(pullFailuresTotal, pullFallbacksTotal, fallbackReaction, pullFailureDetection, podAttempts,
		breakerOpen, breakerOpens, breakerCloses, breakerOpenSeconds, breakerSkips)
}

// policyLabel is a pull policy as a label value: its config.toml name, and
// "cluster-default" for none, which an empty label value would hide.
func policyLabel(p common.PullPolicy) string {
	if p == common.PullPolicyDefault {
		return "cluster-default"
	}
	return string(p)
}
