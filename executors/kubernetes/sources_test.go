package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/gitsource"
)

const sha40 = "0123456789abcdef0123456789abcdef01234567"

func gitJob() *common.Job {
	return &common.Job{Token: "job-token-1234", GitInfo: common.GitInfo{
		RepoURL: "https://gitlab-ci-token:job-token-1234@git.example/g/p.git", Ref: "main", Sha: sha40, RefType: "branch", Depth: 20,
	}}
}

func vars(kv ...string) common.JobVariables {
	var out common.JobVariables
	for i := 0; i < len(kv); i += 2 {
		out = append(out, common.JobVariable{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestGitRequest(t *testing.T) {
	tests := []struct {
		name    string
		vars    common.JobVariables
		check   func(t *testing.T, r gitsource.Request)
		wantErr string
	}{
		{"payload defaults", nil, func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, gitsource.Strategy("fetch"), r.Strategy)
			assert.Equal(t, 20, r.Depth)
			assert.True(t, r.Checkout)
			assert.Equal(t, "job-token-1234", r.Token)
			assert.Equal(t, "/builds/p", r.Dir)
			assert.Equal(t, []string{"--prune", "--quiet"}, r.FetchFlags, "GitLab Runner's default")
			assert.Nil(t, r.SubmoduleDepth)
			assert.Nil(t, r.SubmodulePaths)
			assert.False(t, r.LFSSkipSmudge)
		}, ""},
		{"GIT_* variables win", vars("GIT_STRATEGY", "clone", "GIT_DEPTH", "1", "GIT_CHECKOUT", "false"),
			func(t *testing.T, r gitsource.Request) {
				assert.Equal(t, gitsource.Strategy("clone"), r.Strategy)
				assert.Equal(t, 1, r.Depth)
				assert.False(t, r.Checkout)
			}, ""},
		{"GIT_STRATEGY none", vars("GIT_STRATEGY", "none"), func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, gitsource.Strategy("none"), r.Strategy)
		}, ""},
		{"GIT_STRATEGY empty", vars("GIT_STRATEGY", "empty"), func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, gitsource.StrategyEmpty, r.Strategy)
		}, ""},
		{"GIT_SUBMODULE_DEPTH", vars("GIT_SUBMODULE_DEPTH", "0"), func(t *testing.T, r gitsource.Request) {
			require.NotNil(t, r.SubmoduleDepth)
			assert.Equal(t, 0, *r.SubmoduleDepth)
		}, ""},
		{"GIT_SUBMODULE_PATHS", vars("GIT_SUBMODULE_PATHS", " libs/a  :(exclude)libs/big "), func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, []string{"libs/a", ":(exclude)libs/big"}, r.SubmodulePaths)
		}, ""},
		{"GIT_FETCH_EXTRA_FLAGS", vars("GIT_FETCH_EXTRA_FLAGS", "--no-tags --depth 5"), func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, []string{"--no-tags", "--depth", "5"}, r.FetchFlags)
		}, ""},
		{"GIT_FETCH_EXTRA_FLAGS none", vars("GIT_FETCH_EXTRA_FLAGS", "none"), func(t *testing.T, r gitsource.Request) {
			assert.Empty(t, r.FetchFlags)
		}, ""},
		{"GIT_LFS_SKIP_SMUDGE 1", vars("GIT_LFS_SKIP_SMUDGE", "1"), func(t *testing.T, r gitsource.Request) {
			assert.True(t, r.LFSSkipSmudge)
		}, ""},
		{"GIT_LFS_SKIP_SMUDGE off", vars("GIT_LFS_SKIP_SMUDGE", "Off"), func(t *testing.T, r gitsource.Request) {
			assert.False(t, r.LFSSkipSmudge)
		}, ""},
		{"bad GIT_DEPTH", vars("GIT_DEPTH", "deep"), nil, `GIT_DEPTH "deep" is not a number of commits`},
		{"bad GIT_SUBMODULE_DEPTH", vars("GIT_SUBMODULE_DEPTH", "-1"), nil, `GIT_SUBMODULE_DEPTH "-1" is not a number of commits`},
		{"bad GIT_CHECKOUT", vars("GIT_CHECKOUT", "maybe"), nil, `GIT_CHECKOUT "maybe"`},
		{"bad GIT_STRATEGY", vars("GIT_STRATEGY", "copy"), nil, `GIT_STRATEGY "copy" is not "clone", "fetch", "none" or "empty"`},
		{"bad GIT_SUBMODULE_STRATEGY", vars("GIT_SUBMODULE_STRATEGY", "all"), nil, `GIT_SUBMODULE_STRATEGY "all" is not`},
		{"bad GIT_SUBMODULE_PATHS", vars("GIT_SUBMODULE_PATHS", ":(glob)x/**"), nil,
			`GIT_SUBMODULE_PATHS ":(glob)x/**": pathspec ":(glob)x/**" uses magic "glob", which the helper does not support; supported: exclude`},
		{"unsupported GIT_FETCH_EXTRA_FLAGS", vars("GIT_FETCH_EXTRA_FLAGS", "--prune --unshallow"), nil,
			`GIT_FETCH_EXTRA_FLAGS "--prune --unshallow": "--unshallow" is not supported: the helper fetches with go-git, which cannot honour it; the flags the helper honours are --prune (-p)`},
		{"bad GIT_LFS_SKIP_SMUDGE", vars("GIT_LFS_SKIP_SMUDGE", "sometimes"), nil, `GIT_LFS_SKIP_SMUDGE "sometimes" is not a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := gitRequest(gitJob(), tt.vars, "/builds/p")
			if tt.wantErr != "" {
				var ce *podspec.ConfigError
				require.ErrorAs(t, err, &ce)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "job-token-1234")
				return
			}
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}

func TestNewSourcePlan(t *testing.T) {
	hooks := []common.Hook{
		{Name: common.HookPreGetSources, Script: []string{"echo pre"}},
		{Name: common.HookPostGetSources, Script: []string{"echo post"}},
		{Name: "post_build_script", Script: []string{"echo never"}},
	}
	tests := []struct {
		name     string
		vars     common.JobVariables
		attempts int
		err      string
	}{
		{"one attempt by default", nil, 1, ""},
		{"GET_SOURCES_ATTEMPTS", vars("GET_SOURCES_ATTEMPTS", "3"), 3, ""},
		{"GET_SOURCES_ATTEMPTS at most", vars("GET_SOURCES_ATTEMPTS", "10"), 10, ""},
		{"GET_SOURCES_ATTEMPTS 0", vars("GET_SOURCES_ATTEMPTS", "0"), 0, `GET_SOURCES_ATTEMPTS "0" is not a number of attempts from 1 to 10`},
		{"GET_SOURCES_ATTEMPTS 11", vars("GET_SOURCES_ATTEMPTS", "11"), 0, `GET_SOURCES_ATTEMPTS "11"`},
		{"GET_SOURCES_ATTEMPTS text", vars("GET_SOURCES_ATTEMPTS", "many"), 0, `GET_SOURCES_ATTEMPTS "many"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := gitJob()
			job.Hooks = hooks
			p, err := newSourcePlan(job, &config.RunnerConfig{}, tt.vars, "/builds/p")
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.attempts, p.attempts)
			assert.Equal(t, []string{"echo pre"}, p.pre)
			assert.Equal(t, []string{"echo post"}, p.post)
			assert.Equal(t, []string{`The job's hook "post_build_script" is not run: this runner knows pre_get_sources_script and post_get_sources_script`}, p.warnings)
		})
	}
}

