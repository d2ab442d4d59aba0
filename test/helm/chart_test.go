package helm

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"kuberunner/common/config"
	"kuberunner/test/deploy"
	"kuberunner/test/pki"
)

// The config.toml each golden case renders loads with kuberunner's own
// loader, without a warning, from the directory the pod mounts: the token
// from runner-token next to it, the CA from certsSecretName's file.
func TestRenderedConfigLoads(t *testing.T) {
	ca := pki.NewTestCA(t, "gitlab CA")
	for _, tc := range []struct {
		name  string
		args  []string
		token string
		check func(t *testing.T, c *config.Config)
	}{
		{"minimal", nil, "glrt-minimal-0123456789abcdef", func(t *testing.T, c *config.Config) {
			assert.Equal(t, 10, c.Concurrent)
			assert.Equal(t, 3, c.CheckInterval)
			assert.Equal(t, ":9252", c.ListenAddress)
			r := c.Runners[0]
			assert.Equal(t, fullname, r.Name)
			assert.Equal(t, namespace, r.Kubernetes.Namespace, "jobs run in the release's namespace")
			assert.Equal(t, "alpine:3.20", r.Kubernetes.Image)
		}},
		{"gitlab-runner-values", nil, "glrt-from-the-operators-secret", func(t *testing.T, c *config.Config) {
			assert.Equal(t, 4, c.Concurrent)
			assert.Equal(t, 10, c.CheckInterval)
			assert.Equal(t, "debug", c.LogLevel)
			assert.Equal(t, "json", c.LogFormat)
			r := c.Runners[0]
			assert.Equal(t, "build-fleet", r.Name, "runners.name wins")
			assert.Equal(t, "http://gitlab-webservice.gitlab.svc:8181", r.CloneURL)
			assert.Equal(t, "https://gitlab.example.com:8443/", r.URL)
			assert.Equal(t, 6, r.Limit)
			assert.Equal(t, []string{"FF_EXAMPLE=1"}, r.Environment)
			assert.Equal(t, "gitlab.example.com.crt", filepath.Base(r.TLSCAFile), "GitLab Runner's certs naming: <host>.crt")
			assert.Equal(t, 300, r.Kubernetes.PollTimeout)
			assert.Equal(t, map[string]string{"kubernetes.io/arch": "amd64"}, r.Kubernetes.NodeSelector)
		}},
		{"monitoring", monitoringAPIs, "glrt-monitoring-0123456789abcdef", func(t *testing.T, c *config.Config) {
			assert.Equal(t, ":9400", c.ListenAddress)
			assert.Equal(t, "monitored", c.Runners[0].Name, "runners.config's name when runners.name is empty")
			assert.Equal(t, "ci-jobs", c.Runners[0].Kubernetes.Namespace)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := mustRender(t, tc.name, tc.args...)
			var s corev1.Secret
			require.NoError(t, Decode(objs, "Secret", fullname, &s))
			dir := t.TempDir()
			files := map[string]string{
				"config.toml": s.StringData["config.toml"], "runner-token": tc.token + "\n",
				"gitlab.example.com.crt": string(ca.CertPEM()),
			}
			for name, data := range files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600))
			}
			cfg, warnings, err := config.Load(filepath.Join(dir, "config.toml"))
			require.NoError(t, err, "config.toml:\n%s", s.StringData["config.toml"])
			assert.Empty(t, warnings)
			require.Len(t, cfg.Runners, 1)
			assert.Equal(t, tc.token, cfg.Runners[0].Token, "the token comes from token_file")
			assert.NotContains(t, s.StringData["config.toml"], "glrt-", "config.toml holds no token")
			tc.check(t, cfg)
		})
	}
}

// One owner for the Role: the chart's rules are deploy/role.yaml's, in the
// same order, so the table in docs/deploy.md and the deploy/ test's
// comparison with the executor's requests cover the chart too.
func TestRoleIsDeploys(t *testing.T) {
	want, err := deploy.Role()
	require.NoError(t, err)
	objs := mustRender(t, "minimal")
	var role rbacv1.Role
	require.NoError(t, Decode(objs, "Role", fullname, &role))
	assert.Equal(t, want.Rules, role.Rules, "deploy/helm/kuberunner/templates/role.yaml and deploy/role.yaml differ")
	assert.Equal(t, namespace, role.Namespace)
	var rb rbacv1.RoleBinding
	require.NoError(t, Decode(objs, "RoleBinding", fullname, &rb))
	assert.Equal(t, rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: fullname}, rb.RoleRef)
	assert.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: fullname, Namespace: namespace}}, rb.Subjects)

	t.Run("in the jobs' namespace", func(t *testing.T) {
		objs := mustRender(t, "minimal", "--set", "runners.config=[[runners]]\n[runners.kubernetes]\nnamespace = \"jobs\"\n")
		require.NoError(t, Decode(objs, "Role", fullname, &role))
		assert.Equal(t, "jobs", role.Namespace)
		require.NoError(t, Decode(objs, "RoleBinding", fullname, &rb))
		assert.Equal(t, "jobs", rb.Namespace)
		assert.Equal(t, namespace, rb.Subjects[0].Namespace, "the runner's account stays in the release's namespace")
	})
	t.Run("rbac.create false", func(t *testing.T) {
		for _, o := range mustRender(t, "monitoring", monitoringAPIs...) {
			assert.NotContains(t, []string{"Role", "RoleBinding", "ServiceAccount"}, o.Kind)
		}
	})
}

