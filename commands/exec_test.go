package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
)

const pipeline = `build:
  image: alpine:3.20
  variables:
    GOOD: "1"
  script: [echo hi]
`

// execFixture is a directory with a pipeline, a kubeconfig and the given
// config files, and the paths a test refers to.
type execFixture struct {
	dir, pipeline, kubeconfig string
}

func newExecFixture(t *testing.T, configs map[string]string) execFixture {
	t.Helper()
	dir := t.TempDir()
	f := execFixture{dir: dir, pipeline: filepath.Join(dir, ".gitlab-ci.yml"), kubeconfig: filepath.Join(dir, "kubeconfig")}
	require.NoError(t, os.WriteFile(f.pipeline, []byte(pipeline), 0o600))
	require.NoError(t, os.WriteFile(f.kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600))
	for name, src := range configs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600))
	}
	return f
}

func (f execFixture) path(name string) string { return filepath.Join(f.dir, name) }

// defaultConfigAbsent reports whether nothing is at the default config path
// of this user, which some cases need and cannot arrange when running as
// root on a machine with /etc/kuberunner/config.toml.
func defaultConfigAbsent(t *testing.T) bool {
	t.Helper()
	absent, err := config.Locate("").Absent()
	require.NoError(t, err)
	return absent
}

// TestExecRefusals runs exec up to the point where it would contact the
// cluster: every case is refused before that, with its exit code and a
// message naming what was wrong.
func TestExecRefusals(t *testing.T) {
	f := newExecFixture(t, map[string]string{
		"ok.toml":      "[[runners]]\nname = \"a\"\n",
		"two.toml":     "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n",
		"empty.toml":   "",
		"norun.toml":   "concurrent = 2\n",
		"dup.toml":     "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"a\"\n",
		"env.toml":     "[[runners]]\nname = \"a\"\nenvironment = [\"A B=1\"]\n",
		"secret.toml":  "[[runners]]\nname = \"a\"\ntoken = [\"glrt-Zq9Xw7Vb3Kp2\"]\n",
		"badvar.yml":   "build:\n  variables:\n    \"A B\": x\n  script: [x]\n",
		"escape.yml":   "\"job\\e]0;pwned\\a\":\n  script: [x]\n",
		"deep.toml":    "[[runners]]\nname = " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
		"big.yml":      strings.Repeat("#\n", 5<<20),
		"config.toml/": "",
	})
	require.NoError(t, os.Remove(f.path("config.toml/")))
	require.NoError(t, os.Mkdir(f.path("adir"), 0o700))
	fifo := f.path("fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	base := func(extra ...string) []string {
		return append([]string{"exec", "build", "--file", f.pipeline, "--kubeconfig", f.kubeconfig}, extra...)
	}

	tests := []struct {
		name string
		args []string
		env  string // KUBERUNNER_CONFIG
		// configFile is $CONFIG_FILE, GitLab Runner's variable.
		configFile string
		code       int
		stderr     []string // substrings
		stdout     []string // substrings; else stdout must be empty
		never      []string // must not appear in stdout or stderr
		needs      func(t *testing.T) bool
	}{
		// Usage errors: 2.
		{name: "no job", args: []string{"exec"}, code: ExitUsage, stderr: []string{"exec needs the name of a job"}},
		{name: "unknown flag", args: base("--kubeconfg", "x"), code: ExitUsage, stderr: []string{"unknown flag --kubeconfg; did you mean --kubeconfig?"}},
		{name: "two jobs", args: base("other"), code: ExitUsage, stderr: []string{`exec takes one JOB, got also ["other"]`}},
		{name: "zero timeout", args: base("--timeout", "0s"), code: ExitUsage, stderr: []string{"--timeout 0s: the timeout must be more than zero"}},
		{name: "negative timeout", args: base("--timeout", "-5m"), code: ExitUsage, stderr: []string{"--timeout -5m0s: the timeout must be more than zero"}},
		{name: "unparsable timeout", args: base("--timeout", "soon"), code: ExitUsage, stderr: []string{`invalid value "soon" for flag -timeout`}},
		{name: "unknown log format", args: base("--log-format", "json"), code: ExitUsage, stderr: []string{`unknown log format "json"`}},
		{name: "env without =", args: base("--env", "Zq9Xw7Vb3Kp2"), code: ExitUsage,
			stderr: []string{`--env (argument 1 of 1): expected KEY=VALUE; the argument has no "=" and is not shown`}, never: []string{"Zq9Xw7"}},
		{name: "masked-env without =", args: base("--masked-env", "A=12345678", "--masked-env", "Zq9Xw7Vb3Kp2"), code: ExitUsage,
			stderr: []string{`--masked-env (argument 2 of 2): expected KEY=VALUE`}, never: []string{"Zq9Xw7"}},
		{name: "help", args: []string{"exec", "-h"}, code: ExitOK, stdout: []string{"kuberunner exec [options] JOB", "--masked-env"}},

		// Refused inputs: 1.
		{name: "masked value too short", args: base("--config", f.path("ok.toml"), "--masked-env", "X=e"), code: ExitError,
			stderr: []string{`--masked-env: variable "X": a masked value needs at least 8 characters (the value has 1; it is not shown)`}},
		{name: "masked value on two lines", args: base("--config", f.path("ok.toml"), "--masked-env", "X=Zq9Xw7Vb\nKp2xxxxx"), code: ExitError,
			stderr: []string{`--masked-env: variable "X": a masked value must be a single line`}, never: []string{"Zq9Xw7"}},
		{name: "bad variable name from a flag", args: base("--config", f.path("ok.toml"), "--env", "A B=Zq9Xw7Vb3Kp2"), code: ExitError,
			stderr: []string{`--env: variable "A B" is not a valid variable name`}, never: []string{"Zq9Xw7"}},
		{name: "bad variable name from the pipeline", args: []string{"exec", "build", "--file", f.path("badvar.yml"), "--config", f.path("ok.toml")}, code: ExitError,
			stderr: []string{`badvar.yml:3: variables:A B: "A B" is not a valid variable name`}},
		{name: "missing pipeline file", args: []string{"exec", "build", "--file", f.path("nope.yml")}, code: ExitError,
			stderr: []string{"--file: open " + f.path("nope.yml") + ": no such file or directory"}},
		{name: "pipeline file is a pipe", args: []string{"exec", "build", "--file", fifo}, code: ExitError,
			stderr: []string{"--file: " + fifo + " is a named pipe, not a regular file"}},
		{name: "pipeline file over 8 MiB", args: []string{"exec", "build", "--file", f.path("big.yml")}, code: ExitError,
			stderr: []string{"--file: " + f.path("big.yml") + " is 10485760 bytes, over the limit of 8 MiB"}},
		{name: "missing --config", args: base("--config", f.path("nope.toml")), code: ExitError,
			stderr: []string{"config file named by --config: " + f.path("nope.toml") + ": cannot read the file: no such file or directory"}},
		{name: "misspelt KUBERUNNER_CONFIG", args: base(), env: f.path("nope.toml"), code: ExitError,
			stderr: []string{"config file named by $KUBERUNNER_CONFIG: " + f.path("nope.toml") + ": cannot read the file: no such file or directory"}},
		{name: "misspelt CONFIG_FILE", args: base(), configFile: f.path("nope.toml"), code: ExitError,
			stderr: []string{"config file named by $CONFIG_FILE: " + f.path("nope.toml") + ": cannot read the file: no such file or directory"}},
		{name: "misspelt -c", args: base("-c", f.path("nope.toml")), configFile: f.path("ok.toml"), code: ExitError,
			stderr: []string{"config file named by --config: " + f.path("nope.toml")}},
		{name: "config is a directory", args: base("--config", f.path("adir")), code: ExitError,
			stderr: []string{f.path("adir") + ": not a regular file (it is a directory)"}},
		{name: "config is a pipe", args: base("--config", fifo), code: ExitError,
			stderr: []string{fifo + ": not a regular file (it is a named pipe)"}},
		{name: "config is a device", args: base("--config", "/dev/zero"), code: ExitError,
			stderr: []string{"/dev/zero: not a regular file (it is a character device)"}},
		{name: "missing --kubeconfig", args: []string{"exec", "build", "--file", f.pipeline, "--kubeconfig", f.path("nokube")}, code: ExitError,
			stderr: []string{"--kubeconfig: open " + f.path("nokube") + ": no such file or directory"}, never: []string{"KUBERNETES_MASTER"}},
		{name: "--runner without a config file", args: base("--runner", "a"), code: ExitError, needs: defaultConfigAbsent,
			stderr: []string{`--runner "a" needs a config file: neither --config, $KUBERUNNER_CONFIG nor $CONFIG_FILE names one`}},
		{name: "empty config", args: base("--config", f.path("empty.toml")), code: ExitError,
			stderr: []string{f.path("empty.toml") + ": the file has no [[runners]] entry, so no job can run from it"}},
		{name: "config without runners", args: base("--config", f.path("norun.toml")), code: ExitError,
			stderr: []string{"no [[runners]] entry"}},
		{name: "two runners, none chosen", args: base("--config", f.path("two.toml")), code: ExitError,
			stderr: []string{`the file has 2 runners; choose one by name; allowed: "a", "b" (pick one with --runner NAME)`}},
		{name: "unknown runner", args: base("--config", f.path("two.toml"), "--runner", "c"), code: ExitError,
			stderr: []string{`no runner is named "c"; allowed: "a", "b"`}},
		{name: "duplicate runner names", args: base("--config", f.path("dup.toml"), "--runner", "a"), code: ExitError,
			stderr: []string{f.path("dup.toml") + `:4: runners[1].name: runner name "a" is already used by runners[0] (line 2)`}},
		{name: "environment name with a space", args: base("--config", f.path("env.toml")), code: ExitError,
			stderr: []string{f.path("env.toml") + `:3: runners[0].environment[0]: "A B" is not a valid variable name`}},
		{name: "config nested too deeply", args: base("--config", f.path("deep.toml")), code: ExitError,
			stderr: []string{f.path("deep.toml") + ":2: tables, arrays and inline tables nest deeper than the limit of 64 levels"}},
		{name: "secret in a config error", args: base("--config", f.path("secret.toml")), code: ExitError,
			stderr: []string{"runners[0].token: the value is an array (it is not shown: the key holds a secret)"}, never: []string{"Zq9Xw7"}},
		{name: "unknown job, and job names with escape sequences", args: []string{"exec", "x\x1b[2J", "--file", f.path("escape.yml")}, code: ExitError,
			stderr: []string{`no job "x\x1b[2J"; jobs in the file: job\x1b]0;pwned\a`}, never: []string{"\x1b", "\x07"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needs != nil && !tt.needs(t) {
				t.Skip("needs a machine without a config file at the default path")
			}
			t.Setenv(config.EnvVar, tt.env)
			t.Setenv("CONFIG_FILE", tt.configFile)
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, &stdout, &stderr)
			assert.Equal(t, tt.code, code, "stderr:\n%s", stderr.String())
			for _, s := range tt.stderr {
				assert.Contains(t, stderr.String(), s)
			}
			for _, s := range tt.never {
				assert.NotContains(t, stdout.String()+stderr.String(), s)
			}
			for _, s := range tt.stdout {
				assert.Contains(t, stdout.String(), s)
			}
			if tt.stdout == nil {
				assert.Empty(t, stdout.String(), "nothing reaches the build log before the job runs")
			}
		})
	}
}
