package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"kuberunner/common"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// configErrors lists the *Error values of a joined error.
func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "the loader joins its errors: %v", err)
	var out []*Error
	for _, e := range joined.Unwrap() {
		var ce *Error
		require.ErrorAs(t, e, &ce)
		out = append(out, ce)
	}
	return out
}

// at is "line key", the shortest way to compare where problems were found.
type at struct {
	Line int
	Key  string
}

func errorsAt(t *testing.T, err error) []at {
	var out []at
	for _, ce := range configErrors(t, err) {
		out = append(out, at{ce.Line, ce.Key})
	}
	return out
}

func warningsAt(ws []Warning) []at {
	var out []at
	for _, w := range ws {
		out = append(out, at{w.Line, w.Key})
	}
	return out
}

func TestLoadConfigValid(t *testing.T) {
	t.Run("valid.toml", func(t *testing.T) {
		cfg, warnings, err := Load("testdata/valid.toml")
		require.NoError(t, err)
		assert.Empty(t, warnings)
		assert.Equal(t, 4, cfg.Concurrent)
		assert.Equal(t, 5, cfg.CheckInterval)
		assert.Equal(t, "debug", cfg.LogLevel)
		require.Len(t, cfg.Runners, 2)

		r := cfg.Runners[0]
		assert.Equal(t, "local", r.Name)
		assert.Equal(t, 2, r.Limit)
		assert.Equal(t, []string{"A=1", "B="}, r.Environment)
		k := r.Kubernetes
		assert.Equal(t, "ci", k.Namespace)
		assert.Equal(t, common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}, k.PullPolicy)
		assert.Equal(t, 60, k.PollTimeout)
		require.NotNil(t, k.Privileged)
		assert.True(t, *k.Privileged)
		assert.Equal(t, map[string]string{"kubernetes.io/arch": "amd64"}, k.NodeSelector)
		assert.Equal(t, "1e9", k.MemoryLimit)
		require.Len(t, k.Services, 1)
		assert.Equal(t, KubernetesService{
			Name: "postgres:16", Alias: "db",
			Entrypoint: []string{"docker-entrypoint.sh"},
			Command:    []string{"postgres", "-c", "fsync=off"},
			PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent},
		}, k.Services[0])

		d := cfg.Runners[1]
		assert.Equal(t, "kubernetes", d.Executor)
		require.NotNil(t, d.Kubernetes)
		assert.Equal(t, "default", d.Kubernetes.Namespace)
		assert.Equal(t, 180, d.Kubernetes.PollTimeout)
		assert.Nil(t, d.Kubernetes.Privileged)
	})

	t.Run("empty.toml gets every default", func(t *testing.T) {
		cfg, warnings, err := Load("testdata/empty.toml")
		require.NoError(t, err)
		assert.Empty(t, warnings)
		assert.Equal(t, &Config{Concurrent: 1, CheckInterval: 3, LogLevel: "info", LogFormat: "text"}, cfg)
	})
}