// The runner pod is deploy/'s: restricted, read-only config directory,
// Recreate, and no object the runner's start-up sweep would delete.
func TestDeploymentIsRestricted(t *testing.T) {
	objs := mustRender(t, "minimal")
	var dep appsv1.Deployment
	require.NoError(t, Decode(objs, "Deployment", fullname, &dep))
	spec := dep.Spec.Template.Spec
	c := spec.Containers[0]
	psc, sc := spec.SecurityContext, c.SecurityContext
	require.NotNil(t, psc)
	require.NotNil(t, sc)
	assert.True(t, *psc.RunAsNonRoot && *psc.RunAsUser != 0)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, psc.SeccompProfile.Type)
	assert.False(t, *sc.AllowPrivilegeEscalation)
	assert.True(t, *sc.ReadOnlyRootFilesystem)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	assert.Equal(t, appsv1.RecreateDeploymentStrategyType, dep.Spec.Strategy.Type)
	assert.Equal(t, "127.0.0.1:5000/kuberunner:latest", c.Image, "localcluster.RunnerImage, what make runner-image pushes")
	assert.Equal(t, []string{"--config", "/etc/kuberunner/config.toml"}, c.Args)
	require.Len(t, c.VolumeMounts, 1)
	assert.True(t, c.VolumeMounts[0].ReadOnly)
	for _, o := range objs {
		assert.NotEqual(t, "kuberunner", o.Labels["app.kubernetes.io/managed-by"], "%s %s carries the job label", o.Kind, o.Name)
	}
	assert.NotContains(t, dep.Spec.Selector.MatchLabels, "app.kubernetes.io/managed-by")
}

// Bad values stop helm before anything is applied, naming the key and
// what to do, and never echoing a token.
func TestBadValuesFail(t *testing.T) {
	const token = "glrt-minimal-0123456789abcdef"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no gitlabUrl", []string{"--set", "gitlabUrl="}, "gitlabUrl: set GitLab's URL"},
		{"gitlabUrl without a scheme", []string{"--set", "gitlabUrl=gitlab.example.com"}, "gitlabUrl: set GitLab's URL"},
		{"no token", []string{"--set", "runnerToken="}, "runnerToken or runners.secret: set the runner's authentication token"},
		{"both tokens", []string{"--set", "runners.secret=s"}, "runnerToken and runners.secret are both set"},
		{"a registration token", []string{"--set", "runnerRegistrationToken=GR1348941secret"}, "runnerRegistrationToken: registration tokens (the legacy flow) are not supported"},
		{"a bad system ID", []string{"--set", "systemId=r_123"}, `systemId: "r_123" is not a system ID`},
		{"a token in runners.config", []string{"--set", "runners.config=[[runners]]\ntoken = \"glrt-x\"\n"}, "runners.config sets token"},
		{"another executor", []string{"--set", "runners.config=[[runners]]\nexecutor = \"docker\"\n"}, `runners.config sets executor = "docker"`},
		{"two runners", []string{"--set", "runners.config=[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n"}, "runners.config holds 2 [[runners]] entries"},
		{"no runner", []string{"--set", "runners.config=concurrent = 3\n"}, "runners.config holds no [[runners]] entry"},
		{"not TOML", []string{"--set", "runners.config=[[runners]]\nname = \n"}, "runners.config is not valid TOML (line 2)"},
		{"a ServiceMonitor without its CRD", []string{"--set", "metrics.serviceMonitor.enabled=true"}, "metrics.serviceMonitor.enabled: the cluster has no monitoring.coreos.com/v1 ServiceMonitor"},
		{"a PodMonitor without its CRD", []string{"--set", "metrics.podMonitor.enabled=true"}, "metrics.podMonitor.enabled: the cluster has no monitoring.coreos.com/v1 PodMonitor"},
		{"a monitor without metrics", append([]string{"--set", "metrics.enabled=false", "--set", "metrics.podMonitor.enabled=true"}, monitoringAPIs...), "need metrics.enabled"},
		{"a ServiceMonitor without a Service", append([]string{"--set", "service.enabled=false", "--set", "metrics.serviceMonitor.enabled=true"}, monitoringAPIs...), "needs service.enabled"},
		{"concurrent not a number", []string{"--set-string", "concurrent=ten"}, "concurrent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, "minimal", tc.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

var systemIDPattern = regexp.MustCompile(`^s_[0-9a-f]{12}$`)

// Without systemId, each render that finds no earlier Secret (helm
// template always; helm install the first time) makes a new ID of the
// form the runner accepts.
func TestSystemIDMadeWhenUnset(t *testing.T) {
	ids := map[string]bool{}
	for range 2 {
		var s corev1.Secret
		require.NoError(t, Decode(mustRender(t, "minimal", "--set", "systemId="), "Secret", fullname, &s))
		id := s.StringData[".runner_system_id"]
		assert.Regexp(t, systemIDPattern, id)
		ids[id] = true
	}
	assert.Len(t, ids, 2, "a random ID each time")
}

// The notes name the GitLab Runner chart keys that do nothing here, and
// the global keys of runners.config that are not used.
func TestNotesNameIgnoredKeys(t *testing.T) {
	// --dry-run=client still asks a cluster for its version and APIs.
	out, err := Run(t.TempDir(), []string{"KUBECONFIG=" + discoveryOnly(t)}, "install", release, ChartDir(), "--dry-run=client", "--disable-openapi-validation", "--namespace", namespace,
		"-f", valuesFile("gitlab-runner-values"), "--set", "runners.config=concurrent = 3\n[[runners]]\n")
	require.NoError(t, err)
	notes := out[strings.Index(out, "NOTES:"):]
	t.Log(notes)
	assert.Contains(t, notes, `as runner "build-fleet"; jobs run in namespace ci-runners`)
	assert.Contains(t, notes, "IGNORED: these keys of GitLab Runner's chart do nothing here: unregisterRunners, runners.locked, runners.tags.")
	assert.Contains(t, notes, "IGNORED: runners.config sets concurrent outside [[runners]]")
}
