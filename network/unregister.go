package network

import (
	"context"
	"net/http"
)

// Unregister deletes the runner from GitLab with its authentication token
// (DELETE /api/v4/runners): nil on 204, ErrForbidden on 403 (GitLab knows
// no runner by that token, perhaps deleted already), a *RedirectError for
// a redirect it does not follow, a *StatusError or *GiveUpError otherwise.
// The token goes in the body, as in every request of the client, never
// in the URL, which proxies log.
func (c *Client) Unregister(ctx context.Context) error {
	const op = "unregister runner"
	req, err := c.jsonRequest(op, http.MethodDelete, "runners", struct {
		Token string `json:"token"`
	}{c.token})
	if err != nil {
		return err
	}
	resp, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if resp.status == http.StatusNoContent {
		return nil
	}
	return c.statusError(op, resp)
}
