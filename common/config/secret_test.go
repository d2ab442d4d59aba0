package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"token", true},
		{"runners[0].token", true},
		{"runners[0].kubernetes.bearer_token", true},
		{"DB_PASSWORD", true},
		{"client_Secret", true},
		{`node_selector."api-TOKEN"`, true},
		{"runners[0].url", false},
		{"runners[0].name", false},
		{"runners[0].environment[1]", false},
		{"runners[0].kubernetes.image_pull_secrets", false},
		{"runners[0].kubernetes.image_pull_secrets[3]", false},
		{"image_pull_secrets", false},
		{"runners[0].kubernetes.use_service_account_image_pull_secrets", false},
		{`runners[0].kubernetes.node_selector."image_pull_secrets"`, true},
		{"runners[0].kubernetes.image_pull_secrets_extra", true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, IsSecretKey(tt.key))
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://gitlab.example.com", "https://gitlab.example.com"},
		{"https://user:pw@gitlab.example.com/x", "https://[REDACTED]@gitlab.example.com/x"},
		{"https://glrt-abc@gitlab.example.com", "https://[REDACTED]@gitlab.example.com"},
		{"user:pw@gitlab.example.com", "[REDACTED]@gitlab.example.com"},
		{"https://gitlab.example.com/a@b", "https://gitlab.example.com/a@b"},
		{"https://u:p@a@host:80?q=1", "https://[REDACTED]@host:80?q=1"},
		{"https://user:pass word@host/p", "https://[REDACTED]@host/p"},
		{"alpine@sha256:abc", "[REDACTED]@sha256:abc"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, RedactURL(tt.in))
		})
	}
	t.Run("inside a message", func(t *testing.T) {
		assert.Equal(t, `"ftp://[REDACTED]@h" is not an http(s) URL; see https://[REDACTED]@x/`,
			redactUserinfoIn(`"ftp://u:p@h" is not an http(s) URL; see https://a:b@x/`))
	})
}

// secretFragment is part of every secret below; no message may contain it.
const secretFragment = "Zq9Xw7"

// TestSecretsStayOutOfMessages loads files that put a secret where the
// loader must complain about it, and greps everything a caller could print:
// each error's text and fields, every error it wraps, and the warnings.
func TestSecretsStayOutOfMessages(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"token of the wrong type", "[[runners]]\ntoken = { value = \"Zq9Xw7Vb3Kp2\" }\n"},
		{"token array", "[[runners]]\ntoken = [\"Zq9Xw7Vb3Kp2\"]\n"},
		{"token as a bare word", "[[runners]]\ntoken = Zq9Xw7Vb3Kp2\n"},
		{"token string not closed", "[[runners]]\ntoken = \"Zq9Xw7Vb3Kp2\n"},
		{"token with a bad escape", "[[runners]]\ntoken = \"Zq9Xw7\\q\"\n"},
		{"junk after a token", "[[runners]]\ntoken = \"Zq9Xw7Vb3Kp2\" junk\n"},
		{"token in a dotted key", "runners = [{ token = Zq9Xw7Vb3Kp2 }]\n"},
		{"url with credentials and the wrong scheme", "[[runners]]\nurl = \"ftp://user:Zq9Xw7Vb3Kp2@gitlab.example.com\"\n"},
		{"url with credentials and no scheme", "[[runners]]\nurl = \"user:Zq9Xw7Vb3Kp2@gitlab.example.com\"\n"},
		{"url with credentials that do not parse", "[[runners]]\nurl = \"https://user:Zq9Xw7 Vb3@gitlab.example.com\"\n"},
		{"url of the wrong type", "[[runners]]\nurl = [\"https://user:Zq9Xw7Vb3Kp2@gitlab.example.com\"]\n"},
		{"url bare word with credentials", "[[runners]]\nurl = https://user:Zq9Xw7Vb3Kp2@gitlab.example.com\n"},
		{"environment entry with a bad name", "[[runners]]\nenvironment = [\"DB PASSWORD=Zq9Xw7Vb3Kp2\"]\n"},
		{"environment entry without =", "[[runners]]\nenvironment = [\"Zq9Xw7Vb3Kp2\"]\n"},
		{"environment entry with a bad escape", "[[runners]]\nenvironment = [\n  \"DB_PASSWORD=Zq9Xw7\\q\",\n]\n"},
		{"unsupported secret key", "[[runners]]\n[runners.kubernetes]\nbearer_token = \"Zq9Xw7Vb3Kp2\"\nbearer_token_x = 1\n"},
		{"a label named like a secret", "[[runners]]\n[runners.kubernetes.node_selector]\n\"api-token\" = \"Zq9Xw7 Vb3Kp2!\"\n"},
		{"password of the wrong type", "[[runners]]\n[runners.kubernetes]\npassword = 12345\nsecret = Zq9Xw7\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, warnings, err := Parse("config.toml", []byte(tt.src))
			var texts []string
			for _, w := range warnings {
				texts = append(texts, w.String(), w.Message, w.Key)
			}
			if err != nil {
				texts = append(texts, err.Error())
				for _, ce := range configErrors(t, err) {
					texts = append(texts, ce.Error(), ce.Value, ce.Msg, ce.Hint, ce.Allowed)
					for e := ce.Err; e != nil; e = errors.Unwrap(e) {
						texts = append(texts, e.Error())
					}
					var wt *common.WrongTypeError
					if errors.As(ce, &wt) {
						texts = append(texts, wt.Value)
					}
				}
			}
			require.NotEmpty(t, texts, "every case must produce a message to check")
			for _, s := range texts {
				assert.NotContains(t, s, secretFragment)
			}
		})
	}
}

func TestRedactedMessages(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			"wrong type keeps the kind, not the value",
			"[[runners]]\ntoken = [\"Zq9Xw7Vb3Kp2\"]\n",
			"config.toml:2: runners[0].token: the value is an array (it is not shown: the key holds a secret); allowed: a string",
		},
		{
			"parse error on a secret line",
			"[[runners]]\ntoken = Zq9Xw7Vb3Kp2\n",
			"config.toml:2: invalid TOML (the details are not shown: the line sets a secret or a URL)",
		},
		{
			"url keeps everything but the credentials",
			"[[runners]]\nurl = \"ftp://user:Zq9Xw7Vb3Kp2@gitlab.example.com\"\n",
			`config.toml:2: runners[0].url: "ftp://[REDACTED]@gitlab.example.com" is not an http(s) URL; allowed: a GitLab URL such as "https://gitlab.example.com"`,
		},
		{
			"environment names the variable, not the value",
			"[[runners]]\nenvironment = [\"OK=1\", \"DB PASSWORD=Zq9Xw7Vb3Kp2\"]\n",
			`config.toml:2: runners[0].environment[1]: "DB PASSWORD" is not a valid variable name; allowed: letters, digits and _, not starting with a digit`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte(tt.src))
			errs := configErrors(t, err)
			require.Len(t, errs, 1)
			assert.EqualError(t, errs[0], tt.want)
		})
	}

	t.Run("an Error built by hand is redacted when rendered", func(t *testing.T) {
		e := &Error{File: "c.toml", Line: 3, Key: "runners[0].token", Value: "Zq9Xw7Vb3Kp2", Msg: `"Zq9Xw7Vb3Kp2" is bad`, Hint: "did you mean Zq9Xw7?"}
		assert.Equal(t, "c.toml:3: runners[0].token: the value is not valid (it is not shown: the key holds a secret)", e.Error())
		assert.False(t, strings.Contains(e.Error(), secretFragment))
	})
}
