package config

import (
	"fmt"
	"math"
	"strings"
)

// Every integer key of config.toml has a range, checked as the value is
// decoded, so that config check refuses what would break the runner later:
// a number of seconds times time.Second wraps past 9223372036, and a count
// of goroutines or buffers runs the process out of memory. This table is
// the one statement of the ranges: the decoder checks against it, the
// tests check that every integer field of Config has a row, and that
// docs/configuration.md shows the table as numericRanges renders it.

// numericRange bounds the keys in keys, each a dotted path without array
// indexes (supplemental_groups covers every element of that array).
type numericRange struct {
	keys     []string
	min, max int
	// unit follows the number in messages: "seconds", "KiB", "jobs".
	unit string
	// zero says what 0 or an absent key means, when not simply zero.
	zero string
}

// The maxima, with why each is where it is.
const (
	// MaxConcurrent bounds concurrent and limit: each job is a pod, a
	// build log of up to output_limit in memory and a trace loop; past a
	// thousand, run another replica instead.
	MaxConcurrent = 1000
	// MaxCheckInterval is an hour: a runner that asks less often than
	// that for jobs is as good as stopped.
	MaxCheckInterval = 3600
	// MaxRequestConcurrency bounds request_concurrency: each is a
	// goroutine holding a long-poll to GitLab, and more than this only
	// adds load on GitLab.
	MaxRequestConcurrency = 100
	// MaxOutputLimit is 100 MiB, in KiB: each running job keeps up to
	// this much of its log in memory, and GitLab's own default limit on a
	// job log is 100 MB.
	MaxOutputLimit = 100 * 1024
	// MaxPollTimeout is a day: a pod that cannot start in that time will
	// not, and the value must stay far below 9223372036 s, where seconds
	// stop fitting in a time.Duration.
	MaxPollTimeout = 86400
	// MaxShutdownTimeout is a day, for the same reason as MaxPollTimeout.
	MaxShutdownTimeout = 86400
	// MaxID is the largest user or group ID the API server accepts
	// (apimachinery's validation.MaxUserID and MaxGroupID, int32).
	MaxID = math.MaxInt32
	// MaxUploadedArchiveSize is 5 GiB: a cache archive goes up in one
	// signed PUT, and S3 takes at most 5 GiB in one.
	MaxUploadedArchiveSize = 5 << 30
)

var numericRanges = []numericRange{
	{keys: []string{"concurrent"}, max: MaxConcurrent, unit: "jobs", zero: fmt.Sprintf("0 means %d", DefaultConcurrent)},
	{keys: []string{"check_interval"}, max: MaxCheckInterval, unit: "seconds", zero: fmt.Sprintf("0 means %d", DefaultCheckInterval)},
	{keys: []string{"shutdown_timeout"}, max: MaxShutdownTimeout, unit: "seconds",
		zero: fmt.Sprintf("0: SIGQUIT waits for the jobs without a bound, an abort %d", DefaultShutdownTimeout)},
	{keys: []string{"runners.id"}, max: math.MaxInt32, zero: "GitLab's ID of the runner, as register writes it; 0: unknown"},
	{keys: []string{"runners.limit"}, max: MaxConcurrent, unit: "jobs", zero: "0 means no limit"},
	{keys: []string{"runners.request_concurrency"}, max: MaxRequestConcurrency, unit: "requests",
		zero: fmt.Sprintf("0 means %d", DefaultRequestConcurrency)},
	{keys: []string{"runners.output_limit"}, max: MaxOutputLimit, unit: "KiB", zero: fmt.Sprintf("0 means %d", DefaultOutputLimit)},
	{keys: []string{"runners.kubernetes.poll_timeout"}, max: MaxPollTimeout, unit: "seconds",
		zero: fmt.Sprintf("0 means %d", DefaultPollTimeout)},
	{keys: []string{"runners.kubernetes.pull_retry_budget"}, max: MaxPullRetryBudget, unit: "retries",
		zero: fmt.Sprintf("0: fall back at once; unset means %d", DefaultPullRetryBudget)},
	{keys: securityIDKeys(), max: MaxID},
	{keys: []string{"runners.kubernetes.pod_termination_grace_period_seconds", "runners.kubernetes.cleanup_grace_period_seconds"},
		max: MaxGracePeriod, unit: "seconds"},
	{keys: []string{"runners.cache.MaxUploadedArchiveSize"}, max: MaxUploadedArchiveSize, unit: "bytes", zero: "0 means no limit"},
	{keys: affinityWeightKeys(), max: 100, zero: "0 or unset is refused: a preferred term needs a weight"},
}

// affinityWeightKeys are the weights of the preferred affinity terms.
func affinityWeightKeys() []string {
	const a = "runners.kubernetes.affinity."
	const preferred = ".preferred_during_scheduling_ignored_during_execution.weight"
	return []string{a + "node_affinity" + preferred, a + "pod_affinity" + preferred, a + "pod_anti_affinity" + preferred}
}

// securityIDKeys are the user and group IDs of the security tables.
func securityIDKeys() []string {
	const k = "runners.kubernetes."
	keys := []string{
		k + "pod_security_context.run_as_user", k + "pod_security_context.run_as_group",
		k + "pod_security_context.fs_group", k + "pod_security_context.supplemental_groups",
	}
	for _, c := range []string{"build", "helper", "service"} {
		keys = append(keys, k+c+"_container_security_context.run_as_user", k+c+"_container_security_context.run_as_group")
	}
	return keys
}

// rangeOf returns the range of the key at pattern (a keyPath.pattern).
func rangeOf(pattern string) (numericRange, bool) {
	for _, r := range numericRanges {
		for _, k := range r.keys {
			if k == pattern {
				return r, true
			}
		}
	}
	return numericRange{}, false
}

// allowed renders the range for "allowed:" and for the docs table:
// "0 to 3600 seconds (0 means 3)".
func (r numericRange) allowed() string {
	s := fmt.Sprintf("%d to %d", r.min, r.max)
	if r.unit != "" {
		s += " " + r.unit
	}
	if r.zero != "" {
		s += " (" + r.zero + ")"
	}
	return s
}

// docRow is the row of the docs table for r.
func (r numericRange) docRow() string {
	keys := make([]string, len(r.keys))
	for i, k := range r.keys {
		keys[i] = "`" + k + "`"
	}
	return "| " + strings.Join(keys, ", ") + " | " + r.allowed() + " |"
}

// inRange reports n at p when it is outside its key's range. A key
// without a row is not checked here; TestEveryIntegerKeyHasARange keeps
// that from happening.
func (d *decoder) inRange(p keyPath, n int64) bool {
	r, ok := rangeOf(p.pattern())
	if !ok || (n >= int64(r.min) && n <= int64(r.max)) {
		return true
	}
	d.fail(p, &Error{Value: fmt.Sprint(n), Msg: fmt.Sprintf("%d is out of range", n), Allowed: r.allowed()})
	return false
}
