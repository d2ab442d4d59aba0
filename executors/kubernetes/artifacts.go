package kubernetes

import (
	"fmt"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/artifacts"
)

// GitLab's artifact defaults: an entry without a type is the job's
// archive, one without a format a zip.
const (
	defaultArtifactType   = "archive"
	defaultArtifactFormat = artifacts.FormatZip
)

// The values of an artifact's when.
const (
	whenOnSuccess = "on_success"
	whenOnFailure = "on_failure"
	whenAlways    = "always"
)

// artifactPlan is what a job does with artifacts: the dependencies'
// downloads before the script, the uploads after it. The requests carry
// the job token and travel on the helper's stdin.
type artifactPlan struct {
	downloads []artifacts.DownloadRequest
	uploads   []artifactUpload
	warnings  []string
}

// artifactUpload is one entry of the payload's artifacts and when it is
// uploaded.
type artifactUpload struct {
	req  artifacts.UploadRequest
	when string
}

// newArtifactPlan reads the payload's artifacts and dependencies. It is
// pure; a bad value is a *podspec.ConfigError naming it. A job that has
// no GitLab to talk to (`kuberunner exec`) gets a warning instead.
func newArtifactPlan(job *common.Job, runner *config.RunnerConfig, vars common.JobVariables, dir string) (*artifactPlan, error) {
	p := &artifactPlan{}
	if len(job.Artifacts) == 0 && len(job.Dependencies) == 0 {
		return p, nil
	}
	if runner.URL == "" || job.Token == "" {
		p.warnings = append(p.warnings, "This job defines artifacts or dependencies, but it does not come from GitLab (no url, no job token): none are uploaded or downloaded")
		return p, nil
	}
	target := artifacts.Target{URL: runner.URL, Token: job.Token, TLS: helperTLS(runner)}
	for _, d := range job.Dependencies {
		if d.ArtifactsFile == nil || d.ArtifactsFile.Filename == "" {
			continue // that job kept no archive: GitLab Runner skips it too
		}
		t := target
		t.JobID, t.Token = d.ID, d.Token
		p.downloads = append(p.downloads, artifacts.DownloadRequest{Target: t, Name: d.Name, Dir: dir})
	}
	compression, err := compressionLevel(vars)
	if err != nil {
		return nil, err
	}
	for i, a := range job.Artifacts {
		up, err := uploadFor(a, i, vars)
		if err != nil {
			return nil, err
		}
		up.req.Target, up.req.Target.JobID, up.req.Dir = target, job.ID, dir
		up.req.Metadata, up.req.Compression = job.Features.ArtifactsMetadata, compression
		p.uploads = append(p.uploads, up)
	}
	return p, nil
}

// uploadFor is one artifacts entry with GitLab's defaults and the job's
// variables expanded in its name and paths, as GitLab Runner does.
func uploadFor(a common.JobArtifact, i int, vars common.JobVariables) (artifactUpload, error) {
	up := artifactUpload{when: a.When, req: artifacts.UploadRequest{
		Name: podspec.ExpandValue(a.Name, vars), Type: a.ArtifactType, Format: artifacts.Format(a.ArtifactFormat),
		ExpireIn: a.ExpireIn, Paths: expandAll(a.Paths, vars), Exclude: expandAll(a.Exclude, vars), Untracked: a.Untracked,
	}}
	if up.when == "" {
		up.when = whenOnSuccess
	}
	if up.req.Type == "" {
		up.req.Type = defaultArtifactType
	}
	if up.req.Format == "" {
		up.req.Format = defaultArtifactFormat
	}
	switch {
	case up.when != whenOnSuccess && up.when != whenOnFailure && up.when != whenAlways:
		return up, &podspec.ConfigError{Msg: fmt.Sprintf("artifacts[%d] (%s): when %q is not on_success, on_failure or always", i, up.req.Type, a.When)}
	case up.req.Format != artifacts.FormatZip && up.req.Format != artifacts.FormatGzip && up.req.Format != artifacts.FormatRaw:
		return up, &podspec.ConfigError{Msg: fmt.Sprintf("artifacts[%d] (%s): artifact_format %q is not zip, gzip or raw", i, up.req.Type, a.ArtifactFormat)}
	}
	return up, nil
}

func expandAll(list []string, vars common.JobVariables) []string {
	var out []string
	for _, s := range list {
		out = append(out, podspec.ExpandValue(s, vars))
	}
	return out
}

// compressionLevel reads ARTIFACT_COMPRESSION_LEVEL.
func compressionLevel(vars common.JobVariables) (artifacts.Compression, error) {
	v, _ := podspec.Lookup(vars, "ARTIFACT_COMPRESSION_LEVEL")
	c := artifacts.Compression(strings.TrimSpace(v))
	if _, err := c.Level(); err != nil {
		return "", &podspec.ConfigError{Msg: fmt.Sprintf("ARTIFACT_COMPRESSION_LEVEL %q: allowed: fastest, fast, default, slow, slowest", v)}
	}
	return c, nil
}

// uploadsNow reports whether an artifact with when is uploaded after a
// job whose steps ended in state.
func uploadsNow(when string, state jobState) bool {
	switch when {
	case whenAlways:
		return state != jobCanceled
	case whenOnFailure:
		return state == jobFailed
	}
	return state == jobSucceeded
}

// jobState is how the steps ended, for the artifacts' when.
type jobState int

const (
	jobSucceeded jobState = iota
	jobFailed
	jobCanceled
)
