package config

import (
	"fmt"
	"net/url"
)

// cloneURL checks clone_url: an http(s) URL with a host, and nothing a
// repository's path could not follow (userinfo, a query, a fragment).
func (d *decoder) cloneURL(p keyPath, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.RawQuery == "" && u.Fragment == "" {
		return
	}
	d.fail(p, &Error{Value: v, Msg: fmt.Sprintf("%q is not an http(s) URL of a host (and path) alone", RedactURL(v)),
		Allowed: `a URL such as "https://gitlab.internal" or "http://gitlab.internal:8080/gitlab", without credentials (the job token is used)`})
}
