package commands

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
)

// registeredRunner is the entry register appends: the template's values,
// then the flags and variables given, which win. Warnings go to stderr.
func registeredRunner(cmd *cli.Command, stderr io.Writer) (config.RegisteredRunner, error) {
	entry, err := readTemplate(cmd.String("template-config"))
	if err != nil {
		return entry, err
	}
	setString := func(dst *string, flag string) {
		if cmd.IsSet(flag) || *dst == "" {
			*dst = cmd.String(flag)
		}
	}
	setString(&entry.Name, "name")
	setString(&entry.URL, "url")
	setString(&entry.Token, "token")
	setString(&entry.TLSCAFile, "tls-ca-file")
	setString(&entry.TLSCertFile, "tls-cert-file")
	setString(&entry.TLSKeyFile, "tls-key-file")
	setString(&entry.CloneURL, "clone-url")
	entry.Executor = config.DefaultExecutor
	if entry.URL == "" || entry.Token == "" {
		return entry, usagef("kuberunner register: --url and --token (or $CI_SERVER_URL and $CI_SERVER_TOKEN) are required")
	}
	if cmd.IsSet("limit") || entry.Limit == 0 {
		entry.Limit = int(cmd.Int("limit"))
	}
	if cmd.IsSet("request-concurrency") || entry.RequestConcurrency == 0 {
		entry.RequestConcurrency = int(cmd.Int("request-concurrency"))
	}
	k := &entry.Kubernetes
	for flag, dst := range kubeStringFlags(k) {
		setString(dst, flag)
	}
	if p := cmd.StringSlice("kubernetes-pull-policy"); len(p) > 0 {
		k.PullPolicy = p
	} else if len(k.PullPolicy) == 0 {
		k.PullPolicy = defaultPullPolicies
	}
	if cmd.IsSet("kubernetes-privileged") {
		v := cmd.Bool("kubernetes-privileged")
		k.Privileged = &v
	}
	entry.Cache = registeredCache(cmd, entry.Cache, stderr)
	return entry, nil
}

// readTemplate reads --template-config: a config.toml with one [[runners]]
// entry. A key register cannot carry over is an error that names it,
// rather than a runner silently missing it.
func readTemplate(path string) (config.RegisteredRunner, error) {
	var tpl struct {
		Runners []config.RegisteredRunner `toml:"runners"`
	}
	if path == "" {
		return config.RegisteredRunner{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return config.RegisteredRunner{}, fmt.Errorf("--template-config: %w", err)
	}
	md, err := toml.Decode(string(data), &tpl)
	if err != nil {
		return config.RegisteredRunner{}, fmt.Errorf("--template-config %s: %w", path, err)
	}
	if len(tpl.Runners) != 1 {
		return config.RegisteredRunner{}, fmt.Errorf("--template-config %s: want exactly one [[runners]] entry, found %d", path, len(tpl.Runners))
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return config.RegisteredRunner{}, fmt.Errorf("--template-config %s: register cannot carry over %s; add them to config.toml after registering", path, strings.Join(keys, ", "))
	}
	return tpl.Runners[0], nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// envName is GitLab Runner's variable for a flag: KUBERNETES_CPU_LIMIT.
func envName(flag string) string {
	return strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// tomlKey is the [runners.kubernetes] key of a --kubernetes-* flag.
func tomlKey(flag string) string {
	return strings.ReplaceAll(strings.TrimPrefix(flag, "kubernetes-"), "-", "_")
}
