package podspec

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	"k8s.io/utils/ptr"

	"kuberunner/common/config"
)

// profile is what a security_profile sets before config.toml's other
// security keys apply on top of it. Every profile keeps the pod on the
// runtime's seccomp profile and without a service-account token, and the
// helper container, which needs nothing, without capabilities or privilege
// escalation.
type profile struct {
	// summary is what the build log says the profile allows.
	summary string
	// drop is what build and service containers drop by default.
	drop []corev1.Capability
	// noEscalation sets allowPrivilegeEscalation false on build and
	// service containers.
	noEscalation bool
	// nonRoot sets runAsNonRoot on the pod, runs the helper as
	// helperNonRootID and gives the pod an fsGroup, so that the Pod
	// Security "restricted" standard admits it.
	nonRoot bool
}

// profiles are the values of security_profile. Baseline drops NET_RAW
// only: the runtime's other default capabilities (CHOWN, SETUID, SETGID,
// DAC_OVERRIDE, ...) are what apt-get, chown, useradd and su need, and
// privilege escalation stays allowed because su and apt's drop to _apt
// use setuid.
var profiles = map[string]profile{
	config.SecurityProfileBaseline: {
		summary: `meets Pod Security "baseline": the container runtime's default capabilities less NET_RAW, privilege escalation allowed, seccomp RuntimeDefault, no service-account token`,
		drop:    []corev1.Capability{"NET_RAW"},
	},
	config.SecurityProfileRestricted: {
		summary:      `meets Pod Security "restricted": every capability dropped, no privilege escalation, non-root, seccomp RuntimeDefault, no service-account token`,
		drop:         []corev1.Capability{"ALL"},
		noEscalation: true,
		nonRoot:      true,
	},
}

// helperNonRootID is the user and group of the helper under a nonRoot
// profile when the operator names none: the helper image runs as root by
// default, which runAsNonRoot refuses. It is also the pod's fsGroup then,
// so that the containers share the builds volume.
const helperNonRootID = 65532

// profileOf is the job's profile. The loader refused any other name, so
// an unknown one (a config built in code) gets the default.
func profileOf(cfg *config.KubernetesConfig) profile {
	if p, ok := profiles[cfg.Profile()]; ok {
		return p
	}
	return profiles[config.DefaultSecurityProfile]
}

// profileContainer is a kind of container's context under p alone.
func profileContainer(p profile, kind containerKind) *corev1.SecurityContext {
	if kind == helperKind {
		return &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
	out := &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Drop: slices.Clone(p.drop)}}
	if p.noEscalation {
		out.AllowPrivilegeEscalation = ptr.To(false)
	}
	return out
}

// mergeCapabilities applies cap_add and cap_drop to a profile's default
// drop list with GitLab Runner's rules: cap_add takes a capability off the
// default list, and cap_drop wins over cap_add.
func mergeCapabilities(defaults []corev1.Capability, add, drop []string) *corev1.Capabilities {
	added, dropped := capabilities(add), capabilities(drop)
	out := &corev1.Capabilities{}
	for _, c := range defaults {
		if !slices.Contains(added, c) {
			out.Drop = appendNew(out.Drop, c)
		}
	}
	for _, c := range dropped {
		out.Drop = appendNew(out.Drop, c)
	}
	for _, c := range added {
		if !slices.Contains(dropped, c) {
			out.Add = appendNew(out.Add, c)
		}
	}
	return out
}

func appendNew(list []corev1.Capability, c corev1.Capability) []corev1.Capability {
	if slices.Contains(list, c) {
		return list
	}
	return append(list, c)
}
