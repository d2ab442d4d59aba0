package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kuberunner/common"
)

// This file is the one owner of "is this value a secret, and what of it may
// a message show". Every *Error passes through redact, from the decoder
// (fail) and again when rendered (Error), so no path prints a token.

// Redacted stands in for a value that is not shown.
const Redacted = "[REDACTED]"

// ErrSecretRedacted replaces the cause of an error about a secret value
// when that cause would carry the value (a parse error quoting it, a URL
// error holding the URL).
var ErrSecretRedacted = errors.New("details not shown: the value is a secret")

// secretWords make a key secret when its name contains one, in any case:
// token, bearer_token, DB_PASSWORD, client_secret, and the credentials of
// [runners.cache] (AccessKey, SecretKey, PrivateKey, AccountKey).
var secretWords = []string{"token", "password", "secret", "accesskey", "privatekey", "accountkey"}

// IsSecretKey reports whether key, a single name or a whole path such as
// runners[0].kubernetes.bearer_token, names a secret: some part of it
// contains token, password or secret, ignoring case. A path contains a
// word exactly when one of its parts does, since the separators ('.', '[')
// cannot occur inside a word. tokenMetadataKeys are the exceptions.
func IsSecretKey(key string) bool {
	lower := strings.ToLower(key)
	for _, k := range tokenMetadataKeys {
		if strings.HasSuffix(lower, k) {
			return false
		}
	}
	if parent, last := splitLastKey(lower); secretNameKeys[last] {
		lower = parent
	}
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// tokenMetadataKeys name a token without holding it, and a message must
// be able to show their values: the path of the file that holds the
// token, and when GitLab issued it and when it expires.
var tokenMetadataKeys = []string{"token_file", "token_obtained_at", "token_expires_at"}

// secretNameKeys hold the names of Kubernetes Secrets, which a message may
// show, though their own names contain "secret".
var secretNameKeys = map[string]bool{"image_pull_secrets": true, "use_service_account_image_pull_secrets": true}

// splitLastKey cuts a path's last key (without an index after it) from
// its parent: "runners[0].kubernetes.image_pull_secrets[1]" is
// "runners[0].kubernetes" and "image_pull_secrets".
func splitLastKey(path string) (parent, last string) {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			path = path[:i]
		}
	}
	i := strings.LastIndexByte(path, '.')
	return path[:max(i, 0)], path[i+1:]
}

// urlKeys hold URLs, which may carry credentials as userinfo
// (https://user:token@gitlab.example.com).
var urlKeys = map[string]bool{"url": true, "host": true, "clone_url": true}

// isURLKey reports whether the last part of key is one of urlKeys.
func isURLKey(key string) bool {
	if i := strings.LastIndexAny(key, ".]"); i >= 0 {
		key = key[i+1:]
	}
	return urlKeys[strings.ToLower(strings.Trim(key, `"' `))]
}

// redact returns e as it may be shown. For a secret key nothing derived
// from the value survives: Value, the message and the hint are replaced,
// and the cause is kept only as its kind. For a URL key the userinfo is cut
// out of the value and out of every text that quotes it. Any text that
// contains a URL with userinfo loses it too, whatever the key.
func (e *Error) redact() *Error {
	if e.redacted {
		return e
	}
	out := *e
	out.redacted = true
	if IsSecretKey(e.Key) {
		out.Value, out.Hint = Redacted, ""
		out.Msg = "the value is not valid (it is not shown: the key holds a secret)"
		out.Err = ErrSecretRedacted
		var wt *common.WrongTypeError
		if errors.As(e.Err, &wt) {
			out.Msg = fmt.Sprintf("the value is %s (it is not shown: the key holds a secret)", wt.Got)
			out.Err = &common.WrongTypeError{Value: Redacted, Got: wt.Got, Want: wt.Want}
		}
		return &out
	}
	if isURLKey(e.Key) && e.Value != "" {
		if shown := RedactURL(e.Value); shown != e.Value {
			for _, t := range []*string{&out.Msg, &out.Allowed, &out.Hint} {
				*t = strings.ReplaceAll(*t, e.Value, shown)
				*t = strings.ReplaceAll(*t, quoteInner(e.Value), quoteInner(shown))
			}
			out.Value = shown
			out.Err = ErrSecretRedacted // a *url.Error holds the whole URL
		}
	}
	for _, t := range []*string{&out.Value, &out.Msg, &out.Allowed, &out.Hint} {
		*t = redactUserinfoIn(*t)
	}
	return &out
}

func quoteInner(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// RedactURL cuts the userinfo out of a URL value. Without a scheme it is
// still cut: "user:token@gitlab.example.com" is a URL missing its scheme,
// which is exactly the mistake that gets it printed in an error.
//
// The value is one URL, so the authority runs to the first '/', '?' or '#'
// after the scheme, whatever else it holds: a space in a password must not
// end it early, as it would in free text (redactUserinfoIn).
func RedactURL(v string) string {
	start := 0
	if i := strings.Index(v, "://"); i >= 0 {
		start = i + 3
	}
	end := strings.IndexAny(v[start:], "/?#")
	if end < 0 {
		end = len(v) - start
	}
	if at := strings.LastIndexByte(v[start:start+end], '@'); at >= 0 {
		return v[:start] + Redacted + v[start+at:]
	}
	return v
}

// redactUserinfoIn replaces the userinfo of every scheme://userinfo@host in
// text, which may be a message around the URL.
func redactUserinfoIn(text string) string {
	if !strings.Contains(text, "://") || !strings.Contains(text, "@") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "://")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		start := i + 3
		b.WriteString(text[:start])
		rest := text[start:]
		end := strings.IndexAny(rest, "/?#\"' \t\n")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
			b.WriteString(Redacted)
			rest = rest[at:]
			end -= at
		}
		b.WriteString(rest[:end])
		text = rest[end:]
	}
}

// secretLine reports whether a TOML parse error on line (its text) after
// lastKey (the parser's last key) may quote a secret: the line's key, or
// the last key, is a secret or a URL key. A parse error quotes whatever
// input it stopped at, so such a message is not shown.
func secretLine(line, lastKey string) bool {
	key, _, _ := strings.Cut(line, "=")
	key = strings.Trim(strings.TrimSpace(key), "[]")
	for _, k := range []string{key, lastKey} {
		if IsSecretKey(k) || isURLKey(strings.TrimSpace(k)) {
			return true
		}
	}
	return false
}
