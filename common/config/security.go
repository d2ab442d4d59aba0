package config

import "reflect"

// The security keys of [runners.kubernetes], with GitLab Runner's names.
// security_profile picks the executor's starting point (docs/security.md):
// "baseline", the default, meets the Pod Security baseline standard and
// lets root images install packages, chown and su; "restricted" meets the
// restricted standard. The other keys apply on top of the profile: they
// tighten it, and only `privileged = true` and explicit capabilities,
// `allow_privilege_escalation` or `automount_service_account_token` loosen
// it. A key of these tables that kuberunner does not know is an
// error, never a warning (secureTables in decode.go): dropping a setting
// meant to restrict a job would run the job with less protection than the
// operator asked for.

// PodSecurityContext is [runners.kubernetes.pod_security_context].
type PodSecurityContext struct {
	RunAsNonRoot       *bool  `toml:"run_as_non_root"`
	RunAsUser          *int   `toml:"run_as_user"`
	RunAsGroup         *int   `toml:"run_as_group"`
	FSGroup            *int   `toml:"fs_group"`
	SupplementalGroups []int  `toml:"supplemental_groups"`
	SELinuxType        string `toml:"selinux_type"`
	// SeccompProfileType is RuntimeDefault (the default), Localhost with
	// SeccompLocalhostProfile, or Unconfined.
	SeccompProfileType      string `toml:"seccomp_profile_type"`
	SeccompLocalhostProfile string `toml:"seccomp_localhost_profile"`
}

// ContainerSecurityContext is [runners.kubernetes.build_container_security_context]
// and its helper_ and service_ siblings. Set fields replace the executor's
// defaults for that kind of container.
type ContainerSecurityContext struct {
	Privileged               *bool         `toml:"privileged"`
	AllowPrivilegeEscalation *bool         `toml:"allow_privilege_escalation"`
	RunAsNonRoot             *bool         `toml:"run_as_non_root"`
	RunAsUser                *int          `toml:"run_as_user"`
	RunAsGroup               *int          `toml:"run_as_group"`
	ReadOnlyRootFilesystem   *bool         `toml:"read_only_root_filesystem"`
	ProcMount                string        `toml:"proc_mount"`
	Capabilities             *Capabilities `toml:"capabilities"`
	SeccompProfileType       string        `toml:"seccomp_profile_type"`
	SeccompLocalhostProfile  string        `toml:"seccomp_localhost_profile"`
}

// Capabilities are Linux capability names (NET_ADMIN, or ALL) to add to or
// drop from a container.
type Capabilities struct {
	Add  []string `toml:"add"`
	Drop []string `toml:"drop"`
}

// Values of security_profile, named after the Pod Security standards they
// meet.
const (
	SecurityProfileBaseline   = "baseline"
	SecurityProfileRestricted = "restricted"
)

// DefaultSecurityProfile is baseline: common images (python, node, debian)
// run as root and need apt-get, chown, useradd and su, which restricted
// takes away; baseline keeps them and still forbids privileged containers,
// host namespaces and raw sockets.
const DefaultSecurityProfile = SecurityProfileBaseline

// SecurityProfiles are the allowed values of security_profile.
var SecurityProfiles = []string{SecurityProfileBaseline, SecurityProfileRestricted}

// Profile is security_profile, or its default when unset (the key is
// absent, or the config did not come through the loader).
func (k *KubernetesConfig) Profile() string {
	if k == nil || k.SecurityProfile == "" {
		return DefaultSecurityProfile
	}
	return k.SecurityProfile
}

// Seccomp profile types, as the pod API spells them.
const (
	SeccompRuntimeDefault = "RuntimeDefault"
	SeccompLocalhost      = "Localhost"
	SeccompUnconfined     = "Unconfined"
)

// strictTable marks the security tables: a key in them that kuberunner does
// not know is an error, not a warning (decode.go).
type strictTable interface{ strictTable() }

func (*PodSecurityContext) strictTable()       {}
func (*ContainerSecurityContext) strictTable() {}
func (*Capabilities) strictTable()             {}

func isStrictTable(rv reflect.Value) bool {
	_, ok := rv.Addr().Interface().(strictTable)
	return ok
}

// unimplementedSecurity are GitLab Runner's [runners.kubernetes] keys that
// restrict what a job may do and that kuberunner does not implement. They
// are errors: ignoring one would run jobs with less protection than the
// operator configured. (init_permissions_container_security_context stays a
// warning: kuberunner's pod has no init container for it to apply to.)
var unimplementedSecurity = map[string]string{
	"pod_spec": "patches to the job pod, which may set its security context",
}

func unimplementedSecurityKey(rv reflect.Value, key string) (string, bool) {
	if rv.Type() != reflect.TypeFor[KubernetesConfig]() {
		return "", false
	}
	reason, ok := unimplementedSecurity[key]
	return reason, ok
}
