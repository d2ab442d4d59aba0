package commands

import (
	"slices"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
)

// defaultPullPolicies are what register writes when no
// --kubernetes-pull-policy is given.
var defaultPullPolicies = []string{"always", "if-not-present"}

// registerFlags are GitLab Runner's register flags with their variables,
// for what kuberunner implements.
func registerFlags() []cli.Flag {
	return append([]cli.Flag{
		configFlag(),
		&cli.BoolFlag{Name: "non-interactive", Aliases: []string{"n"}, Usage: "accepted for GitLab Runner's scripts; register never prompts", Sources: cli.EnvVars("REGISTER_NON_INTERACTIVE")},
		&cli.StringFlag{Name: "url", Aliases: []string{"u"}, Usage: "GitLab URL, e.g. https://gitlab.example.com", Sources: cli.EnvVars("CI_SERVER_URL")},
		&cli.StringFlag{Name: "token", Aliases: []string{"t"}, Usage: "runner authentication token (glrt-…)", Sources: cli.EnvVars("CI_SERVER_TOKEN", "RUNNER_TOKEN", "KUBERUNNER_TOKEN")},
		&cli.StringFlag{Name: "registration-token", Usage: "refused: GitLab's legacy registration flow", Sources: cli.EnvVars("REGISTRATION_TOKEN")},
		&cli.StringFlag{Name: "name", Aliases: []string{"description"}, Value: hostname(), Usage: "runner name", Sources: cli.EnvVars("RUNNER_NAME")},
		&cli.StringFlag{Name: "executor", Value: config.DefaultExecutor, Usage: "only kubernetes", Sources: cli.EnvVars("RUNNER_EXECUTOR")},
		&cli.IntFlag{Name: "limit", Usage: "most jobs this runner runs at once (0: no limit)", Sources: cli.EnvVars("RUNNER_LIMIT")},
		&cli.IntFlag{Name: "request-concurrency", Usage: "most job requests in flight at once", Sources: cli.EnvVars("RUNNER_REQUEST_CONCURRENCY")},
		&cli.StringFlag{Name: "clone-url", Usage: "[[runners]] clone_url: where job pods fetch repositories from, when not from --url", Sources: cli.EnvVars("CLONE_URL")},
		&cli.StringFlag{Name: "template-config", Usage: "a config.toml whose one [[runners]] entry gives the values no flag sets", Sources: cli.EnvVars("TEMPLATE_CONFIG_FILE")},
	}, slices.Concat(tlsFlags(), kubernetesFlags(), cacheFlags())...)
}

// tlsFlags are the files GitLab's TLS is checked and answered with, for a
// command given GitLab's URL on its command line (register, unregister
// --url).
func tlsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "tls-ca-file", Usage: "PEM file of the CA certificates GitLab's certificate is verified with, besides the system's", Sources: trackedEnvVars("CI_SERVER_TLS_CA_FILE")},
		&cli.StringFlag{Name: "tls-cert-file", Usage: "PEM file of a client certificate to present to GitLab (with --tls-key-file)", Sources: trackedEnvVars("CI_SERVER_TLS_CERT_FILE")},
		&cli.StringFlag{Name: "tls-key-file", Usage: "PEM file of the private key of --tls-cert-file", Sources: trackedEnvVars("CI_SERVER_TLS_KEY_FILE")},
	}
}

// kubeStringFlags maps each --kubernetes-* string flag to its
// [runners.kubernetes] field; the variable is the flag's name in upper
// snake case, as in GitLab Runner.
func kubeStringFlags(k *config.RegisteredKubernetes) map[string]*string {
	return map[string]*string{
		"kubernetes-namespace":       &k.Namespace,
		"kubernetes-image":           &k.Image,
		"kubernetes-helper-image":    &k.HelperImage,
		"kubernetes-service-account": &k.ServiceAccount,
		"kubernetes-cpu-request":     &k.CPURequest,
		"kubernetes-cpu-limit":       &k.CPULimit,
		"kubernetes-memory-request":  &k.MemoryRequest,
		"kubernetes-memory-limit":    &k.MemoryLimit,
	}
}

func kubernetesFlags() []cli.Flag {
	var k config.RegisteredKubernetes
	names := sortedKeys(kubeStringFlags(&k))
	flags := make([]cli.Flag, 0, len(names)+2)
	for _, n := range names {
		f := &cli.StringFlag{Name: n, Usage: "[runners.kubernetes] " + tomlKey(n), Sources: cli.EnvVars(envName(n))}
		switch n {
		case "kubernetes-namespace":
			f.Aliases, f.Value = []string{"namespace"}, config.DefaultNamespace
		case "kubernetes-image":
			f.Aliases, f.Value = []string{"image"}, "alpine:3.20"
		}
		flags = append(flags, f)
	}
	return append(flags,
		&cli.StringSliceFlag{Name: "kubernetes-pull-policy", Usage: "[runners.kubernetes] pull_policy, repeatable (default: always, if-not-present)", Sources: cli.EnvVars("KUBERNETES_PULL_POLICY")},
		&cli.BoolFlag{Name: "kubernetes-privileged", Usage: "[runners.kubernetes] privileged", Sources: cli.EnvVars("KUBERNETES_PRIVILEGED")},
	)
}