// The runner's get_sources scripts run around the job's hooks: its pre
// script first, its post script last; each is one command.
func TestNewSourcePlanRunnerScripts(t *testing.T) {
	tests := []struct {
		name      string
		hooks     []common.Hook
		runner    config.RunnerConfig
		pre, post []string
	}{
		{"both", []common.Hook{{Name: common.HookPreGetSources, Script: []string{"echo job pre"}}, {Name: common.HookPostGetSources, Script: []string{"echo job post"}}},
			config.RunnerConfig{PreGetSourcesScript: "echo runner pre\necho again", PostCloneScript: "echo runner post"},
			[]string{"echo runner pre\necho again", "echo job pre"}, []string{"echo job post", "echo runner post"}},
		{"the runner's alone", nil, config.RunnerConfig{PreCloneScript: "echo runner pre"}, []string{"echo runner pre"}, nil},
		{"the job's alone", []common.Hook{{Name: common.HookPostGetSources, Script: []string{"echo job post"}}}, config.RunnerConfig{},
			nil, []string{"echo job post"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := gitJob()
			job.Hooks = tt.hooks
			p, err := newSourcePlan(job, &tt.runner, nil, "/builds/p")
			require.NoError(t, err)
			assert.Equal(t, tt.pre, p.pre)
			assert.Equal(t, tt.post, p.post)
		})
	}
}

