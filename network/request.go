package network

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"

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
		// "bash" is GitLab Runner's default shell on Unix, which runs the
		// script in the image's bash and falls back to sh where the image
		// has none: what the executor does (podspec.StepShell).
		Shell:    "bash",
		Features: supportedFeatures,
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
		return decodeJob(resp.body, resp.bodyErr)
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

// decodeJob reads the payload of a 201, body, of which readErr says why
// it did not arrive whole. GitLab has assigned the job by then, so a
// payload that cannot be read is a *PayloadError with all that can be
// read of it, for failing the job.
func decodeJob(body []byte, readErr error) (*common.Job, error) {
	if readErr != nil {
		return nil, unreadable(body, fmt.Errorf("reading the payload: %w", readErr))
	}
	var job common.Job
	// A value of the wrong type does not stop Unmarshal: it fills in the
	// rest and returns the first such error.
	err := json.Unmarshal(body, &job)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return nil, unreadable(body, err)
	case err != nil:
		return nil, &PayloadError{JobID: job.ID, Token: job.Token, Job: &job, Reason: common.ConfigurationFailure, Err: err}
	case job.ID <= 0 || job.Token == "":
		return nil, &PayloadError{JobID: job.ID, Token: job.Token, Job: &job, Reason: common.RunnerSystemFailure, Err: errors.New("no job id or token")}
	}
	job.ApplyRunnerInfo()
	return &job, nil
}

// unreadable is the *PayloadError of a payload that did not arrive whole
// or is not JSON: the runner's side failed, not the job's configuration.
func unreadable(body []byte, err error) *PayloadError {
	id, token := payloadIdentity(body)
	return &PayloadError{JobID: id, Token: token, Job: &common.Job{ID: id, Token: token}, Reason: common.RunnerSystemFailure, Err: err}
}

// payloadIdentity reads the top-level "id" and "token" of a payload that
// may be cut short or broken past them: GitLab writes them first. Keys
// match as encoding/json matches them (case-insensitively, the last
// wins).
func payloadIdentity(body []byte) (id int64, token string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if open, err := dec.Token(); err != nil || open != json.Delim('{') {
		return 0, ""
	}
	for {
		key, err := dec.Token()
		k, ok := key.(string)
		if err != nil || !ok {
			return id, token
		}
		var raw json.RawMessage
		if dec.Decode(&raw) != nil || cutNumber(raw, body[dec.InputOffset():]) {
			return id, token
		}
		switch {
		case strings.EqualFold(k, "id"):
			_ = json.Unmarshal(raw, &id)
		case strings.EqualFold(k, "token"):
			_ = json.Unmarshal(raw, &token)
		}
	}
}

// cutNumber reports whether raw is a number that ends the input (rest is
// what follows it): it may have lost its last digits and still parse.
func cutNumber(raw json.RawMessage, rest []byte) bool {
	number := len(raw) > 0 && (raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9')
	return number && len(bytes.TrimSpace(rest)) == 0
}
