package pull

import "kuberunner/common"

// needsRegistry reports whether a pull policy contacts the registry even
// when the node holds the image.
func needsRegistry(p common.PullPolicy) bool {
	return p == common.PullPolicyAlways
}

// StartOffline moves image, before its first attempt, from a leading
// `always` to its first later policy that needs no registry
// (if-not-present or never), for a registry that the executor knows to be
// unreachable. Only policies that would fail for certain are skipped: the
// list is the operator's ordered choice, and a list without such a policy,
// or one that does not start with `always`, is left alone. It returns the
// policies left and taken.
func (m *Manager) StartOffline(image string) (from, to common.PullPolicy, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, known := m.images[image]
	if !known || s.pos != 0 || !needsRegistry(s.list[0]) {
		return "", "", false
	}
	for i, p := range s.list {
		if !needsRegistry(p) && p != common.PullPolicyDefault {
			s.pos = i
			return s.list[0], p, true
		}
	}
	return "", "", false
}
