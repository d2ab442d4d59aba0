package kubernetes

import (
	"kuberunner/common/config"
	"kuberunner/helpers/clienttls"
)

// helperTLS is the runner's tls-* material for the helper's clone request,
// which travels on the exec's stdin (never argv or the pod spec); nil when
// none is set.
func helperTLS(r *config.RunnerConfig) *clienttls.Material {
	m := r.TLS()
	if m.IsZero() {
		return nil
	}
	return &m
}
