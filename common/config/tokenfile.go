package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"unicode"

	"kuberunner/helpers/namedfile"
)

// token_file is kuberunner's own key (GitLab Runner has none like it): the
// runner's token read from a file at load, so that a config.toml kept in a
// ConfigMap or a chart's values holds no secret while the token stays in a
// Secret (the Helm chart mounts the Secret's runner-token key, the key
// GitLab Runner's chart uses). It is read once per load, like the tls-*
// files: a rotated token takes effect at the next start or reload.

// MaxTokenFileSize caps token_file: a token is a few dozen bytes, so a
// larger file is the wrong file.
const MaxTokenFileSize = 4 << 10

const tokenFileAllowed = "a readable file holding the runner's authentication token on one line (a trailing newline is fine), with token unset"

// tokenFile fills r.Token from r.TokenFile. Messages name the file and
// what is wrong with it, never its content.
func (d *decoder) tokenFile(p keyPath, r *RunnerConfig) {
	if r.TokenFile == "" {
		return
	}
	key := p.child("token_file")
	if r.Token != "" {
		d.fail(key, &Error{Msg: "token and token_file are both set", Allowed: tokenFileAllowed})
		return
	}
	path := d.resolve(r.TokenFile)
	data, err := namedfile.Read(path, MaxTokenFileSize)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		// No file by that name, or none we may open: the value may be
		// the token itself, put in the wrong key, so it is not shown.
		d.fail(key, &Error{Msg: fmt.Sprintf("%s (the value is not shown, in case it is the token itself; a relative path is taken from %s)", readProblem(err), filepath.Dir(d.file)),
			Allowed: tokenFileAllowed, Err: pe.Err})
		return
	}
	if err != nil {
		d.fail(key, &Error{Value: path, Msg: path + ": " + readProblem(err), Allowed: tokenFileAllowed, Err: err})
		return
	}
	token := strings.TrimSpace(string(data))
	if problem := tokenProblem(token); problem != "" {
		d.fail(key, &Error{Value: path, Msg: fmt.Sprintf("%s %s (the content is not shown)", path, problem), Allowed: tokenFileAllowed})
		return
	}
	r.TokenFile, r.Token = path, token
}

// tokenProblem says what makes token unusable, or "" when nothing does. A
// space or control character inside would be sent to GitLab as part of
// the token and fail there with a less helpful answer.
func tokenProblem(token string) string {
	switch {
	case token == "":
		return "is empty"
	case strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return "holds more than one line, a space or a control character"
	}
	return ""
}
