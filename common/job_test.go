package common

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const payloadFixture = `{
  "id": 42, "token": "job-token-xyz",
  "allow_git_fetch": true,
  "job_info": {"name": "build", "stage": "test", "project_id": 7, "project_name": "p"},
  "git_info": {"repo_url": "https://gitlab.example/p.git", "ref": "main", "sha": "abc",
    "before_sha": "000", "ref_type": "branch", "refspecs": ["+refs/heads/main:refs/remotes/origin/main"], "depth": 20},
  "runner_info": {"timeout": 3600},
  "features": {"failure_reasons": ["script_failure"], "token_mask_prefixes": ["glpat-", "glpat-", ""], "trace_sections": true},
  "variables": [
    {"key": "A", "value": "plain", "public": true},
    {"key": "S", "value": "s3cr3t-value", "masked": true},
    {"key": "E", "value": "", "masked": true},
    {"key": "T", "value": "job-token-xyz", "masked": true}
  ],
  "image": {"name": "alpine", "ports": [{"number": 8080, "protocol": "http", "name": "web"}]},
  "artifacts": [{"name": "a", "paths": ["out/"], "when": "on_success", "artifact_type": "archive"}],
  "cache": [{"key": "k", "paths": ["vendor/"], "untracked": true, "policy": "pull", "when": "always",
    "fallback_keys": ["main-protected"]}],
  "credentials": [{"type": "registry", "url": "registry.example.com:5005", "username": "gitlab-ci-token", "password": "job-token-xyz"}]
}`

func TestJobPayloadDecode(t *testing.T) {
	var j Job
	require.NoError(t, json.Unmarshal([]byte(payloadFixture), &j))
	j.ApplyRunnerInfo()

	assert.Equal(t, time.Hour, j.Timeout)
	assert.True(t, j.AllowGitFetch)
	assert.Equal(t, GitInfo{
		RepoURL: "https://gitlab.example/p.git", Ref: "main", Sha: "abc", BeforeSha: "000",
		RefType: RefTypeBranch, Refspecs: []string{"+refs/heads/main:refs/remotes/origin/main"}, Depth: 20,
	}, j.GitInfo)
	assert.Equal(t, []string{"script_failure"}, j.Features.FailureReasons)
	assert.True(t, j.Features.TraceSections)
	assert.Equal(t, []Port{{Number: 8080, Protocol: "http", Name: "web"}}, j.Image.Ports)
	assert.Equal(t, []JobArtifact{{Name: "a", Paths: []string{"out/"}, When: "on_success", ArtifactType: "archive"}}, j.Artifacts)
	assert.Equal(t, []Credentials{{Type: CredentialsTypeRegistry, URL: "registry.example.com:5005", Username: "gitlab-ci-token", Password: "job-token-xyz"}}, j.Credentials)
	assert.Equal(t, []JobCache{{Key: "k", Paths: []string{"vendor/"}, Policy: CachePolicyPull, When: CacheWhenAlways,
		FallbackKeys: []string{"main-protected"}, Untracked: true}}, j.Cache)
}

func TestApplyRunnerInfo(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seconds int
		before  time.Duration
		want    time.Duration
	}{
		{"set", 90, 0, 90 * time.Second},
		{"none sent keeps the existing value", 0, time.Minute, time.Minute},
		{"negative is none", -1, time.Minute, time.Minute},
		{"GitLab's maximum of one month passes", 2629746, 0, 2629746 * time.Second},
		{"the bound itself", 31 * 24 * 3600, 0, 31 * 24 * time.Hour},
		{"over the bound is the bound", 31*24*3600 + 1, 0, 31 * 24 * time.Hour},
		// 9223372036 s is the last whole second a time.Duration holds:
		// the expiry annotation wrapped to the year 1734.
		{"the largest Duration in seconds", 9223372036, 0, 31 * 24 * time.Hour},
		// One more overflowed to a negative Duration, which meant no
		// timeout at all.
		{"past the largest Duration", 9223372037, 0, 31 * 24 * time.Hour},
		{"the largest int", math.MaxInt, 0, 31 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := Job{Timeout: tc.before, RunnerInfo: JobRunnerInfo{Timeout: tc.seconds}}
			j.ApplyRunnerInfo()
			assert.Equal(t, tc.want, j.Timeout)
		})
	}
}

func TestMaskRules(t *testing.T) {
	var j Job
	require.NoError(t, json.Unmarshal([]byte(payloadFixture), &j))
	r := j.MaskRules()
	assert.Equal(t, []string{"s3cr3t-value", "job-token-xyz"}, r.Values, "masked values and the token, no empties, no duplicates")

	j.Credentials = append(j.Credentials, Credentials{Type: "registry", URL: "a.example.com", Username: "u", Password: "other-registry-pw"},
		Credentials{Type: "registry", URL: "b.example.com", Username: "u", Password: "short"})
	assert.Equal(t, []string{"s3cr3t-value", "job-token-xyz", "other-registry-pw"}, j.MaskRules().Values,
		"registry passwords of the payload, but none short enough to hide ordinary words")
	assert.Equal(t, []string{"glpat-"}, r.TokenPrefixes)
}

func TestIsTokenByte(t *testing.T) {
	for _, b := range []byte("azAZ09-_.") {
		assert.True(t, IsTokenByte(b), "%q", b)
	}
	for _, b := range []byte(" \n\"'/:@=+\x00\xff") {
		assert.False(t, IsTokenByte(b), "%q", b)
	}
}
