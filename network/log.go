package network

import (
	"errors"
	"net/url"
	"path"
	"time"

	"github.com/sirupsen/logrus"
)

// route names req in the log as its method and path under the base URL,
// e.g. "POST /api/v4/jobs/request". The host, userinfo and query stay out,
// as a URL can carry credentials; our paths hold only names and job IDs.
func (c *Client) route(req request) string {
	return req.method + " " + path.Join("/", c.base.Path, "api/v4", req.path)
}

// warnRetry says that try number attempt of req failed with err and when
// it is tried again, so that an operator sees GitLab struggling before a
// job fails of it.
func (c *Client) warnRetry(log logrus.FieldLogger, req request, attempt int, wait time.Duration, err error) {
	log.WithFields(errorFields(err)).WithFields(logrus.Fields{
		"endpoint": c.route(req),
		"attempt":  attempt,
		"wait":     wait.Round(time.Millisecond),
	}).Warn("GitLab request failed; retrying")
}

// errorFields is what the log may say of err: the status of an answer,
// the cause of no answer. An answer's body and a request's URL stay out,
// because a server may echo the token it was sent and a URL may carry
// credentials; tokens otherwise only travel in headers and bodies, which
// are never logged.
func errorFields(err error) logrus.Fields {
	var se *StatusError
	if errors.As(err, &se) {
		return logrus.Fields{"status": se.Status}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return logrus.Fields{logrus.ErrorKey: err.Error()}
}
