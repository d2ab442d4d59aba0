package commands

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"kuberunner/helpers/clienttls"
	"kuberunner/network"
)

// gitlabTimeout bounds each call to GitLab that register, verify and
// unregister make for one runner, retries included.
const gitlabTimeout = time.Minute

// gitlabRetry is the retry policy of those calls: the client's default.
// Tests shorten it, so that a GitLab that cannot be reached fails at once.
var gitlabRetry network.RetryPolicy

// tokenRejectedError is GitLab's answer that it knows no runner by the
// token: 401 or 403. It is the one answer that lets verify --delete
// remove a runner from config.toml.
type tokenRejectedError struct{ status int }

func (e *tokenRejectedError) Error() string {
	return fmt.Sprintf("GitLab rejected the token (%d): it is wrong, expired or the runner was deleted", e.status)
}

// runnerCall makes one call to GitLab for the runner of url and token,
// trusting its tls-ca-file and presenting its client certificate. A 401
// or 403 is a *tokenRejectedError; no error shows the token or the URL's
// userinfo.
func runnerCall(url, token, systemID string, m clienttls.Material, call func(context.Context, *network.Client) error) error {
	tr, err := m.Transport(nil)
	if err != nil {
		return err
	}
	client, err := network.New(network.Config{URL: url, Token: token, SystemID: systemID, Version: Version, Revision: Revision,
		HTTPClient: &http.Client{Transport: tr}, CAFile: m.CAFile, Retry: gitlabRetry})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitlabTimeout)
	defer cancel()
	err = call(ctx, client)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, network.ErrUnauthorized):
		return &tokenRejectedError{http.StatusUnauthorized}
	case errors.Is(err, network.ErrForbidden):
		return &tokenRejectedError{http.StatusForbidden}
	}
	// The client's errors show no secret already; this also covers what
	// it did not build.
	return client.HideSecrets(err)
}

// verifyToken asks GitLab whether token is a valid runner token.
func verifyToken(url, token, systemID string, m clienttls.Material) error {
	return runnerCall(url, token, systemID, m, func(ctx context.Context, c *network.Client) error { return c.Verify(ctx) })
}
