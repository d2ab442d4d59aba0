package runner

import (
	"errors"

	"github.com/sirupsen/logrus"

	"kuberunner/common"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

// refused turns a job request's error into the job to fail, and why, when
// GitLab assigned a job whose payload cannot be read: the job is ours,
// and left alone it would stay running until GitLab times it out. The
// fault is logged, as with no id and token to report the job by the log
// is all that is left of it (and the request is not repeated: (nil, nil)
// waits as after "no job"). Any other error comes back as it was.
func refused(log logrus.FieldLogger, err error) (*common.Job, error) {
	var bad *network.PayloadError
	if !errors.As(err, &bad) {
		return nil, err
	}
	log = log.WithFields(logrus.Fields{"job": bad.JobID, "failure_reason": string(bad.Reason), logrus.ErrorKey: logText(bad.Err.Error())})
	if bad.JobID <= 0 || bad.Token == "" {
		log.Error("GitLab assigned a job whose payload cannot be read, nor its id and token: it cannot be reported")
		return nil, nil
	}
	log.Error("GitLab assigned a job whose payload cannot be read: failing it")
	// The build log escapes what it writes; the cap keeps its line short.
	why := errors.New("the job payload cannot be read: " + safetext.Cap(bad.Err.Error(), logTextLimit))
	return bad.Job, &common.BuildError{Inner: why, FailureReason: bad.Reason}
}
