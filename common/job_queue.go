package common

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// These two fields of job_info only feed a metric
// (gitlab_runner_job_queue_duration_seconds), so a value in another shape
// than GitLab's is read as well as it can be and never fails the job: the
// payload decoder fails a job over a value of the wrong type.

// QueueSeconds is job_info.time_in_queue_seconds, how long the job waited
// for a runner. GitLab sends a number; a string holding one is read too,
// and anything else, negative or not finite, is 0.
type QueueSeconds float64

func (q *QueueSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if json.Unmarshal(b, &f) != nil {
		var s string
		if json.Unmarshal(b, &s) == nil {
			f, _ = strconv.ParseFloat(strings.TrimSpace(s), 64)
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		f = 0
	}
	*q = QueueSeconds(f)
	return nil
}

// maxBucketLen bounds JobsRunningBucket, a label value: GitLab's are a
// few characters, and a label must not carry whatever a server sends.
const maxBucketLen = 16

// JobsRunningBucket is job_info.project_jobs_running_on_instance_runners_count:
// GitLab's bucket of the project's jobs running on instance runners ("0"
// to "4", "5+"; "+Inf" on other runners). A number is read as its text;
// anything else, or a text over 16 bytes, is "".
type JobsRunningBucket string

func (j *JobsRunningBucket) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		var n json.Number
		if json.Unmarshal(b, &n) == nil {
			s = n.String()
		}
	}
	if len(s) > maxBucketLen {
		s = ""
	}
	*j = JobsRunningBucket(s)
	return nil
}