func TestLoadConfigGitLabRunnerFile(t *testing.T) {
	cfg, warnings, err := Load("testdata/gitlab-runner.toml")
	require.NoError(t, err)

	// One warning per unsupported key, a whole table counting as one key,
	// with the line where it starts.
	assert.Equal(t, []at{
		{9, "connection_max_age"},
		{11, "session_server"},
		{41, "runners[0].feature_flags"},
		{45, "runners[0].kubernetes.bearer_token_overwrite_allowed"},
		{53, "runners[0].kubernetes.poll_interval"},
		{74, "runners[0].kubernetes.init_permissions_container_security_context"},
	}, warningsAt(warnings))
	for _, w := range warnings {
		assert.Equal(t, "testdata/gitlab-runner.toml", w.File)
		assert.Contains(t, w.Message, "not supported by kuberunner")
	}

	// What kuberunner does support was still read.
	require.Len(t, cfg.Runners, 1)
	k := cfg.Runners[0].Kubernetes
	assert.Equal(t, "ci-jobs", k.Namespace)
	assert.Equal(t, "", k.Host)
	assert.Equal(t, 360, k.PollTimeout)
	assert.Equal(t, common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent, common.PullPolicyNever}, k.AllowedPullPolicies)
	assert.Equal(t, map[string]string{"kubernetes.io/os": "linux", "node.example.com/pool": "ci"}, k.NodeSelector)
	assert.Equal(t, map[string]string{"ci=true": "NoSchedule"}, k.NodeTolerations)
	require.Len(t, k.Services, 2)
	assert.Equal(t, "api", k.Services[1].Alias)
	assert.Equal(t, 10, cfg.Concurrent)
	assert.Equal(t, 3, cfg.CheckInterval, "0 means the default, as in GitLab Runner")
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		file string
		want []at
	}{
		{"wrong-types.toml", []at{
			{1, "concurrent"},
			{2, "check_interval"},
			{3, "log_level"},
			{6, "runners[0].name"},
			{7, "runners[0].limit"},
			{8, "runners[0].environment"},
			{10, "runners[0].kubernetes.privileged"},
			{11, "runners[0].kubernetes.poll_timeout"},
			{12, "runners[0].kubernetes.node_selector"},
			{13, "runners[0].kubernetes.cpu_request"},
			{14, "runners[0].kubernetes.services"},
		}},
		{"bad-policies.toml", []at{
			{4, "runners[0].kubernetes.pull_policy"},
			{5, "runners[0].kubernetes.allowed_pull_policies[0]"},
			{5, "runners[0].kubernetes.allowed_pull_policies[2]"},
			{8, "runners[0].kubernetes.services[0].pull_policy[1]"},
		}},
		{"empty-intersection.toml", []at{
			{5, "runners[0].kubernetes.pull_policy"},
			{9, "runners[0].kubernetes.services[0].pull_policy"},
		}},
		{"impossible.toml", []at{
			{1, "concurrent"},
			{2, "check_interval"},
			{3, "log_level"},
			{4, "listen_address"},
			{8, "runners[0].url"},
			{9, "runners[0].executor"},
			{10, "runners[0].limit"},
			{11, "runners[0].environment[1]"},
			{11, "runners[0].environment[2]"},
			{13, "runners[0].kubernetes.namespace"},
			{14, "runners[0].kubernetes.service_account"},
			{15, "runners[0].kubernetes.image"},
			{16, "runners[0].kubernetes.poll_timeout"},
			{17, "runners[0].kubernetes.cpu_request"},
			{18, "runners[0].kubernetes.memory_limit"},
			{19, `runners[0].kubernetes.node_selector."bad key!"`},
			{19, "runners[0].kubernetes.node_selector.ok"},
			{20, "runners[0].kubernetes.services[0].name"},
			{24, "runners[0].kubernetes.services[1].alias"},
		}},
		{"syntax-error.toml", []at{{4, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			cfg, _, err := Load(path)
			require.Error(t, err)
			assert.Nil(t, cfg)
			assert.Equal(t, tt.want, errorsAt(t, err))
			for _, ce := range configErrors(t, err) {
				assert.Equal(t, path, ce.File)
				assert.NotEmpty(t, ce.Msg)
			}
		})
	}
}

func TestConfigErrorDetails(t *testing.T) {
	parse := func(t *testing.T, src string) []*Error {
		t.Helper()
		_, _, err := Parse("config.toml", []byte(src))
		require.Error(t, err)
		return configErrors(t, err)
	}

	t.Run("unknown policy reads like the docs promise", func(t *testing.T) {
		errs := parse(t, "[[runners]]\n[runners.kubernetes]\npull_policy = \"if_not_present\"\n")
		require.Len(t, errs, 1)
		assert.EqualError(t, errs[0], `config.toml:3: runners[0].kubernetes.pull_policy: "if_not_present" is not a pull policy; allowed: always, if-not-present, never (did you mean "if-not-present"?)`)
		assert.Equal(t, "if_not_present", errs[0].Value)
		assert.Equal(t, "always, if-not-present, never", errs[0].Allowed)
		var upe *common.UnknownPullPolicyError
		require.ErrorAs(t, errs[0], &upe)
		assert.Equal(t, common.PullPolicyIfNotPresent, upe.Suggestion)
	})

	t.Run("wrong type names value and wanted type", func(t *testing.T) {
		errs := parse(t, "concurrent = \"4\"\n")
		require.Len(t, errs, 1)
		assert.EqualError(t, errs[0], `config.toml:1: concurrent: "4" is a string; allowed: an integer`)
		var wt *common.WrongTypeError
		require.ErrorAs(t, errs[0], &wt)
		assert.Equal(t, "a string", wt.Got)
	})

	t.Run("empty intersection carries the common.PullPolicyError", func(t *testing.T) {
		_, _, err := Load("testdata/empty-intersection.toml")
		var ppe *common.PullPolicyError
		require.ErrorAs(t, err, &ppe, "errors.As finds the first one through the join")
		assert.Equal(t, "alpine:3.20", ppe.Image)
		assert.Equal(t, common.PullPolicies{common.PullPolicyIfNotPresent}, ppe.Requested)
		assert.Equal(t, common.FromRunnerConfig, ppe.RequestedFrom)
		assert.Equal(t, common.PullPolicies{common.PullPolicyAlways}, ppe.Allowed)
		assert.Equal(t, common.FromAllowedPullPolicies, ppe.AllowedFrom)
		errs := configErrors(t, err)
		assert.Contains(t, errs[0].Error(), `none of ["if-not-present"] is allowed by runner config allowed_pull_policies`)
		assert.Equal(t, "always", errs[0].Allowed)
	})

	t.Run("syntax error keeps the toml.ParseError", func(t *testing.T) {
		_, _, err := Load("testdata/syntax-error.toml")
		var pe toml.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 4, pe.Position.Line)
	})

	t.Run("missing file", func(t *testing.T) {
		_, _, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
		require.ErrorIs(t, err, fs.ErrNotExist)
		var ce *Error
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Error(), "nope.toml: cannot read the file")
	})

	t.Run("warnings survive errors", func(t *testing.T) {
		_, warnings, err := Parse("config.toml", []byte("connection_max_age = \"15m\"\nconcurrent = -1\n"))
		require.Error(t, err)
		assert.Equal(t, []at{{1, "connection_max_age"}}, warningsAt(warnings))
	})

	t.Run("typo in a key gets a hint", func(t *testing.T) {
		_, warnings, err := Parse("config.toml", []byte("[[runners]]\n[runners.kubernetes]\npul_policy = \"always\"\n"))
		require.NoError(t, err)
		require.Len(t, warnings, 1)
		assert.Equal(t, `config.toml:3: runners[0].kubernetes.pul_policy: not supported by kuberunner; ignored (did you mean "pull_policy"?)`, warnings[0].String())
	})
}

