package network

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// What a message may show of a request. A token travels in a header or a
// body, which are never logged, but an answer's body is quoted in a
// *StatusError and a server may echo what it got (an error page, a
// proxy); a URL is quoted in transport errors and redirects, and its
// userinfo may be a token (http://glpat-…@host). So every error the client
// builds masks the secrets of its request and shows URLs without userinfo.

const (
	// redacted stands for a URL's userinfo, as config errors write it.
	redacted = "[REDACTED]"
	// masked stands for a secret value, as the build log writes it.
	masked = "[MASKED]"
)

// redactURL is u with its userinfo, user and password both, replaced by
// [REDACTED]: url.URL.Redacted hides only the password.
func redactURL(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	s := c.String()
	if i := strings.Index(s, "://"); i >= 0 {
		return s[:i+3] + redacted + "@" + s[i+3:]
	}
	return s
}

// redactURLString is redactURL of the URL s; one that does not parse is
// not shown.
func redactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return redactURL(u)
}

// userinfoSecrets are the forms in which u's userinfo may come back: as
// written, each part, and as Go sends it (basic auth).
func userinfoSecrets(u *url.URL) []string {
	if u.User == nil {
		return nil
	}
	user := u.User.Username()
	pass, _ := u.User.Password()
	return []string{u.User.String(), user, pass, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
}

// secretsOf are the tokens req carries: in RUNNER-TOKEN, JOB-TOKEN, and the
// "token" of a JSON body (verify and job requests carry the runner token
// there, job updates the job token).
func secretsOf(req request) []string {
	secrets := []string{req.header.Get("RUNNER-TOKEN"), req.header.Get("JOB-TOKEN")}
	if strings.HasPrefix(req.header.Get("Content-Type"), "application/json") {
		var body struct {
			Token string `json:"token"`
		}
		if json.Unmarshal(req.body, &body) == nil {
			secrets = append(secrets, body.Token)
		}
	}
	return secrets
}

// hide is text with every secret of lists replaced by [MASKED]. Longer
// secrets go first, so that one holding another is masked whole.
func hide(text string, lists ...[]string) string {
	var secrets []string
	for _, l := range lists {
		for _, s := range l {
			if s != "" && !slices.Contains(secrets, s) {
				secrets = append(secrets, s)
			}
		}
	}
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, masked)
	}
	return text
}

// HideSecrets is err as a log or a message may show it: the runner token,
// the userinfo of GitLab's URL and more (a job's token) masked, whatever
// the error quotes. errors.Is and errors.As still see err.
func (c *Client) HideSecrets(err error, more ...string) error {
	if err == nil {
		return nil
	}
	return &hiddenError{err: err, text: hide(err.Error(), c.secrets, more)}
}

// hiddenError is an error shown with its secrets masked.
type hiddenError struct {
	err  error
	text string
}

func (e *hiddenError) Error() string { return e.text }
func (e *hiddenError) Unwrap() error { return e.err }
