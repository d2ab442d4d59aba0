package deploy

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
	"sigs.k8s.io/yaml"

	"kuberunner/common/config"
)

// docs/deploy.md's Role table lists exactly what role.yaml grants.
func TestDocsTableIsTheRole(t *testing.T) {
	role, err := Role()
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(Dir(), "..", "docs", "deploy.md"))
	require.NoError(t, err)
	section := string(doc)
	start := strings.Index(section, "\n## The Role\n")
	require.GreaterOrEqual(t, start, 0, "docs/deploy.md has a section \"The Role\"")
	section = section[start+1:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z/]+)` \\| `([a-z]+)` \\|")
	var documented []Request
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		documented = append(documented, Request{Verb: m[2], Resource: m[1]})
	}
	granted := Granted(role.Rules)
	sortRequests(granted)
	sortRequests(documented)
	assert.Equal(t, Describe(granted), Describe(documented))
}

// The runner's pod meets the restricted Pod Security profile and keeps its
// one writable file on a volume, not next to the read-only config.
func TestDeploymentIsRestricted(t *testing.T) {
	var dep appsv1.Deployment
	require.NoError(t, decodeFile("deployment.yaml", &dep))
	spec := dep.Spec.Template.Spec
	require.Len(t, spec.Containers, 1)
	c := spec.Containers[0]
	psc, sc := spec.SecurityContext, c.SecurityContext
	require.NotNil(t, psc)
	require.NotNil(t, sc)
	checks := []struct {
		name string
		ok   bool
	}{
		{"runAsNonRoot", psc.RunAsNonRoot != nil && *psc.RunAsNonRoot},
		{"a non-root user", psc.RunAsUser != nil && *psc.RunAsUser != 0},
		{"seccomp RuntimeDefault", psc.SeccompProfile != nil && psc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"no privilege escalation", sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation},
		{"read-only root file system", sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem},
		{"every capability dropped", sc.Capabilities != nil && len(sc.Capabilities.Drop) == 1 && sc.Capabilities.Drop[0] == "ALL" && len(sc.Capabilities.Add) == 0},
		{"not privileged", sc.Privileged == nil || !*sc.Privileged},
		{"runs kuberunner run's config from the Secret", strings.Join(c.Args, " ") == "--config /etc/kuberunner/config.toml"},
		{"the service account", spec.ServiceAccountName == "kuberunner"},
		{"probes on listen_address", probes(c, "/-/health", "/-/ready")},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) { assert.True(t, ch.ok) })
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m
	}
	assert.True(t, mounts["/etc/kuberunner"].ReadOnly, "config.toml is mounted read-only")
	var idFile string
	for _, e := range c.Env {
		if e.Name == "KUBERUNNER_SYSTEM_ID_FILE" {
			idFile = e.Value
		}
	}
	require.NotEmpty(t, idFile, "the system ID needs a writable place")
	m, ok := mounts[filepath.Dir(idFile)]
	assert.True(t, ok && !m.ReadOnly, "the system ID file %s is on a writable mount", idFile)
}

// The shipped config.toml loads, and the objects of deploy/ never carry
// the label of job objects, which the startup sweep deletes.
func TestShippedConfigLoads(t *testing.T) {
	cfg, _, err := config.Load(filepath.Join(Dir(), "config.toml"))
	require.NoError(t, err)
	require.NoError(t, cfg.RequireRunners("deploy/config.toml"))
	assert.Equal(t, "kuberunner", cfg.Runners[0].Kubernetes.Namespace, "the namespace the Role grants rights in")
	var dep appsv1.Deployment
	require.NoError(t, decodeFile("deployment.yaml", &dep))
	var kust struct {
		Labels []struct {
			Pairs map[string]string `json:"pairs"`
		} `json:"labels"`
	}
	data, err := os.ReadFile(filepath.Join(Dir(), "kustomization.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &kust))
	sets := []map[string]string{dep.Labels, dep.Spec.Template.Labels, dep.Spec.Selector.MatchLabels}
	for _, l := range kust.Labels {
		sets = append(sets, l.Pairs)
	}
	for _, set := range sets {
		assert.NotContains(t, set, "app.kubernetes.io/managed-by")
	}
}

// probes reports whether c's liveness and readiness probes are GETs of
// live and ready on the metrics port, where listen_address serves them.
func probes(c corev1.Container, live, ready string) bool {
	get := func(p *corev1.Probe, path string) bool {
		return p != nil && p.HTTPGet != nil && p.HTTPGet.Path == path && p.HTTPGet.Port.String() == "metrics"
	}
	return get(c.LivenessProbe, live) && get(c.ReadinessProbe, ready)
}
