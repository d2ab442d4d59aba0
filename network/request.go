package network

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"

	"kuberunner/common"
)

// runnerInfo is the "info" of a job request: who is asking.
type runnerInfo struct {
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	Revision     string   `json:"revision"`
	Platform     string   `json:"platform"`
	Architecture string   `json:"architecture"`
	Executor     string   `json:"executor"`
	Shell        string   `json:"shell"`
	Features     features `json:"features"`
}

func newRunnerInfo(version, revision string) runnerInfo {
	return runnerInfo{
		Name:         "kuberunner",
		Version:      version,
		Revision:     revision,
		Platform:     runtime.GOOS,
		Architecture: runtime.GOARCH,
		Executor:     "kubernetes",
		Shell:        "bash",
		Features:     supportedFeatures,
	}
}

type jobRequest struct {
	Token      string     `json:"token"`
	SystemID   string     `json:"system_id"`
	LastUpdate string     `json:"last_update,omitempty"`
	Info       runnerInfo `json:"info"`
}

// RequestJob asks GitLab for a job. It returns the job (with Timeout set
// from runner_info), or nil and no error when there is none (204). The
// X-GitLab-Last-Update value of each answer is sent back with the next
// request. A 403 is ErrForbidden, a 409 ErrConflict (ask again); 408, 429
// and 5xx are retried per the policy. A 201 whose payload cannot be read
// is a *PayloadError.
func (c *Client) RequestJob(ctx context.Context) (*common.Job, error) {
	const op = "request job"
	req, err := c.jsonRequest(op, http.MethodPost, "jobs/request", jobRequest{
		Token: c.token, SystemID: c.systemID, LastUpdate: c.LastUpdate(), Info: c.info,
	})
	if err != nil {
		return nil, err
	}
	req.header.Set("RUNNER-TOKEN", c.token)
	req.timeout = c.jobTimeout
	resp, err := c.call(ctx, req)
	if err != nil {
		return nil, err
	}
	if v := resp.header.Get("X-GitLab-Last-Update"); v != "" {
		c.mu.Lock()
		c.lastUpdate = v
		c.mu.Unlock()
	}
	switch resp.status {
	case http.StatusCreated:
		return decodeJob(resp.body)
	case http.StatusNoContent:
		return nil, nil
	}
	return nil, c.statusError(op, resp)
}

// LastUpdate is the X-GitLab-Last-Update value the next job request sends.
func (c *Client) LastUpdate() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastUpdate
}

// decodeJob reads a job payload.
func decodeJob(body []byte) (*common.Job, error) {
	var job common.Job
	if err := json.Unmarshal(body, &job); err != nil {
		// Keep what identifies the job, so that it can still be failed.
		var id struct {
			ID    int64  `json:"id"`
			Token string `json:"token"`
		}
		_ = json.Unmarshal(body, &id)
		return nil, &PayloadError{JobID: id.ID, Token: id.Token, Err: err}
	}
	if job.ID == 0 || job.Token == "" {
		return nil, &PayloadError{JobID: job.ID, Token: job.Token, Err: fmt.Errorf("no job id or token")}
	}
	job.ApplyRunnerInfo()
	return &job, nil
}