// clone_url replaces where the repository is fetched from, with the
// project's path; the token still authenticates.
func TestCloneURL(t *testing.T) {
	project := vars("CI_PROJECT_PATH", "group/sub/project")
	tests := []struct {
		name, base string
		vars       common.JobVariables
		want       string
	}{
		{"unset", "", project, "https://gitlab.example.com/group/sub/project.git"},
		{"a host", "http://gitlab.internal:8080/", project, "http://gitlab.internal:8080/group/sub/project.git"},
		{"a host and a path", "https://gitlab.internal/gitlab", project, "https://gitlab.internal/gitlab/group/sub/project.git"},
		{"no project path", "http://gitlab.internal", nil, "https://gitlab.example.com/group/sub/project.git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := gitJob()
			job.GitInfo.RepoURL = "https://gitlab.example.com/group/sub/project.git"
			p, err := newSourcePlan(job, &config.RunnerConfig{CloneURL: tt.base}, tt.vars, "/builds/p")
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.git.RepoURL)
			assert.Equal(t, job.Token, p.git.Token)
		})
	}
}

// fakeHelper records what one attempt runs in the helper container and
// answers each command in turn.
type fakeHelper struct {
	ran     []string // "sh: <the hook's last line>" or "clone"
	scripts []string // each hook's whole script
	answers []error
}

func (f *fakeHelper) run(_ context.Context, cmd []string, stdin io.Reader, _ func(string, []string) []string) error {
	b, _ := io.ReadAll(stdin)
	if cmd[0] == "sh" {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		f.ran = append(f.ran, "sh: "+lines[len(lines)-1])
		f.scripts = append(f.scripts, string(b))
	} else {
		f.ran = append(f.ran, cmd[0])
	}
	if len(f.answers) == 0 {
		return nil
	}
	err := f.answers[0]
	f.answers = f.answers[1:]
	return err
}

func TestGetSources(t *testing.T) {
	hooks := []common.Hook{{Name: common.HookPreGetSources, Script: []string{"echo pre-$HOOK_VAR"}}, {Name: common.HookPostGetSources, Script: []string{"echo post"}}}
	jobVars := vars("HOOK_VAR", "seen")
	tests := []struct {
		name     string
		strategy string
		answers  []error
		ran      []string // the commands in order; a hook by its first line
		said     string
		reason   common.FailureReason
		exit     int
	}{
		{"hooks around the clone", "fetch", nil, []string{"sh: echo pre-$HOOK_VAR", "clone", "sh: echo post"}, "", "", 0},
		{"a failing pre hook stops the attempt", "clone", []error{&ExecExitError{Container: "helper", Code: 3}},
			[]string{"sh: echo pre-$HOOK_VAR"}, "", common.ScriptFailure, 3},
		{"a failing post hook fails it", "fetch", []error{nil, nil, &ExecExitError{Container: "helper", Code: 4}},
			[]string{"sh: echo pre-$HOOK_VAR", "clone", "sh: echo post"}, "", common.ScriptFailure, 4},
		{"a failing clone is the runner's", "fetch", []error{nil, &ExecExitError{Container: "helper", Code: 1}},
			[]string{"sh: echo pre-$HOOK_VAR", "clone"}, "", common.RunnerSystemFailure, 0},
		{"a hook whose exec breaks", "fetch", []error{errors.New("stream lost")},
			[]string{"sh: echo pre-$HOOK_VAR"}, "", common.RunnerSystemFailure, 0},
		{"empty runs no hook", "empty", nil, []string{"clone"}, "Skipping the get_sources hooks: GIT_STRATEGY is empty", "", 0},
		{"none runs no hook", "none", nil, []string{"clone"}, "Skipping the get_sources hooks: GIT_STRATEGY is none", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := gitJob()
			job.Hooks = hooks
			p, err := newSourcePlan(job, &config.RunnerConfig{}, append(vars("GIT_STRATEGY", tt.strategy), jobVars...), "/builds/p")
			require.NoError(t, err)
			f := &fakeHelper{answers: tt.answers}
			var said []string
			err = p.getSources(context.Background(), f.run, jobVars, func(a ...any) { said = append(said, fmt.Sprint(a...)) })
			assert.Equal(t, tt.ran, f.ran)
			for _, s := range f.scripts {
				assert.Contains(t, s, "export HOOK_VAR='seen'\n", "the hook gets the job's variables on stdin")
			}
			if tt.said != "" {
				assert.Equal(t, []string{tt.said}, said)
			}
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			var be *common.BuildError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tt.reason, be.FailureReason)
			assert.Equal(t, tt.exit, be.ExitCode)
		})
	}
}

