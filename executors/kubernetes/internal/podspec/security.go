package podspec

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common/config"
)

// The job pod's security defaults are the Pod Security "restricted"
// profile's, less runAsNonRoot (many CI images run as root, and the image
// decides that): no service-account token, the runtime's seccomp profile,
// no privilege escalation, and no capabilities. config.toml tightens them
// with the security-context tables, and loosens them only explicitly:
// privileged = true, allow_privilege_escalation, cap_add, a context's own
// capabilities, or automount_service_account_token. These functions are
// pure; jobspec_build.go calls them once per job.

// containerKind says which security-context table applies to a container.
type containerKind int

const (
	buildKind containerKind = iota
	helperKind
	serviceKind
)

// podSecurity is the pod-level context.
func podSecurity(cfg *config.KubernetesConfig) *corev1.PodSecurityContext {
	out := &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	p := cfg.PodSecurityContext
	if p == nil {
		return out
	}
	out.RunAsNonRoot = p.RunAsNonRoot
	out.RunAsUser = int64Ptr(p.RunAsUser)
	out.RunAsGroup = int64Ptr(p.RunAsGroup)
	out.FSGroup = int64Ptr(p.FSGroup)
	for _, g := range p.SupplementalGroups {
		out.SupplementalGroups = append(out.SupplementalGroups, int64(g))
	}
	if p.SELinuxType != "" {
		out.SELinuxOptions = &corev1.SELinuxOptions{Type: p.SELinuxType}
	}
	if sp := seccomp(p.SeccompProfileType, p.SeccompLocalhostProfile); sp != nil {
		out.SeccompProfile = sp
	}
	return out
}

// containerSecurity is one container's context: the defaults, then the
// runner-wide keys, then the kind's own table, whose set fields win.
func containerSecurity(cfg *config.KubernetesConfig, kind containerKind) *corev1.SecurityContext {
	privileged := cfg.Privileged != nil && *cfg.Privileged && kind != helperKind
	out := &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	if privileged {
		// The API refuses privileged with allowPrivilegeEscalation false,
		// and a privileged container has every capability anyway.
		out.Privileged, out.AllowPrivilegeEscalation, out.Capabilities = ptr.To(true), ptr.To(true), nil
	}
	if cfg.AllowPrivilegeEscalation != nil {
		out.AllowPrivilegeEscalation = ptr.To(*cfg.AllowPrivilegeEscalation)
	}
	if kind != helperKind && out.Capabilities != nil {
		out.Capabilities.Add = capabilities(cfg.CapAdd)
		if len(cfg.CapDrop) > 0 {
			out.Capabilities.Drop = capabilities(cfg.CapDrop)
		}
	}
	applyContainerTable(out, containerTable(cfg, kind))
	return out
}

func containerTable(cfg *config.KubernetesConfig, kind containerKind) *config.ContainerSecurityContext {
	switch kind {
	case buildKind:
		return cfg.BuildContainerSecurityContext
	case helperKind:
		return cfg.HelperContainerSecurityContext
	}
	return cfg.ServiceContainerSecurityContext
}

func applyContainerTable(out *corev1.SecurityContext, t *config.ContainerSecurityContext) {
	if t == nil {
		return
	}
	if t.Privileged != nil {
		out.Privileged = ptr.To(*t.Privileged)
	}
	if t.AllowPrivilegeEscalation != nil {
		out.AllowPrivilegeEscalation = ptr.To(*t.AllowPrivilegeEscalation)
	}
	if t.RunAsNonRoot != nil {
		out.RunAsNonRoot = ptr.To(*t.RunAsNonRoot)
	}
	out.RunAsUser = firstInt64(int64Ptr(t.RunAsUser), out.RunAsUser)
	out.RunAsGroup = firstInt64(int64Ptr(t.RunAsGroup), out.RunAsGroup)
	if t.ReadOnlyRootFilesystem != nil {
		out.ReadOnlyRootFilesystem = ptr.To(*t.ReadOnlyRootFilesystem)
	}
	if t.ProcMount != "" {
		pm := corev1.ProcMountType(t.ProcMount)
		out.ProcMount = &pm
	}
	if c := t.Capabilities; c != nil {
		out.Capabilities = &corev1.Capabilities{Add: capabilities(c.Add), Drop: capabilities(c.Drop)}
	}
	if sp := seccomp(t.SeccompProfileType, t.SeccompLocalhostProfile); sp != nil {
		out.SeccompProfile = sp
	}
}

// PrivilegedContainers names the containers that run privileged, for the
// build-log line that says so: loosening a default is never silent.
func PrivilegedContainers(spec *JobSpec) []string {
	var names []string
	for _, c := range spec.Containers {
		if sc := c.Security; sc != nil && sc.Privileged != nil && *sc.Privileged {
			names = append(names, c.Name)
		}
	}
	return names
}

func seccomp(typ, localhost string) *corev1.SeccompProfile {
	if typ == "" {
		return nil
	}
	sp := &corev1.SeccompProfile{Type: corev1.SeccompProfileType(typ)}
	if typ == config.SeccompLocalhost {
		sp.LocalhostProfile = ptr.To(localhost)
	}
	return sp
}

func capabilities(names []string) []corev1.Capability {
	if len(names) == 0 {
		return nil
	}
	out := make([]corev1.Capability, len(names))
	for i, n := range names {
		out[i] = corev1.Capability(n)
	}
	return out
}

func int64Ptr(p *int) *int64 {
	if p == nil {
		return nil
	}
	return ptr.To(int64(*p))
}

func firstInt64(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}
