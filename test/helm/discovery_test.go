package helm

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// discoveryOnly is an API server that answers what helm install
// --dry-run=client asks (the version, and the APIs of the chart's kinds to
// map them) and 404 to everything else, so the notes can be rendered
// without a cluster. It returns a kubeconfig for it.
func discoveryOnly(t *testing.T) string {
	t.Helper()
	group := func(name string) string {
		return fmt.Sprintf(`{"name":%q,"versions":[{"groupVersion":"%s/v1","version":"v1"}],"preferredVersion":{"groupVersion":"%s/v1","version":"v1"}}`, name, name, name)
	}
	resources := func(gv string, kinds ...string) string {
		var list []string
		for _, k := range kinds {
			list = append(list, fmt.Sprintf(`{"name":"%ss","singularName":"","namespaced":true,"kind":%q,"verbs":["get"]}`, strings.ToLower(k), k))
		}
		return fmt.Sprintf(`{"kind":"APIResourceList","groupVersion":%q,"resources":[%s]}`, gv, strings.Join(list, ","))
	}
	answers := map[string]string{
		"/version":                           `{"major":"1","minor":"34","gitVersion":"v1.34.4"}`,
		"/api":                               `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}`,
		"/apis":                              `{"kind":"APIGroupList","apiVersion":"v1","groups":[` + group("apps") + "," + group("rbac.authorization.k8s.io") + `]}`,
		"/api/v1":                            resources("v1", "ServiceAccount", "Secret", "Service"),
		"/apis/apps/v1":                      resources("apps/v1", "Deployment"),
		"/apis/rbac.authorization.k8s.io/v1": resources("rbac.authorization.k8s.io/v1", "Role", "RoleBinding"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: %q}}]
users: [{name: fake, user: {}}]
contexts: [{name: fake, context: {cluster: fake, user: fake}}]
current-context: fake
`, srv.URL)
	require.NoError(t, os.WriteFile(path, []byte(kubeconfig), 0o600))
	return path
}