func TestParseConfigLines(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		warnings []at
		errs     []at
	}{
		{
			name: "second array element counts from its own header",
			src: `[[runners]]
name = "a"
[[runners]]
name = "b"
limit = -1
[runners.kubernetes]
cache_dir = "x"
`,
			warnings: []at{{7, "runners[1].kubernetes.cache_dir"}},
			errs:     []at{{5, "runners[1].limit"}},
		},
		{
			name: "dotted keys and inline tables",
			src: `[[runners]]
kubernetes.namespace = "Bad"
kubernetes.pod_tolerations = { a = "b" }
`,
			warnings: []at{{3, "runners[0].kubernetes.pod_tolerations"}},
			errs:     []at{{2, "runners[0].kubernetes.namespace"}},
		},
		{
			name: "multi-line strings and arrays do not confuse the scan",
			src: `[[runners]]
multi_line_key = """
limit = 5
[runners.fake]
"""
environment = [
  "A=1",  # comment with = and [brackets]
  'B',
]
another_multi_line_key = '''
x = 1
'''
limit = -3
`,
			warnings: []at{{2, "runners[0].multi_line_key"}, {10, "runners[0].another_multi_line_key"}},
			errs:     []at{{6, "runners[0].environment[1]"}, {13, "runners[0].limit"}},
		},
		{
			name: "services of two runners",
			src: `[[runners]]
[[runners.kubernetes.services]]
name = "a"
[[runners]]
[[runners.kubernetes.services]]
name = "b"
[[runners.kubernetes.services]]
name = "c"
pull_policy = "nope"
`,
			errs: []at{{9, "runners[1].kubernetes.services[1].pull_policy"}},
		},
		{
			name: "quoted keys",
			src: `[[runners]]
[runners.kubernetes.node_selector]
"kubernetes.io/os" = "linux"
'bad key' = "x"
`,
			errs: []at{{4, `runners[0].kubernetes.node_selector."bad key"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, warnings, err := Parse("config.toml", []byte(tt.src))
			assert.Equal(t, tt.warnings, warningsAt(warnings))
			if tt.errs == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.errs, errorsAt(t, err))
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c *Config)
	}{
		{"poll_timeout unset", "[[runners]]\n", func(t *testing.T, c *Config) {
			assert.Equal(t, 180, c.Runners[0].Kubernetes.PollTimeout)
		}},
		{"poll_timeout zero", "[[runners]]\n[runners.kubernetes]\npoll_timeout = 0\n", func(t *testing.T, c *Config) {
			assert.Equal(t, 180, c.Runners[0].Kubernetes.PollTimeout)
		}},
		{"namespace empty", "[[runners]]\n[runners.kubernetes]\nnamespace = \"\"\n", func(t *testing.T, c *Config) {
			assert.Equal(t, "default", c.Runners[0].Kubernetes.Namespace)
		}},
		{"concurrent unset", "", func(t *testing.T, c *Config) {
			assert.Equal(t, 1, c.Concurrent)
		}},
		{"executor empty", "[[runners]]\nexecutor = \"\"\n", func(t *testing.T, c *Config) {
			assert.Equal(t, "kubernetes", c.Runners[0].Executor)
		}},
		{"empty pull_policy string is unset", "[[runners]]\n[runners.kubernetes]\npull_policy = \"\"\n", func(t *testing.T, c *Config) {
			assert.Empty(t, c.Runners[0].Kubernetes.PullPolicy)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := Parse("config.toml", []byte(tt.src))
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}

func TestDefaultConfigPath(t *testing.T) {
	home := func() (string, error) { return "/home/ci", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name string
		env  string
		euid int
		home func() (string, error)
		want string
	}{
		{"root", "", 0, home, "/etc/kuberunner/config.toml"},
		{"user", "", 1000, home, "/home/ci/.kuberunner/config.toml"},
		{"env wins for root", "/srv/k.toml", 0, home, "/srv/k.toml"},
		{"env wins for user", "/srv/k.toml", 1000, home, "/srv/k.toml"},
		{"user without home", "", 1000, noHome, ".kuberunner/config.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, defaultPath(tt.env, tt.euid, tt.home))
		})
	}

	t.Run("reads the environment", func(t *testing.T) {
		t.Setenv(EnvVar, "/tmp/from-env.toml")
		assert.Equal(t, "/tmp/from-env.toml", DefaultPath())
	})
}

// The example in the repository must stay loadable.
func TestExampleConfigLoads(t *testing.T) {
	path := filepath.Join("..", "examples", "config.toml")
	if _, err := os.Stat(path); err != nil {
		t.Skip("examples/config.toml not present")
	}
	_, warnings, err := Load(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
}

// The runner's scripts load under their names; a get_sources script under
// both its names runs under the current one, with a warning.
func TestRunnerScripts(t *testing.T) {
	cfg, warnings, err := Parse("config.toml", []byte("[[runners]]\npre_clone_script = \"old\"\npre_get_sources_script = \"new\"\n"+
		"post_clone_script = \"post old\"\npre_build_script = \"\"\"\nexport A=1\nexport B=2\n\"\"\"\npost_build_script = \"echo done\"\n"))
	require.NoError(t, err)
	assert.Equal(t, RunnerScripts{PreGetSources: "new", PostGetSources: "post old", PreBuild: "export A=1\nexport B=2\n", PostBuild: "echo done"},
		cfg.Runners[0].Scripts())
	require.Len(t, warnings, 1)
	assert.Equal(t, "config.toml:2: runners[0].pre_clone_script: pre_clone_script is the old name of pre_get_sources_script, which is set too: only pre_get_sources_script runs", warnings[0].String())
}

func TestCloneURLKey(t *testing.T) {
	tests := []struct{ value, err string }{
		{"https://gitlab.internal", ""},
		{"http://gitlab.internal:8080/gitlab/", ""},
		{"gitlab.internal", `config.toml:2: runners[0].clone_url: "gitlab.internal" is not an http(s) URL of a host (and path) alone`},
		{"https://user:s3cret@gitlab.internal", "is not an http(s) URL"},
		{"https://gitlab.internal/?x=1", "is not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte("[[runners]]\nclone_url = \""+tt.value+"\"\n"))
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestShellKey(t *testing.T) {
	for _, tt := range []struct{ value, err string }{
		{"bash", ""}, {"sh", ""},
		{"pwsh", `config.toml:2: runners[0].shell: shell "pwsh" is not one kuberunner runs job scripts with; allowed: bash (the default: bash, else sh), sh`},
	} {
		t.Run(tt.value, func(t *testing.T) {
			_, warnings, err := Parse("config.toml", []byte("[[runners]]\nshell = \""+tt.value+"\"\n"))
			assert.Empty(t, warnings)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
		})
	}
}

// GitLab Runner's token metadata loads; a token that expires is a warning
// (kuberunner does not renew it), its zero time is none, and a value that
// is not a date-time is an error naming the key.
func TestTokenExpiry(t *testing.T) {
	tests := []struct {
		name, value string
		warning     string
		err         string
	}{
		{"does not expire", "0001-01-01T00:00:00Z", "", ""},
		{"unset", "", "", ""},
		{"expires", "2999-01-02T03:04:05+01:00", "config.toml:4: runners[0].token_expires_at: the runner's token expires at 2999-01-02T02:04:05Z and kuberunner does not renew runner tokens: replace it before then", ""},
		{"expired", "2001-01-01T00:00:00Z", "config.toml:4: runners[0].token_expires_at: the runner's token expired at 2001-01-01T00:00:00Z: GitLab refuses it; create a new runner token and set it", ""},
		{"not a date-time", `"soon"`, "", `config.toml:4: runners[0].token_expires_at: "soon" is a string; allowed: a date-time such as 2025-01-31T12:00:00Z`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "[[runners]]\nid = 42\ntoken_obtained_at = 2000-01-01T00:00:00Z\n"
			if tt.value != "" {
				src += "token_expires_at = " + tt.value + "\n"
			}
			cfg, warnings, err := Parse("config.toml", []byte(src))
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 42, cfg.Runners[0].ID)
			var got []string
			for _, w := range warnings {
				got = append(got, w.String())
			}
			if tt.warning == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, []string{tt.warning}, got)
		})
	}
}
