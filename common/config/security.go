package config

// The security keys of [runners.kubernetes], with GitLab Runner's names.
// The executor's defaults are restrictive (docs/security.md): these keys
// tighten them further, and only `privileged = true` and explicit
// capabilities, `allow_privilege_escalation` or `automount_service_account_token`
// loosen them. A key of these tables that kuberunner does not know is an
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

// Seccomp profile types, as the pod API spells them.
const (
	SeccompRuntimeDefault = "RuntimeDefault"
	SeccompLocalhost      = "Localhost"
	SeccompUnconfined     = "Unconfined"
)
