package helm

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from helm template's output (review the diff)")

// The release the golden files are rendered as.
const (
	release   = "ci"
	namespace = "ci-runners"
	fullname  = "ci-kuberunner"
)

// monitoringAPIs tells helm template that the cluster has the
// prometheus-operator's CRDs, as helm install learns from the cluster.
var monitoringAPIs = []string{"--api-versions", "monitoring.coreos.com/v1/ServiceMonitor", "--api-versions", "monitoring.coreos.com/v1/PodMonitor"}

// goldenCases are the values files of testdata/values, each rendered to
// testdata/golden/<name>.yaml.
var goldenCases = []struct {
	name string
	args []string
}{
	{"minimal", nil},
	{"gitlab-runner-values", nil},
	{"monitoring", monitoringAPIs},
}

func valuesFile(name string) string { return filepath.Join("testdata", "values", name+".yaml") }

// render is helm template of the chart with a values file and more flags.
func render(t *testing.T, values string, args ...string) (string, error) {
	t.Helper()
	all := append([]string{"template", release, ChartDir(), "--namespace", namespace, "-f", valuesFile(values)}, args...)
	return Run(t.TempDir(), nil, all...)
}

func mustRender(t *testing.T, values string, args ...string) []Object {
	t.Helper()
	out, err := render(t, values, args...)
	require.NoError(t, err)
	objs, err := Objects(out)
	require.NoError(t, err)
	return objs
}

func TestGoldenTemplates(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := render(t, tc.name, tc.args...)
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", tc.name+".yaml")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./test/helm -update to create it")
			assert.Equal(t, string(want), out, "helm template output differs from %s (go test ./test/helm -update rewrites it; review the diff)", golden)
		})
	}
}

// helm lint --strict passes. helm lint cannot be told of CRDs
// (--api-versions), so the monitoring case is left to the golden test.
func TestLint(t *testing.T) {
	for _, name := range []string{"minimal", "gitlab-runner-values"} {
		t.Run(name, func(t *testing.T) {
			out, err := Run(t.TempDir(), nil, "lint", "--strict", ChartDir(), "--namespace", namespace, "-f", valuesFile(name))
			require.NoError(t, err, out)
		})
	}
}
