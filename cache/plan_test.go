package cache

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/common"
)

func expandWith(vars map[string]string) func(string) string {
	return func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "$"+k, v)
		}
		return s
	}
}

func TestPlan(t *testing.T) {
	vars := expandWith(map[string]string{"REF": "feature", "POLICY": "pull"})
	tests := []struct {
		name      string
		in        Input
		want      []Entry
		warnNames []string // substrings, one per warning
	}{
		{
			name: "defaults: pull-push on success, fallbacks in order",
			in: Input{Entries: []common.JobCache{{Key: "deps-$REF", Paths: []string{"vendor/"}, FallbackKeys: []string{"deps-main", "deps-$REF"}}},
				FallbackKey: "global"},
			want: []Entry{{Key: "deps-feature-non_protected", Paths: []string{"vendor/"}, Pull: true, Push: true, When: common.CacheWhenOnSuccess,
				Sources: []string{"deps-feature-non_protected", "deps-main-non_protected", "global-non_protected"}}},
		},
		{
			name: "protected, with GitLab's suffixes kept",
			in: Input{Protected: true, Entries: []common.JobCache{{Key: "deps-protected", Untracked: true, Policy: "push", When: "always",
				FallbackKeys: []string{"deps-main-protected", "deps-non_protected"}}}},
			want: []Entry{{Key: "deps-protected", Untracked: true, Push: true, When: common.CacheWhenAlways,
				Sources: []string{"deps-protected", "deps-main-protected", "deps-non_protected"}}},
		},
		{
			name: "unprotect shares the non-protected cache",
			in:   Input{Protected: true, Entries: []common.JobCache{{Key: "deps", Paths: []string{"a"}, Unprotect: true}}, FallbackKey: "main"},
			want: []Entry{{Key: "deps-non_protected", Paths: []string{"a"}, Pull: true, Push: true, When: common.CacheWhenOnSuccess,
				Sources: []string{"deps-non_protected", "main-non_protected"}}},
		},
		{
			name: "an unprotected job cannot fall back to a protected cache",
			in:   Input{Entries: []common.JobCache{{Key: "deps", Paths: []string{"a"}}}, FallbackKey: "main-protected"},
			want: []Entry{{Key: "deps-non_protected", Paths: []string{"a"}, Pull: true, Push: true, When: common.CacheWhenOnSuccess,
				Sources: []string{"deps-non_protected", "main-protected-non_protected"}}},
		},
		{
			name: "no key: GitLab Runner's default; a policy from a variable",
			in:   Input{DefaultKey: "build/feature", Entries: []common.JobCache{{Paths: []string{"a"}, Policy: "$POLICY", When: "on_failure"}}},
			want: []Entry{{Key: "build/feature-non_protected", Paths: []string{"a"}, Pull: true, When: common.CacheWhenOnFailure,
				Sources: []string{"build/feature-non_protected"}}},
		},
		{
			name: "nothing to cache is no entry",
			in:   Input{Entries: []common.JobCache{{Key: "deps"}}},
		},
		{
			name:      "bad keys, policy and when are warnings that name them",
			in:        Input{FallbackKey: "../x", Entries: []common.JobCache{{Key: "a/../b", Paths: []string{"a"}}, {Key: "p", Paths: []string{"a"}, Policy: "pul"}, {Key: "w", Paths: []string{"a"}, When: "never"}}},
			warnNames: []string{`CACHE_FALLBACK_KEY is not used: cache key "../x"`, `cache key "a/../b"`, `Cache p-non_protected is skipped: policy "pul"`, `Cache w-non_protected is skipped: when "never"`},
		},
		{
			name:      "a bad fallback key is skipped, the entry stays",
			in:        Input{Entries: []common.JobCache{{Key: "k", Paths: []string{"a"}, FallbackKeys: []string{"x\\y"}}}},
			want:      []Entry{{Key: "k-non_protected", Paths: []string{"a"}, Pull: true, Push: true, When: common.CacheWhenOnSuccess, Sources: []string{"k-non_protected"}}},
			warnNames: []string{`Cache k-non_protected: fallback key skipped: cache key "x\\y" has a backslash`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Expand = vars
			got, warnings := Plan(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Len(t, warnings, len(tt.warnNames), "%q", warnings)
			for i := range min(len(warnings), len(tt.warnNames)) {
				assert.Contains(t, warnings[i], tt.warnNames[i])
			}
		})
	}
}

func TestSaves(t *testing.T) {
	for _, tt := range []struct {
		when             common.CacheWhen
		success, failure bool
	}{
		{common.CacheWhenOnSuccess, true, false},
		{common.CacheWhenOnFailure, false, true},
		{common.CacheWhenAlways, true, true},
	} {
		t.Run(string(tt.when), func(t *testing.T) {
			e := Entry{When: tt.when}
			assert.Equal(t, tt.success, e.Saves(false))
			assert.Equal(t, tt.failure, e.Saves(true))
		})
	}
}

func TestRefProtected(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		name string
		job  common.Job
		want bool
	}{
		{"git_info says so", common.Job{GitInfo: common.GitInfo{Protected: &yes}}, true},
		{"git_info wins over a variable", common.Job{GitInfo: common.GitInfo{Protected: &no},
			Variables: common.JobVariables{{Key: "CI_COMMIT_REF_PROTECTED", Value: "true"}}}, false},
		{"GitLab's variable, the first", common.Job{Variables: common.JobVariables{{Key: "CI_COMMIT_REF_PROTECTED", Value: "true"}}}, true},
		{"a job's own override does not count", common.Job{Variables: common.JobVariables{
			{Key: "CI_COMMIT_REF_PROTECTED", Value: "false"}, {Key: "CI_COMMIT_REF_PROTECTED", Value: "true"}}}, false},
		{"nothing sent", common.Job{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, RefProtected(&tt.job)) })
	}
}
