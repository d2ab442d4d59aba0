package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"kuberunner/common"
	"kuberunner/helpers/suggest"
)

// The validator checks what a type cannot: names and combinations (the
// ranges of numbers are checked as they are decoded, see ranges.go).
// It runs after defaults, so "unset" has already become a usable value and
// everything left to report is a real mistake.

// logLevels are logrus's level names, which GitLab Runner also accepts.
var logLevels = []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}

func (d *decoder) validate(c *Config) {
	d.oneOf(keyPath{}.child("log_level"), c.LogLevel, logLevels)
	d.oneOf(keyPath{}.child("log_format"), c.LogFormat, []string{"text", "json"})
	if c.ListenAddress != "" {
		if _, _, err := net.SplitHostPort(c.ListenAddress); err != nil {
			d.fail(keyPath{}.child("listen_address"), &Error{
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
	d.uniqueNames(c.Runners)
}

// uniqueNames reports a runner whose name an earlier one already has:
// --runner NAME, logs and metrics pick runners by name, so two with one
// name would make the choice depend on file order. The error is at the
// second, naming the line of the first. Runners without a name cannot be
// picked by name, so several may leave it empty.
func (d *decoder) uniqueNames(runners []*RunnerConfig) {
	first := map[string]int{}
	for i, r := range runners {
		if r == nil || r.Name == "" {
			continue
		}
		j, dup := first[r.Name]
		if !dup {
			first[r.Name] = i
			continue
		}
		firstAt := keyPath{}.child("runners").at(j).child("name")
		d.fail(keyPath{}.child("runners").at(i).child("name"), &Error{
			Value:   r.Name,
			Msg:     fmt.Sprintf("runner name %q is already used by runners[%d] (line %d)", r.Name, j, d.lines.line(firstAt)),
			Allowed: "a name no other [[runners]] entry has",
		})
	}
}

// environment checks one "KEY=VALUE" entry of a runner's environment. The
// name must pass common.ValidateVariableName, the rule every front door
// shares, so that config check refuses what the executor would. The value
// is never echoed: environment entries are where operators put passwords.
func (d *decoder) environment(p keyPath, kv string) {
	k, _, ok := strings.Cut(kv, "=")
	if !ok {
		d.fail(p, &Error{
			Msg:     `the entry has no "=" (it is not shown, as it may hold a secret)`,
			Allowed: `"KEY=VALUE"`,
		})
		return
	}
	if err := common.ValidateVariableName(k); err != nil {
		msg := fmt.Sprintf("%q is not a valid variable name", k)
		if k == "" {
			msg = "the variable name before \"=\" is empty"
		}
		d.fail(p, &Error{Value: k, Msg: msg, Allowed: common.VariableNameRule, Err: err})
	}
}

func (d *decoder) validateRunner(p keyPath, r *RunnerConfig) {
	if r.Executor != DefaultExecutor {
		d.fail(p.child("executor"), &Error{
			Value: r.Executor, Msg: fmt.Sprintf("executor %q is not supported by kuberunner", r.Executor),
			Allowed: DefaultExecutor + ` (or "")`,
		})
	}
	if r.URL != "" {
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.fail(p.child("url"), &Error{
				Value: r.URL, Msg: fmt.Sprintf("%q is not an http(s) URL", r.URL),
				Allowed: `a GitLab URL such as "https://gitlab.example.com"`, Err: err,
			})
		}
	}
	d.cloneURL(p.child("clone_url"), r.CloneURL)
	d.shell(p.child("shell"), r.Shell)
	for i, kv := range r.Environment {
		d.environment(p.child("environment").at(i), kv)
	}
	d.tokenFile(p, r)
	d.tlsFiles(p, r)
	d.warnOldScriptNames(p, r)
	d.tokenExpiry(p, r, time.Now())
	if r.Cache != nil {
		d.validateCache(p.child("cache"), r.Cache)
	}
	if r.Kubernetes != nil {
		d.validateKubernetes(p.child("kubernetes"), r.Kubernetes)
	}
}

func (d *decoder) validateKubernetes(p keyPath, k *KubernetesConfig) {
	d.check(p.child("namespace"), k.Namespace, "a namespace name", validation.IsDNS1123Label(k.Namespace))
	if k.ServiceAccount != "" {
		d.dnsSubdomain(p.child("service_account"), k.ServiceAccount, "a service-account name")
	}
	d.imageName(p.child("image"), k.Image)
	d.imageName(p.child("helper_image"), k.HelperImage)
	for key, value := range k.NodeSelector {
		d.label(p.child("node_selector").child(key), key, value)
	}
	for key, effect := range k.NodeTolerations {
		d.toleration(p.child("node_tolerations").child(key), key, effect)
	}
	d.oneOf(p.child("pull_policy_node_affinity"), k.PullPolicyNodeAffinity,
		[]string{NodeAffinityPreferred, NodeAffinityRequired, NodeAffinityOff})
	d.oneOf(p.child("security_profile"), k.SecurityProfile, SecurityProfiles)
	d.validateBreaker(p, k)
	d.quantities(p, k)
	d.kubeKeys(p, k)
	d.pullPolicies(p, k)
	d.pullSecrets(p, k)
}

// pullSecrets checks image_pull_secrets: each a Secret's name. With
// use_service_account_image_pull_secrets the pod names no pull secrets,
// so the list would be ignored; that is said at load, not found out from
// a failed pull.
func (d *decoder) pullSecrets(p keyPath, k *KubernetesConfig) {
	for i, name := range k.ImagePullSecrets {
		d.dnsSubdomain(p.child("image_pull_secrets").at(i), name, "a Secret name")
	}
	if k.UseServiceAccountImagePullSecrets && len(k.ImagePullSecrets) > 0 {
		d.warn(p.child("image_pull_secrets"), "ignored: use_service_account_image_pull_secrets = true leaves the pod without pull secrets of its own, so that the service account's apply")
	}
}

// pullPolicies reports lists that could never start a pod: every policy the
// runner (or a configured service) asks for is outside the allowed list.
// A job could still bring its own list, but a job that doesn't would fail
// with a configuration error every time, so the file is wrong. The lists
// are computed once, here, and kept for every job.
func (d *decoder) pullPolicies(p keyPath, k *KubernetesConfig) {
	errs := k.resolvePullPolicies()
	d.intersection(p.child("pull_policy"), k.Image, errs[0])
	for i, svc := range k.Services {
		sp := p.child("services").at(i)
		if strings.TrimSpace(svc.Name) == "" {
			d.fail(sp.child("name"), &Error{Msg: "a service needs an image name", Allowed: `an image reference such as "postgres:16"`})
		} else {
			d.imageName(sp.child("name"), svc.Name)
		}
		for _, alias := range common.SplitAliases(svc.Alias) {
			d.dnsSubdomain(sp.child("alias"), alias, "a host name; several aliases separated by ',' or ' '")
		}
		if len(svc.PullPolicy) == 0 {
			continue // it uses the runner's list, already checked above
		}
		d.intersection(sp.child("pull_policy"), svc.Name, errs[i+1])
	}
}

func (d *decoder) intersection(p keyPath, image string, err error) {
	var ppe *common.PullPolicyError
	if errors.As(err, &ppe) {
		what := "its image"
		if image != "" {
			what = fmt.Sprintf("image %q", image)
		}
		d.fail(p, &Error{
			Value: ppe.Requested.String(),
			Msg: fmt.Sprintf("none of %s is allowed by %s; a job that sets no pull_policy of its own could not pull %s",
				ppe.Requested, ppe.AllowedFrom, what),
			Allowed: ppe.Allowed.Names(),
			Err:     ppe,
		})
	}
}

func (d *decoder) oneOf(p keyPath, v string, allowed []string) {
	if slices.Contains(allowed, v) {
		return
	}
	e := &Error{Value: v, Msg: fmt.Sprintf("%q is not one of the allowed values", v), Allowed: strings.Join(allowed, ", ")}
	if s := suggest.Closest(v, allowed); s != "" {
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
		d.fail(p, &Error{
			Value: name, Msg: fmt.Sprintf("%q is not an image reference", name),
			Allowed: `an image reference such as "alpine:3.20" or "registry.example.com/group/image:tag"`,
		})
	}
}

// check reports the problems an apimachinery validation function found.
func (d *decoder) check(p keyPath, value, what string, problems []string) {
	if len(problems) > 0 {
		d.fail(p, &Error{Value: value, Msg: fmt.Sprintf("%q is not %s", value, what), Allowed: strings.Join(problems, "; ")})
	}
}

func (d *decoder) dnsSubdomain(p keyPath, value, what string) {
	d.check(p, value, what, validation.IsDNS1123Subdomain(value))
}

func (d *decoder) label(p keyPath, key, value string) {
	d.check(p, key, "a label key", validation.IsQualifiedName(key))
	d.check(p, value, "a label value", validation.IsValidLabelValue(value))
}

// quantity accepts what the API server accepts for a request or a limit:
// a resource.Quantity that is not negative.
func (d *decoder) quantity(p keyPath, value string) {
	q, err := resource.ParseQuantity(value)
	if err == nil && q.Sign() < 0 {
		err = fmt.Errorf("a request or limit must not be negative")
	}
	if err != nil {
		d.fail(p, &Error{
			Value: value, Msg: fmt.Sprintf("%q is not a Kubernetes quantity: %v", value, err),
			Allowed: `a quantity such as "500m", "2", "512Mi" or "1G"`, Err: err,
		})
	}
}
