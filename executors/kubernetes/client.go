package kubernetes

import (
	"fmt"

	"kuberunner/common/config"

	kube "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// restConfig finds the cluster: in-cluster credentials when kuberunner runs
// in a pod, otherwise the kubeconfig that $KUBECONFIG or ~/.kube/config
// names. config.toml's host, when set, overrides the server address.
func restConfig(cfg *config.KubernetesConfig) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	overrides := &clientcmd.ConfigOverrides{}
	if cfg.Host != "" {
		overrides.ClusterInfo.Server = cfg.Host
	}
	rc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubernetes client configuration: %w", err)
	}
	// The executor's requests come in short bursts per job; the client-side
	// rate limiter's default of 5 QPS would only add latency to a fallback.
	rc.QPS, rc.Burst = 50, 100
	return rc, nil
}

// newClient wraps the transport with the request counter, so that every
// request of this job is counted, whichever client sends it.
func newClient(rc *rest.Config, counter *apiRequests) (kube.Interface, *rest.Config, error) {
	rc = rest.CopyConfig(rc)
	rc.Wrap(counter.wrap)
	cs, err := kube.NewForConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return cs, rc, nil
}