func TestRetrySources(t *testing.T) {
	fail := &common.BuildError{Inner: errors.New("clone failed"), FailureReason: common.RunnerSystemFailure}
	tests := []struct {
		name     string
		attempts int
		results  []error
		calls    int
		warnings int
		err      error
	}{
		{"one attempt, success", 1, []error{nil}, 1, 0, nil},
		{"one attempt, failure", 1, []error{fail}, 1, 0, fail},
		{"the second of three succeeds", 3, []error{fail, nil}, 2, 1, nil},
		{"all three fail: the last error", 3, []error{fail, fail, fail}, 3, 2, fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var warnings []string
			var waits []time.Duration
			err := retrySources(context.Background(), tt.attempts, sourcesRetryBackoff,
				func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
				func(a ...any) { warnings = append(warnings, fmt.Sprint(a...)) },
				func(context.Context) error { calls++; return tt.results[calls-1] })
			assert.Equal(t, tt.err, err)
			assert.Equal(t, tt.calls, calls)
			assert.Len(t, warnings, tt.warnings)
			assert.Len(t, waits, tt.warnings)
			if tt.warnings > 0 {
				assert.Regexp(t, `^Getting the sources failed \(attempt 1 of 3, GET_SOURCES_ATTEMPTS\): runner_system_failure: clone failed; trying again in 1(\.\d)?s$`, warnings[0])
			}
		})
	}
}

func TestRetrySourcesStopsWithTheJob(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := retrySources(ctx, 5, sourcesRetryBackoff, waitFor, func(...any) {},
		func(context.Context) error { calls++; cancel(); return errors.New("canceled midway") })
	require.EqualError(t, err, "canceled midway")
	require.Equal(t, 1, calls, "no retry once the job's context ended")
}

func TestSourcesRetryBackoff(t *testing.T) {
	b := sourcesRetryBackoff
	var total time.Duration
	for i := 1; i < maxSourcesAttempts; i++ {
		d := b.Step()
		total += d
		lo := min(time.Second<<(i-1), 8*time.Second)
		require.GreaterOrEqual(t, d, lo, "retry %d", i)
		require.LessOrEqual(t, d, lo*3/2, "retry %d", i)
	}
	require.LessOrEqual(t, total, 90*time.Second)
}

// GIT_CLONE_PATH, built from the job's own variables, moves the project
// directory, and CI_PROJECT_DIR and what refers to it follow.
func TestJobVariablesCloneDir(t *testing.T) {
	job := gitJob()
	job.Variables = common.JobVariables{
		{Key: "CI_PROJECT_PATH", Value: "group/project", Public: true},
		{Key: "GOPATH", Value: "$CI_BUILDS_DIR/go", Public: true},
		{Key: "GIT_CLONE_PATH", Value: "$GOPATH/src/example.com/$CI_PROJECT_PATH", Public: true},
		{Key: "OUT", Value: "$CI_PROJECT_DIR/out", Public: true},
	}
	opts := executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "r"}}
	dir, vars, err := jobVariables(opts)
	require.NoError(t, err)
	assert.Equal(t, "/builds/go/src/example.com/group/project", dir)
	got, _ := podspec.Lookup(vars, "CI_PROJECT_DIR")
	assert.Equal(t, dir, got)
	got, _ = podspec.Lookup(vars, "OUT")
	assert.Equal(t, dir+"/out", got)

	no := false
	opts.Runner.CustomBuildDir = &config.CustomBuildDirConfig{Enabled: &no}
	_, _, err = jobVariables(opts)
	assert.ErrorContains(t, err, "[runners.custom_build_dir] enabled is false")

	job.Variables = job.Variables[:1]
	dir, _, err = jobVariables(opts)
	require.NoError(t, err)
	assert.Equal(t, "/builds/group/project", dir, "without GIT_CLONE_PATH the default")
}
