package commands

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/test/coordinator"
)

// unregister deletes each selected runner in GitLab (DELETE
// /api/v4/runners with its token) and removes those GitLab deleted from
// config.toml, keeping the rest of the file; a runner GitLab did not
// delete stays.
func TestUnregister(t *testing.T) {
	tests := []struct {
		name    string
		runners []string
		args    func(f *runnersFixture) []string
		env     func(f *runnersFixture) map[string]string
		prepare func(f *runnersFixture)
		code    int
		deleted []string // the tokens the coordinator was sent
		gone    []string // the tokens the coordinator no longer knows
		keep    []string // the runners left in the file
		stdout  []string
		stderr  []string
	}{
		{name: "--name", runners: []string{"a", "b", "c"}, args: flags("--name", "b"),
			deleted: []string{tokenB}, gone: []string{tokenB}, keep: []string{"a", "c"},
			stdout: []string{`Unregistered runner "b" at http://[REDACTED]@`, "and removed it from"}},
		{name: "-n", runners: []string{"a", "b"}, args: flags("-n", "a"), deleted: []string{tokenA}, gone: []string{tokenA}, keep: []string{"b"}},
		{name: "--url and --token", runners: []string{"a", "b", "c"},
			args:    func(f *runnersFixture) []string { return []string{"--url", f.coord.URL, "--token", tokenC} },
			deleted: []string{tokenC}, gone: []string{tokenC}, keep: []string{"a", "b"}, stdout: []string{`Unregistered runner "c"`}},
		{name: "CI_SERVER_URL and CI_SERVER_TOKEN", runners: []string{"a", "b", "c"}, args: flags(),
			env: func(f *runnersFixture) map[string]string {
				return map[string]string{"CI_SERVER_URL": f.coord.URL + "/", "CI_SERVER_TOKEN": tokenA}
			},
			deleted: []string{tokenA}, gone: []string{tokenA}, keep: []string{"b", "c"}},
		{name: "--all-runners", runners: []string{"a", "b", "c"}, args: flags("--all-runners"),
			deleted: []string{tokenA, tokenB, tokenC}, gone: []string{tokenA, tokenB, tokenC}, keep: nil},
		{name: "--all-runners beside a register's CI_SERVER_TOKEN", runners: []string{"a", "b"}, args: flags("--all-runners"),
			env: func(f *runnersFixture) map[string]string {
				return map[string]string{"CI_SERVER_URL": f.coord.URL, "CI_SERVER_TOKEN": tokenC}
			},
			deleted: []string{tokenA, tokenB}, gone: []string{tokenA, tokenB}, keep: nil},
		{name: "CONFIG_FILE", runners: []string{"a", "b"}, args: func(*runnersFixture) []string { return []string{"unregister", "--name", "a"} },
			env:     func(f *runnersFixture) map[string]string { return map[string]string{"CONFIG_FILE": f.path} },
			deleted: []string{tokenA}, gone: []string{tokenA}, keep: []string{"b"}},
		{name: "a token no runner of the file has", runners: []string{"a"},
			args:    func(f *runnersFixture) []string { return []string{"--url", f.coord.URL, "--token", tokenB} },
			deleted: []string{tokenB}, gone: []string{tokenB}, keep: []string{"a"},
			stdout: []string{"Unregistered the runner of token bbbbbbbbb… at http://127.0.0.1:", "holds no runner with that token and is unchanged"}},
		{name: "a token GitLab no longer knows stays", runners: []string{"a", "b", "c"}, args: flags("--all-runners"),
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenB) }, code: ExitError,
			deleted: []string{tokenA, tokenB, tokenC}, gone: []string{tokenA, tokenC}, keep: []string{"b"},
			stderr: []string{`runner "b" at http://[REDACTED]@`, "GitLab rejected the token (403)", "it stays in", "verify --delete"}},
		{name: "an unreachable GitLab", runners: []string{"a", "d"}, args: flags("--all-runners"), code: ExitError,
			deleted: []string{tokenA}, gone: []string{tokenA}, keep: []string{"d"}, stderr: []string{`runner "d"`, "connection refused", "it stays in"}},
		{name: "a failing GitLab", runners: []string{"a", "b"}, args: flags("--name", "a"), code: ExitError,
			prepare: func(f *runnersFixture) {
				f.coord.Inject(coordinator.EndpointUnregister, coordinator.Fault{Status: 500})
			},
			deleted: []string{tokenA}, keep: []string{"a", "b"}, stderr: []string{`runner "a"`, "500"}},
		{name: "unknown name", runners: []string{"a", "b"}, args: flags("--name", "zz"), code: ExitError,
			keep: []string{"a", "b"}, stderr: []string{`no runner is named "zz"; allowed: "a", "b"`}},
		{name: "the token of a runner with another URL", runners: []string{"a", "b"},
			args: func(*runnersFixture) []string {
				return []string{"--url", "https://gitlab.example.com", "--token", tokenA}
			}, code: ExitError,
			keep: []string{"a", "b"}, stderr: []string{`runner "a" has this token with the URL http://127.0.0.1:`, "nothing was unregistered"}},
		{name: "--all-runners of an empty file", args: flags("--all-runners"), stderr: []string{"Nothing to unregister"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oneTry(t)
			f := newRunnersFixture(t, tt.runners...)
			if tt.prepare != nil {
				tt.prepare(f)
			}
			args := append([]string{"unregister", "-c", f.path}, tt.args(f)...)
			var env map[string]string
			if tt.env != nil {
				env = tt.env(f)
			}
			if env["CONFIG_FILE"] != "" {
				args = tt.args(f)
			}

			code, stdout, stderr := runMain(t, args, env)

			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Equal(t, tt.deleted, deletes(t, f.coord))
			for _, tok := range tt.gone {
				assert.False(t, f.coord.HasRunner(tok), "GitLab deleted the runner")
			}
			assert.Equal(t, f.want(tt.keep...), f.text(t))
			assert.Empty(t, f.coord.Violations())
			for _, s := range tt.stdout {
				assert.Contains(t, stdout, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s)
			}
		})
	}
}

