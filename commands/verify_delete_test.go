package commands

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/test/coordinator"
)

// verify checks every runner or the one --name names; with --delete it
// removes from config.toml exactly the runners whose token GitLab rejects,
// through the writer register uses, keeping the rest of the file as it
// was; a GitLab it cannot reach, or one that fails, never removes one.
func TestVerifyNameAndDelete(t *testing.T) {
	tests := []struct {
		name     string
		runners  []string
		args     []string
		env      map[string]string
		prepare  func(f *runnersFixture)
		code     int
		verified int      // verify requests the coordinator got
		keep     []string // the runners left in the file
		stdout   []string
		stderr   []string
	}{
		{name: "every runner", runners: []string{"a", "b", "c"}, args: []string{"verify"},
			verified: 3, keep: []string{"a", "b", "c"}, stdout: []string{`Verified runner "a"`, `Verified runner "b"`, `Verified runner "c"`}},
		{name: "--name", runners: []string{"a", "b", "c"}, args: []string{"verify", "--name", "b"},
			verified: 1, keep: []string{"a", "b", "c"}, stdout: []string{`Verified runner "b"`}},
		{name: "-n", runners: []string{"a", "b", "c"}, args: []string{"verify", "-n", "c"},
			verified: 1, keep: []string{"a", "b", "c"}, stdout: []string{`Verified runner "c"`}},
		{name: "--name unknown", runners: []string{"a", "b", "c"}, args: []string{"verify", "--name", "zz"}, code: ExitError,
			keep: []string{"a", "b", "c"}, stderr: []string{`no runner is named "zz"; allowed: "a", "b", "c"`}},
		{name: "rejected without --delete", runners: []string{"a", "b", "c"}, args: []string{"verify"},
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenB) }, code: ExitError, verified: 3, keep: []string{"a", "b", "c"},
			stderr: []string{`runner "b" at http://[REDACTED]@`, "GitLab rejected the token (403)", "kuberunner verify --delete removes it"}},
		{name: "--delete removes the rejected runner only", runners: []string{"a", "b", "c"}, args: []string{"verify", "--delete"},
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenB) }, verified: 3, keep: []string{"a", "c"},
			stdout: []string{`Verified runner "a"`, `Removed runner "b" at http://[REDACTED]@`, "GitLab rejected its token", `Verified runner "c"`}},
		{name: "--delete with 401", runners: []string{"a", "b"}, args: []string{"verify", "--delete"},
			prepare:  func(f *runnersFixture) { f.coord.Inject(coordinator.EndpointVerify, coordinator.Fault{Status: 401}) },
			verified: 2, keep: []string{"b"}, stdout: []string{`Removed runner "a"`}},
		{name: "--delete --name leaves the others", runners: []string{"a", "b", "c"}, args: []string{"verify", "--delete", "--name", "a"},
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenB) }, verified: 1, keep: []string{"a", "b", "c"}},
		{name: "--delete with an unreachable GitLab", runners: []string{"a", "d", "c"}, args: []string{"verify", "--delete"},
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenC) }, code: ExitError, verified: 2, keep: []string{"a", "d"},
			stdout: []string{`Removed runner "c"`}, stderr: []string{`runner "d" at http://127.0.0.1:`, "connection refused"}},
		{name: "--delete with a failing GitLab", runners: []string{"a", "b"}, args: []string{"verify", "--delete"},
			prepare: func(f *runnersFixture) {
				f.coord.Inject(coordinator.EndpointVerify, coordinator.Fault{Status: 500, Times: 2})
			}, code: ExitError, verified: 2, keep: []string{"a", "b"}, stderr: []string{`runner "a"`, `runner "b"`, "500"}},
		{name: "CONFIG_FILE", runners: []string{"a", "b"}, args: []string{"verify", "--delete"}, env: map[string]string{"CONFIG_FILE": ""},
			prepare: func(f *runnersFixture) { f.coord.RemoveRunner(tokenA) }, verified: 2, keep: []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oneTry(t)
			f := newRunnersFixture(t, tt.runners...)
			if tt.prepare != nil {
				tt.prepare(f)
			}
			args := append(tt.args, "-c", f.path)
			if _, ok := tt.env["CONFIG_FILE"]; ok {
				args, tt.env = tt.args, map[string]string{"CONFIG_FILE": f.path}
			}

			code, stdout, stderr := runMain(t, args, tt.env)

			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Len(t, f.coord.RequestsTo(coordinator.PathRunnerVerify), tt.verified)
			assert.Equal(t, f.want(tt.keep...), f.text(t))
			for _, s := range tt.stdout {
				assert.Contains(t, stdout, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s)
			}
		})
	}
}
