package common

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJobInfoQueueFields(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		seconds QueueSeconds
		bucket  JobsRunningBucket
	}{
		{"GitLab's shapes", `{"time_in_queue_seconds": 12.5, "project_jobs_running_on_instance_runners_count": "5+"}`, 12.5, "5+"},
		{"other runners", `{"time_in_queue_seconds": 0, "project_jobs_running_on_instance_runners_count": "+Inf"}`, 0, "+Inf"},
		{"numbers as text and text as numbers", `{"time_in_queue_seconds": "7", "project_jobs_running_on_instance_runners_count": 3}`, 7, "3"},
		{"absent", `{}`, 0, ""},
		{"wrong shapes are zero, not an error", `{"time_in_queue_seconds": [1], "project_jobs_running_on_instance_runners_count": {"a": 1}}`, 0, ""},
		{"negative seconds", `{"time_in_queue_seconds": -3}`, 0, ""},
		{"a long label value is dropped", `{"project_jobs_running_on_instance_runners_count": "01234567890123456789"}`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var info JobInfo
			require.NoError(t, json.Unmarshal([]byte(tt.json), &info))
			assert.Equal(t, tt.seconds, info.TimeInQueueSeconds)
			assert.Equal(t, tt.bucket, info.ProjectJobsRunning)
		})
	}
}
