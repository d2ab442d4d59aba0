package podspec

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common/config"
)

// The job pod's security contexts start from the job's security profile
// (security_profile.go): "baseline" by default, "restricted" on request.
// config.toml's other keys apply on top: the security-context tables
// tighten it, and only privileged = true, allow_privilege_escalation,
// cap_add, a context's own capabilities, or automount_service_account_token
// loosen it. These functions are pure; jobspec_build.go calls them once per
// job.

// containerKind says which security-context table applies to a container.
type containerKind int

const (
	buildKind containerKind = iota
	helperKind
	serviceKind
)

// podSecurity is the pod-level context: the profile's, then
// pod_security_context's set fields.
func podSecurity(cfg *config.KubernetesConfig) *corev1.PodSecurityContext {
	out := &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	if profileOf(cfg).nonRoot {
		out.RunAsNonRoot = ptr.To(true)
		out.FSGroup = ptr.To(int64(helperNonRootID))
	}
	p := cfg.PodSecurityContext
	if p == nil {
		return out
	}
	if p.RunAsNonRoot != nil {
		out.RunAsNonRoot = ptr.To(*p.RunAsNonRoot)
	}
	out.RunAsUser = int64Ptr(p.RunAsUser)
	out.RunAsGroup = int64Ptr(p.RunAsGroup)
	out.FSGroup = firstInt64(int64Ptr(p.FSGroup), out.FSGroup)
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

// containerSecurity is one container's context: the profile's, then the
// runner-wide keys, then the kind's own table, whose set fields win.
func containerSecurity(cfg *config.KubernetesConfig, kind containerKind) *corev1.SecurityContext {
	prof := profileOf(cfg)
	out := profileContainer(prof, kind)
	if cfg.Privileged != nil && *cfg.Privileged && kind != helperKind {
		// The API refuses privileged with allowPrivilegeEscalation false,
		// and a privileged container has every capability anyway.
		out.Privileged, out.AllowPrivilegeEscalation, out.Capabilities = ptr.To(true), ptr.To(true), nil
	}
	if cfg.AllowPrivilegeEscalation != nil {
		out.AllowPrivilegeEscalation = ptr.To(*cfg.AllowPrivilegeEscalation)
	}
	if kind != helperKind && out.Capabilities != nil {
		out.Capabilities = mergeCapabilities(prof.drop, cfg.CapAdd, cfg.CapDrop)
	}
	if kind == helperKind && prof.nonRoot {
		nonRootHelper(out, cfg.PodSecurityContext)
	}
	applyContainerTable(out, containerTable(cfg, kind))
	return out
}

// nonRootHelper runs the helper as helperNonRootID where the pod's context
// names no user or group: the helper image's default user is root.
func nonRootHelper(out *corev1.SecurityContext, pod *config.PodSecurityContext) {
	if pod == nil || pod.RunAsUser == nil {
		out.RunAsUser = ptr.To(int64(helperNonRootID))
	}
	if pod == nil || pod.RunAsGroup == nil {
		out.RunAsGroup = ptr.To(int64(helperNonRootID))
	}
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