// flags is a test's arguments after "unregister -c FILE".
func flags(args ...string) func(*runnersFixture) []string {
	return func(*runnersFixture) []string { return args }
}

// A selection that is empty or says two things is a usage error, and
// GitLab is never asked.
func TestUnregisterRefusals(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "nothing selected", want: "say which runners: --name NAME, --url URL --token TOKEN, or --all-runners"},
		{name: "--all-runners and --name", args: []string{"--all-runners", "--name", "a"}, want: `--all-runners and --name "a" select different runners`},
		{name: "--name and --token", args: []string{"--name", "a", "--token", tokenB}, want: "give them without --name and --all-runners"},
		{name: "--all-runners and --url", args: []string{"--all-runners", "--url", "http://x"}, want: "give them without --name and --all-runners"},
		{name: "--token without --url", args: []string{"--token", tokenA}, want: "--token needs --url (or $CI_SERVER_URL)"},
		{name: "--url without --token", args: []string{"--url", "http://x"}, want: "--url needs --token (or $CI_SERVER_TOKEN)"},
		{name: "CI_SERVER_URL without a token", env: map[string]string{"CI_SERVER_URL": "http://x"}, want: "--url needs --token"},
		{name: "an argument", args: []string{"a"}, want: `unexpected argument "a"`},
		{name: "a misspelt flag", args: []string{"--all-runner"}, want: "unknown flag --all-runner; did you mean --all-runners?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRunnersFixture(t, "a", "b")
			code, _, stderr := runMain(t, append([]string{"unregister", "-c", f.path}, tt.args...), tt.env)
			assert.Equal(t, ExitUsage, code, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.Empty(t, f.coord.Requests())
			assert.Equal(t, f.want("a", "b"), f.text(t))
		})
	}
}
