package commands

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/urfave/cli/v3"
)

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string // KUBERUNNER_CONFIG
		// configFile is $CONFIG_FILE, GitLab Runner's variable.
		configFile string
		wantCode   int
		stdout     string   // exact, when set
		contains   []string // substrings of stdout
		stderr     []string // substrings of stderr
		never      []string // in neither stdout nor stderr
	}{
		{
			name:     "example prints effective lists",
			args:     []string{"config", "check", "--config", "../examples/config.toml"},
			wantCode: ExitOK,
			stdout: `Checking ../examples/config.toml
runner "local" (runners[0]), namespace "ci":
  image "alpine:3.20": pull policies ["always", "if-not-present"]
  service (alias db) "postgres:16-alpine": pull policies ["if-not-present"]
0 errors, 0 warnings
`,
		},
		{
			name:     "warnings do not fail",
			args:     []string{"config", "check", "--config", "testdata/warnings.toml"},
			wantCode: ExitOK,
			stdout: `Checking testdata/warnings.toml
warning: testdata/warnings.toml:3: connection_max_age: not supported by kuberunner; ignored
warning: testdata/warnings.toml:12: runners[0].cache.s3.RoleARN: not supported by kuberunner; ignored
warning: testdata/warnings.toml:15: runners[0].kubernetes.poll_interval: not supported by kuberunner; ignored
runner "migrated" (runners[0]), namespace "ci":
  image (not set; each job names its own): pull policies [(cluster default)]
0 errors, 3 warnings
`,
		},
		{
			name:     "errors fail with lines",
			args:     []string{"config", "check", "--config", "testdata/errors.toml"},
			wantCode: ExitError,
			contains: []string{
				`error: testdata/errors.toml:3: runners[0].executor: executor "docker" is not supported by kuberunner; allowed: kubernetes (or "")`,
				`error: testdata/errors.toml:6: runners[0].kubernetes.pull_policy[0]: "if_not_present" is not a pull policy; allowed: always, if-not-present, never (did you mean "if-not-present"?)`,
				`error: testdata/errors.toml:7: runners[0].kubernetes.cpu_limit: "lots" is not a Kubernetes quantity`,
				"3 errors, 0 warnings\n",
			},
		},
		{
			name:     "empty intersection is an error",
			args:     []string{"config", "check", "--config", "testdata/intersection.toml"},
			wantCode: ExitError,
			contains: []string{`testdata/intersection.toml:4: runners[0].kubernetes.pull_policy: none of ["never"] is allowed by runner config allowed_pull_policies`},
		},
		{
			name:     "missing file",
			args:     []string{"config", "check", "--config", "testdata/nope.toml"},
			wantCode: ExitError,
			contains: []string{"error: testdata/nope.toml: cannot read the file: no such file or directory"},
		},
		{
			name:     "environment variable picks the file",
			args:     []string{"config", "check"},
			env:      "testdata/intersection.toml",
			wantCode: ExitError,
			contains: []string{"Checking testdata/intersection.toml\n"},
		},
		{
			name:     "flag overrides environment",
			args:     []string{"config", "check", "--config", "../examples/config.toml"},
			env:      "testdata/intersection.toml",
			wantCode: ExitOK,
			contains: []string{"Checking ../examples/config.toml\n"},
		},
		{
			name:     "a file without runners is refused, as exec refuses it",
			args:     []string{"config", "check", "--config", "testdata/empty.toml"},
			wantCode: ExitError,
			stdout:   "Checking testdata/empty.toml\nerror: testdata/empty.toml: the file has no [[runners]] entry, so no job can run from it\n1 error, 0 warnings\n",
		},
		{
			name:     "secrets are never printed",
			args:     []string{"config", "check", "--config", "testdata/secrets.toml"},
			wantCode: ExitError,
			stdout: `Checking testdata/secrets.toml
error: testdata/secrets.toml:3: runners[0].url: "ftp://[REDACTED]@gitlab.example.com" is not an http(s) URL; allowed: a GitLab URL such as "https://gitlab.example.com"
error: testdata/secrets.toml:4: runners[0].token: the value is an array (it is not shown: the key holds a secret); allowed: a string
error: testdata/secrets.toml:5: runners[0].environment[0]: "DB PASSWORD" is not a valid variable name; allowed: letters, digits and _, not starting with a digit
error: testdata/secrets.toml:5: runners[0].environment[1]: the entry has no "=" (it is not shown, as it may hold a secret); allowed: "KEY=VALUE"
4 errors, 0 warnings
`,
			never: []string{"Zq9Xw7"},
		},
		{name: "bad flag", args: []string{"config", "check", "--confg", "x"}, wantCode: ExitUsage, stderr: []string{"unknown flag --confg; did you mean --config?"}},
		{name: "extra argument", args: []string{"config", "check", "x.toml"}, wantCode: ExitUsage, stderr: []string{`unexpected argument "x.toml"`}},
		{name: "config alone", args: []string{"config"}, wantCode: ExitUsage, stderr: []string{"kuberunner config needs a command"}, contains: []string{"check "}},
		{name: "unknown config subcommand", args: []string{"config", "chek"}, wantCode: ExitUsage, stderr: []string{`unknown command "chek"; did you mean "check"?`}},
		{name: "check help", args: []string{"config", "check", "-h"}, wantCode: ExitOK, contains: []string{"--config string, -c string", "$CONFIG_FILE"}},
		{name: "CONFIG_FILE picks the file", args: []string{"config", "check"}, env: "", configFile: "testdata/intersection.toml",
			wantCode: ExitError, contains: []string{"Checking testdata/intersection.toml\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBERUNNER_CONFIG", tt.env)
			t.Setenv("CONFIG_FILE", tt.configFile)
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			if tt.stdout != "" {
				assert.Equal(t, tt.stdout, stdout.String())
			}
			for _, s := range tt.contains {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr.String(), s)
			}
			for _, s := range tt.never {
				assert.NotContains(t, stdout.String()+stderr.String(), s)
			}
		})
	}
}

func TestMainDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{name: "--version", args: []string{"--version"}, wantCode: ExitOK, stdout: []string{"kuberunner dev\n"}},
		{name: "version", args: []string{"version"}, wantCode: ExitOK, stdout: []string{"kuberunner dev\n"}},
		{name: "help lists commands", args: []string{"help"}, wantCode: ExitOK, stdout: []string{"config ", "version ", "help "}},
		{name: "no arguments", args: nil, wantCode: ExitUsage, stderr: []string{"Usage: kuberunner <command>"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: ExitUsage, stderr: []string{`unknown command "frobnicate"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, Main(tt.args, &stdout, &stderr))
			for _, s := range tt.stdout {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr.String(), s)
			}
		})
	}
}

func TestVersionFromLdflags(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "v1.2.3"
	var stdout bytes.Buffer
	assert.Equal(t, ExitOK, Main([]string{"--version"}, &stdout, &bytes.Buffer{}))
	assert.Equal(t, "kuberunner v1.2.3\n", stdout.String())
}

func TestRegisterTwicePanics(t *testing.T) {
	assert.Panics(t, func() {
		registerCommand("version", func(io.Writer, io.Writer) *cli.Command { return &cli.Command{Name: "version"} })
	})
}
