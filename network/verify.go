package network

import (
	"context"
	"net/http"
)

// Verify asks GitLab whether the runner token is valid: nil on 200,
// ErrUnauthorized on 401 and ErrForbidden on 403 (errors.Is), a
// *RedirectError for a redirect it does not follow, a *StatusError or
// *GiveUpError otherwise.
func (c *Client) Verify(ctx context.Context) error {
	const op = "verify runner"
	req, err := c.jsonRequest(op, http.MethodPost, "runners/verify", struct {
		Token    string `json:"token"`
		SystemID string `json:"system_id"`
	}{c.token, c.systemID})
	if err != nil {
		return err
	}
	resp, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if resp.status == http.StatusOK {
		return nil
	}
	return c.statusError(op, resp)
}
