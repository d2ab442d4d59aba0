package podspec

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// SecurityLines are the build log's account of the job pod's security:
// the profile and what it allows, then every capability a container adds
// or drops beyond it, so that no loosening (and no tightening) of the
// profile is silent. Containers with the same changes share a line. A
// privileged container is left to PrivilegedContainers' warning.
func SecurityLines(spec *JobSpec) []string {
	prof, ok := profiles[spec.Profile]
	if !ok {
		return nil
	}
	lines := []string{fmt.Sprintf("Security profile %q: %s", spec.Profile, prof.summary)}
	var order []string
	who := map[string][]string{}
	for _, c := range spec.Containers {
		change := capabilityChange(profileContainer(prof, kindOf(c.Name)).Capabilities, c.Security)
		if change == "" {
			continue
		}
		if _, seen := who[change]; !seen {
			order = append(order, change)
		}
		who[change] = append(who[change], c.Name)
	}
	for _, change := range order {
		lines = append(lines, fmt.Sprintf("Capabilities beyond the %s profile: %s %s", spec.Profile, strings.Join(who[change], ", "), change))
	}
	return lines
}

// capabilityChange says how sc's capabilities differ from the profile's,
// "" when they do not (or sc is privileged and has them all).
func capabilityChange(profile *corev1.Capabilities, sc *corev1.SecurityContext) string {
	if sc == nil || sc.Capabilities == nil || (sc.Privileged != nil && *sc.Privileged) {
		return ""
	}
	got := sc.Capabilities
	var parts []string
	if added := missing(got.Add, profile.Add); len(added) > 0 {
		parts = append(parts, "add "+joinCaps(added))
	}
	if dropped := missing(got.Drop, profile.Drop); len(dropped) > 0 {
		parts = append(parts, "drop "+joinCaps(dropped))
	}
	var kept []corev1.Capability
	for _, c := range profile.Drop {
		if !slices.Contains(got.Drop, c) && !slices.Contains(got.Drop, "ALL") && !slices.Contains(got.Add, c) {
			kept = append(kept, c)
		}
	}
	if len(kept) > 0 {
		parts = append(parts, "no longer drop "+joinCaps(kept))
	}
	return strings.Join(parts, "; ")
}

// missing is what list has that from does not.
func missing(list, from []corev1.Capability) []corev1.Capability {
	var out []corev1.Capability
	for _, c := range list {
		if !slices.Contains(from, c) {
			out = append(out, c)
		}
	}
	return out
}

func joinCaps(cs []corev1.Capability) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// kindOf is the kind of a container of the job pod, by its name.
func kindOf(name string) containerKind {
	switch name {
	case BuildContainer:
		return buildKind
	case HelperContainer:
		return helperKind
	}
	return serviceKind
}
