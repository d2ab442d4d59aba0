package network

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// payloadStart is how GitLab begins a payload: id and token first.
const payloadStart = `{"id": 77, "token": "job-tok-77", "job_info": {"name": "build", "project_id": 42}, `

// A 201 has assigned a job, whatever happens to its body: the request is
// never sent again (it would be assigned another job, and the first would
// never be reported), and what identifies the job is read from the part
// that arrived, so that it can be failed.
func TestRequestJobBrokenBodyIsNotRequestedAgain(t *testing.T) {
	whole := payloadStart + `"steps": [{"name": "script", "script": ["true"], "when": "on_success"}]}`
	huge := payloadStart + `"padding": "` + strings.Repeat("x", maxBody) + `"}`
	for _, tc := range []struct {
		name      string
		payload   string
		fault     *coordinator.PayloadFault
		wantID    int64
		wantToken string
	}{
		{"cut short after the token", whole, &coordinator.PayloadFault{Cut: len(payloadStart) + 5}, 77, "job-tok-77"},
		{"stalls after the token", whole, &coordinator.PayloadFault{Cut: len(payloadStart) + 5, Stall: true}, 77, "job-tok-77"},
		{"over 64 MiB", huge, nil, 77, "job-tok-77"},
		{"cut in the token", whole, &coordinator.PayloadFault{Cut: strings.Index(whole, "-77")}, 77, ""},
		{"stalls before anything", whole, &coordinator.PayloadFault{Cut: 0, Stall: true}, 0, ""},
		{"not JSON", "<html>Bad gateway</html>", nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			srv.EnqueueRaw(77, "job-tok-77", []byte(tc.payload))
			if tc.fault != nil {
				srv.BreakPayload(77, *tc.fault)
			}
			next := srv.Enqueue(common.Job{})
			c := newClient(t, srv, nil, runnerToken)
			c.jobTimeout = 200 * time.Millisecond

			job, err := c.RequestJob(t.Context())

			assert.Nil(t, job, "not the next job in the queue")
			var pe *PayloadError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantID, pe.JobID)
			assert.Equal(t, tc.wantToken, pe.Token)
			assert.Equal(t, common.RunnerSystemFailure, pe.Reason)
			require.NotNil(t, pe.Job)
			assert.Equal(t, pe.JobID, pe.Job.ID)
			assert.Equal(t, pe.Token, pe.Job.Token)
			// A stalled answer is recorded once its handler sees the client
			// leave; RequestJob has returned, so no other request follows.
			assert.Eventually(t, func() bool { return len(srv.RequestsTo(coordinator.PathJobsRequest)) == 1 },
				10*time.Second, 10*time.Millisecond, "asked once")
			rec, _ := srv.Job(next)
			assert.Empty(t, rec.RunnerToken, "job %d still queued", next)
		})
	}
}

// A payload that is JSON but has a value of the wrong type keeps all that
// did decode: the failure reasons GitLab knows (so configuration_error is
// not sent as script_failure), the name and the project.
func TestRequestJobKeepsWhatDecoded(t *testing.T) {
	const rest = `"features": {"failure_reasons": ["script_failure", "configuration_error"]}, `
	for _, tc := range []struct {
		name, part, wantErr string
	}{
		{"variables as an object", `"variables": {"A": "1"}`, "variables"},
		{"a string timeout", `"runner_info": {"timeout": "3600"}`, "timeout"},
		{"an unknown pull_policy", `"image": {"name": "alpine", "pull_policy": ["sometimes"]}`, "sometimes"},
		{"a user that is an object", `"image": {"name": "alpine", "executor_opts": {"kubernetes": {"user": {"uid": 1}}}}`, "executor_opts user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			srv.EnqueueRaw(77, "job-tok-77", []byte(payloadStart+rest+tc.part+"}"))
			c := newClient(t, srv, nil, runnerToken)

			job, err := c.RequestJob(t.Context())

			assert.Nil(t, job)
			var pe *PayloadError
			require.ErrorAs(t, err, &pe)
			assert.ErrorContains(t, err, tc.wantErr)
			assert.Equal(t, common.ConfigurationFailure, pe.Reason)
			require.NotNil(t, pe.Job)
			assert.Equal(t, int64(77), pe.Job.ID)
			assert.Equal(t, "job-tok-77", pe.Job.Token)
			assert.Equal(t, "build", pe.Job.JobInfo.Name)
			assert.Equal(t, int64(42), pe.Job.JobInfo.ProjectID)
			assert.Equal(t, []string{"script_failure", "configuration_error"}, pe.Job.Features.FailureReasons)
		})
	}
}

// payloadIdentity reads id and token from the start of whatever arrived,
// matching keys as encoding/json does.
func TestPayloadIdentity(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		id         int64
		token      string
	}{
		{"whole", `{"id": 5, "token": "t"}`, 5, "t"},
		{"cut after the token", `{"id": 5, "token": "t", "steps": [{"na`, 5, "t"},
		{"keys in another case", `{"ID": 5, "Token": "t"`, 5, "t"},
		{"the last one wins", `{"id": 5, "id": 6, "token": "t"}`, 6, "t"},
		{"a value of the wrong type keeps the earlier one", `{"id": 5, "id": "x", "token": "t"}`, 5, "t"},
		{"nested ids do not count", `{"job_info": {"id": 9}, "token": "t"`, 0, "t"},
		{"a number at the very end may be cut", `{"token": "t", "id": 5`, 0, "t"},
		{"a string at the very end is whole", `{"id": 5, "token": "t"`, 5, "t"},
		{"an array", `[{"id": 5}]`, 0, ""},
		{"empty", ``, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, token := payloadIdentity([]byte(tc.body))
			assert.Equal(t, tc.id, id)
			assert.Equal(t, tc.token, token)
		})
	}
}

// GitLab's shape of an image's executor_opts and a service's variables
// (which come without a public flag) decodes into the job model.
func TestRequestJobImageOptionsAndServiceVariables(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	srv.EnqueueRaw(77, "job-tok-77", []byte(payloadStart+`"image": {"name": "alpine", "executor_opts": {"kubernetes": {"user": "1234:1234"}}},
		"services": [{"name": "postgres:16", "alias": "db", "variables": [{"key": "S", "value": "v"}], "executor_opts": {"docker": {"user": 999, "platform": "amd64"}}}]}`))
	c := newClient(t, srv, nil, runnerToken)

	job, err := c.RequestJob(t.Context())

	require.NoError(t, err)
	assert.Equal(t, common.ImageUser("1234:1234"), job.Image.ExecutorOptions.Kubernetes.User)
	require.Len(t, job.Services, 1)
	assert.Equal(t, common.JobVariables{{Key: "S", Value: "v"}}, job.Services[0].Variables)
	assert.Equal(t, common.ImageUser("999"), job.Services[0].ExecutorOptions.Docker.User)
}
