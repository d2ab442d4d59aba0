package common

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// The validator checks what a type cannot: ranges, names, and combinations.
// It runs after defaults, so "unset" has already become a usable value and
// everything left to report is a real mistake.

var (
	// A Kubernetes resource quantity (k8s.io/apimachinery resource.Quantity),
	// without a sign because negative requests and limits are invalid.
	quantityRE = regexp.MustCompile(`^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$`)
	// RFC 1123 label: what a namespace name must be.
	dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// RFC 1123 subdomain: what a service-account name must be.
	dnsSubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// Label names and values (the part after an optional "prefix/").
	labelNameRE  = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	labelValueRE = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`)
)

// logLevels are logrus's level names, which GitLab Runner also accepts.
var logLevels = []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}

func (d *decoder) validate(c *Config) {
	d.nonNegative(keyPath{}.child("concurrent"), c.Concurrent, "0 or more (0 means 1)")
	d.nonNegative(keyPath{}.child("check_interval"), c.CheckInterval, "0 or more seconds (0 means 3)")
	d.oneOf(keyPath{}.child("log_level"), c.LogLevel, logLevels)
	if c.ListenAddress != "" {
		if _, _, err := net.SplitHostPort(c.ListenAddress); err != nil {
			d.fail(keyPath{}.child("listen_address"), &ConfigError{
				Value: c.ListenAddress, Msg: fmt.Sprintf("%q is not host:port", c.ListenAddress),
				Allowed: `host:port, for example ":9252"`, Err: err,
			})
		}
	}
	for i, r := range c.Runners {
		if r != nil {
			d.validateRunner(keyPath{}.child("runners").at(i), r)
		}
	}
}

func (d *decoder) validateRunner(p keyPath, r *RunnerConfig) {
	if r.Executor != DefaultExecutor {
		d.fail(p.child("executor"), &ConfigError{
			Value: r.Executor, Msg: fmt.Sprintf("executor %q is not supported by kuberunner", r.Executor),
			Allowed: DefaultExecutor + ` (or "")`,
		})
	}
	d.nonNegative(p.child("limit"), r.Limit, "0 or more (0 means no limit)")
	if r.URL != "" {
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.fail(p.child("url"), &ConfigError{
				Value: r.URL, Msg: fmt.Sprintf("%q is not an http(s) URL", r.URL),
				Allowed: `a GitLab URL such as "https://gitlab.example.com"`, Err: err,
			})
		}
	}
	for i, kv := range r.Environment {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			d.fail(p.child("environment").at(i), &ConfigError{
				Value: kv, Msg: fmt.Sprintf("%q is not KEY=VALUE", kv), Allowed: `"KEY=VALUE"`,
			})
		}
	}
	if r.Kubernetes != nil {
		d.validateKubernetes(p.child("kubernetes"), r.Kubernetes)
	}
}

func (d *decoder) validateKubernetes(p keyPath, k *KubernetesConfig) {
	if !dnsLabelRE.MatchString(k.Namespace) || len(k.Namespace) > 63 {
		d.fail(p.child("namespace"), &ConfigError{
			Value: k.Namespace, Msg: fmt.Sprintf("%q is not a namespace name", k.Namespace),
			Allowed: "lowercase letters, digits and '-', at most 63, starting and ending alphanumeric",
		})
	}
	if k.ServiceAccount != "" && (!dnsSubdomainRE.MatchString(k.ServiceAccount) || len(k.ServiceAccount) > 253) {
		d.fail(p.child("service_account"), &ConfigError{
			Value: k.ServiceAccount, Msg: fmt.Sprintf("%q is not a service-account name", k.ServiceAccount),
			Allowed: "lowercase letters, digits, '-' and '.', at most 253",
		})
	}
	d.nonNegative(p.child("poll_timeout"), k.PollTimeout, "0 or more seconds (0 means 180)")
	d.imageName(p.child("image"), k.Image)
	d.imageName(p.child("helper_image"), k.HelperImage)
	for key, value := range k.NodeSelector {
		d.label(p.child("node_selector").child(key), key, value)
	}
	for _, q := range []struct{ key, value string }{
		{"cpu_request", k.CPURequest}, {"cpu_limit", k.CPULimit},
		{"memory_request", k.MemoryRequest}, {"memory_limit", k.MemoryLimit},
		{"helper_cpu_request", k.HelperCPURequest}, {"helper_cpu_limit", k.HelperCPULimit},
		{"helper_memory_request", k.HelperMemoryRequest}, {"helper_memory_limit", k.HelperMemoryLimit},
		{"service_cpu_request", k.ServiceCPURequest}, {"service_cpu_limit", k.ServiceCPULimit},
		{"service_memory_request", k.ServiceMemoryRequest}, {"service_memory_limit", k.ServiceMemoryLimit},
	} {
		if q.value != "" && !quantityRE.MatchString(q.value) {
			d.fail(p.child(q.key), &ConfigError{
				Value: q.value, Msg: fmt.Sprintf("%q is not a Kubernetes quantity", q.value),
				Allowed: `a quantity such as "500m", "2", "512Mi" or "1G"`,
			})
		}
	}
	d.pullPolicies(p, k)
}

// pullPolicies reports lists that could never start a pod: every policy the
// runner (or a configured service) asks for is outside the allowed list.
// A job could still bring its own list, but a job that doesn't would fail
// with a configuration error every time, so the file is wrong.
func (d *decoder) pullPolicies(p keyPath, k *KubernetesConfig) {
	d.intersection(p.child("pull_policy"), k.Image, func() error {
		_, err := k.ImagePullPolicies(k.Image, nil)
		return err
	})
	for i, svc := range k.Services {
		sp := p.child("services").at(i)
		if strings.TrimSpace(svc.Name) == "" {
			d.fail(sp.child("name"), &ConfigError{Msg: "a service needs an image name", Allowed: `an image reference such as "postgres:16"`})
		} else {
			d.imageName(sp.child("name"), svc.Name)
		}
		for _, alias := range strings.FieldsFunc(svc.Alias, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !dnsSubdomainRE.MatchString(alias) || len(alias) > 253 {
				d.fail(sp.child("alias"), &ConfigError{
					Value: alias, Msg: fmt.Sprintf("%q is not a host name", alias),
					Allowed: "lowercase letters, digits, '-' and '.'; several aliases separated by ',' or ' '",
				})
			}
		}
		if len(svc.PullPolicy) == 0 {
			continue // it uses the runner's list, already checked above
		}
		d.intersection(sp.child("pull_policy"), svc.Name, func() error {
			_, err := k.ServicePullPolicies(i, nil)
			return err
		})
	}
}

func (d *decoder) intersection(p keyPath, image string, check func() error) {
	var ppe *PullPolicyError
	if err := check(); errors.As(err, &ppe) {
		what := "its image"
		if image != "" {
			what = fmt.Sprintf("image %q", image)
		}
		d.fail(p, &ConfigError{
			Value: ppe.Requested.String(),
			Msg: fmt.Sprintf("none of %s is allowed by %s; a job that sets no pull_policy of its own could not pull %s",
				ppe.Requested, ppe.AllowedFrom, what),
			Allowed: ppe.Allowed.names(),
			Err:     ppe,
		})
	}
}

func (d *decoder) nonNegative(p keyPath, n int, allowed string) {
	if n < 0 {
		d.fail(p, &ConfigError{Value: fmt.Sprint(n), Msg: fmt.Sprintf("%d is negative", n), Allowed: allowed})
	}
}

func (d *decoder) oneOf(p keyPath, v string, allowed []string) {
	if slices.Contains(allowed, v) {
		return
	}
	e := &ConfigError{Value: v, Msg: fmt.Sprintf("%q is not one of the allowed values", v), Allowed: strings.Join(allowed, ", ")}
	if s := closestMatch(v, allowed); s != "" {
		e.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	d.fail(p, e)
}

// imageName catches what is certainly not an image reference (spaces,
// control characters). Full reference grammar is the registry's business:
// the kubelet reports InvalidImageName and the executor turns that into a
// configuration error.
func (d *decoder) imageName(p keyPath, name string) {
	if name == "" {
		return
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		d.fail(p, &ConfigError{
			Value: name, Msg: fmt.Sprintf("%q is not an image reference", name),
			Allowed: `an image reference such as "alpine:3.20" or "registry.example.com/group/image:tag"`,
		})
	}
}

func (d *decoder) label(p keyPath, key, value string) {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		prefix, name = "", key
	}
	badPrefix := hasPrefix && (!dnsSubdomainRE.MatchString(prefix) || len(prefix) > 253)
	if badPrefix || !labelNameRE.MatchString(name) || len(name) > 63 {
		d.fail(p, &ConfigError{
			Value: key, Msg: fmt.Sprintf("%q is not a label key", key),
			Allowed: `an optional DNS prefix and "/", then a name of at most 63 letters, digits, '-', '_' or '.'`,
		})
	}
	if !labelValueRE.MatchString(value) || len(value) > 63 {
		d.fail(p, &ConfigError{
			Value: value, Msg: fmt.Sprintf("%q is not a label value", value),
			Allowed: "at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
		})
	}
}
