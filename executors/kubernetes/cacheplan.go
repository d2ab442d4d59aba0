package kubernetes

import (
	"fmt"
	"strconv"
	"strings"

	"kuberunner/cache"
	"kuberunner/cache/s3"
	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/artifacts"
)

// The cache's variables, GitLab Runner's: CACHE_REQUEST_TIMEOUT is in
// minutes, 10 by default.
const (
	defaultCacheTimeoutMinutes = 10
	maxCacheTimeoutMinutes     = 24 * 60
)

// cachePlan is what the job does with its cache: the resolved entries,
// how to name and sign their objects, and the helper's settings. warnings
// go to the build log in Prepare.
type cachePlan struct {
	entries     []cache.Entry
	namer       cache.Namer
	signer      cache.Signer
	maxSize     int64
	timeout     int // seconds
	compression artifacts.Compression
	warnings    []string
}

// newCachePlan reads the job's cache entries, [runners.cache] and the
// CACHE_* variables; nil when the job has no cache. It sends nothing:
// signing comes later. A problem leaves the job without (part of) its
// cache, with a warning, never an error.
func newCachePlan(job *common.Job, runner *config.RunnerConfig, vars common.JobVariables) *cachePlan {
	if len(job.Cache) == 0 {
		return nil
	}
	p := &cachePlan{timeout: defaultCacheTimeoutMinutes * 60}
	c := runner.Cache
	if !c.Enabled() {
		p.warnings = append(p.warnings, "This job defines a cache, but the runner has no [runners.cache] store: the cache is neither restored nor saved")
		return p
	}
	p.namer = cache.Namer{Prefix: c.ObjectPrefix(), Runner: common.ShortToken(runner.Token), Shared: c.Shared, ProjectID: job.JobInfo.ProjectID}
	if !c.Shared && p.namer.Runner == "" {
		p.warnings = append(p.warnings, "The cache is not used: the runner's token is too short to name the runner's part of the cache's objects (set Shared = true to share them instead)")
		return p
	}
	signer, err := s3.New(c.S3)
	if err != nil {
		p.warnings = append(p.warnings, fmt.Sprintf("The cache is not used: %v", err))
		return p
	}
	p.signer, p.maxSize = signer, int64(c.MaxUploadedArchiveSize)
	p.readVariables(vars)
	expand := func(s string) string { return podspec.ExpandValue(s, vars) }
	fallback, _ := podspec.Lookup(vars, "CACHE_FALLBACK_KEY")
	entries, warnings := cache.Plan(cache.Input{Entries: job.Cache, Expand: expand, Protected: cache.RefProtected(job),
		DefaultKey: cache.DefaultKey(job), FallbackKey: fallback})
	p.entries, p.warnings = entries, append(p.warnings, warnings...)
	return p
}

// readVariables reads CACHE_REQUEST_TIMEOUT and CACHE_COMPRESSION_LEVEL;
// a bad value is a warning and the default.
func (p *cachePlan) readVariables(vars common.JobVariables) {
	if v, ok := podspec.Lookup(vars, "CACHE_REQUEST_TIMEOUT"); ok && strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > maxCacheTimeoutMinutes {
			p.warnings = append(p.warnings, fmt.Sprintf("CACHE_REQUEST_TIMEOUT %q is not a number of minutes from 1 to %d; using %d",
				v, maxCacheTimeoutMinutes, defaultCacheTimeoutMinutes))
		} else {
			p.timeout = n * 60
		}
	}
	if v, ok := podspec.Lookup(vars, "CACHE_COMPRESSION_LEVEL"); ok && v != "" {
		if _, err := artifacts.Compression(v).Level(); err != nil {
			p.warnings = append(p.warnings, fmt.Sprintf("CACHE_COMPRESSION_LEVEL %q is not fastest, fast, default, slow or slowest; using default", v))
		} else {
			p.compression = artifacts.Compression(v)
		}
	}
}
