package localcluster

import (
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfigs writes the admin kubeconfig (certificates embedded, so it
// can be copied elsewhere) and one per component, named after its cert.
func (c *Cluster) writeKubeconfigs() error {
	users := map[string]string{
		"kubeconfig":                        "admin",
		"pki/controller-manager.kubeconfig": "controller-manager",
		"pki/scheduler.kubeconfig":          "scheduler",
		"pki/kubelet.kubeconfig":            "kubelet",
	}
	for file, cert := range users {
		if err := c.writeKubeconfig(c.path(file), cert); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) writeKubeconfig(path, cert string) error {
	ca, err := os.ReadFile(c.pki("ca.crt"))
	if err != nil {
		return err
	}
	crt, err := os.ReadFile(c.pki(cert + ".crt"))
	if err != nil {
		return err
	}
	key, err := os.ReadFile(c.pki(cert + ".key"))
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kuberunner"] = &clientcmdapi.Cluster{Server: apiserverURL, CertificateAuthorityData: ca}
	cfg.AuthInfos[cert] = &clientcmdapi.AuthInfo{ClientCertificateData: crt, ClientKeyData: key}
	cfg.Contexts["kuberunner"] = &clientcmdapi.Context{Cluster: "kuberunner", AuthInfo: cert}
	cfg.CurrentContext = "kuberunner"
	return clientcmd.WriteToFile(*cfg, path)
}

// RESTConfig returns an admin client configuration for the cluster, read from
// the kubeconfig that Up wrote.
func (c *Cluster) RESTConfig() (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.KubeconfigPath())
	if err != nil {
		return nil, err
	}
	// Tests create and watch many objects at once; the default 5 QPS throttles
	// them for no benefit on a private cluster.
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}
