package pull

import (
	"fmt"
	"sync"

	"kuberunner/common"
)

// Log is the slice of the build log the manager writes to.
type Log interface {
	Warningln(args ...any)
	Infoln(args ...any)
}

// Manager is the pull-policy state of one job: for each image, the effective
// list and how far down it the job has got. It is made once per job and
// lives across the pods the fallback loop creates.
type Manager struct {
	mu     sync.Mutex
	log    Log
	images map[string]*imageState
}

type imageState struct {
	list common.PullPolicies
	pos  int // index of the current policy; len(list) once exhausted
}

// current is the policy of the next attempt. After exhaustion it stays on
// the last policy so a caller that asks anyway gets a real value.
func (s *imageState) current() common.PullPolicy {
	return s.list[min(s.pos, len(s.list)-1)]
}

// NewManager takes the effective lists keyed by image as written in our pod
// spec. The lists are copied; an empty list means one attempt with the
// cluster default, like an image the manager was not told about.
func NewManager(lists map[string]common.PullPolicies, log Log) *Manager {
	m := &Manager{log: log, images: make(map[string]*imageState, len(lists))}
	for image, list := range lists {
		m.images[image] = newImageState(list)
	}
	return m
}

func newImageState(list common.PullPolicies) *imageState {
	if len(list) == 0 {
		return &imageState{list: common.PullPolicies{common.PullPolicyDefault}}
	}
	return &imageState{list: append(common.PullPolicies(nil), list...)}
}

// state returns the image's state, creating the cluster-default one for an
// image the manager was not given. Callers hold m.mu.
func (m *Manager) state(image string) *imageState {
	s, ok := m.images[image]
	if !ok {
		s = newImageState(nil)
		m.images[image] = s
	}
	return s
}

// Policy is the policy to write into the pod spec for image now. An image
// not in the lists gets PullPolicyDefault.
func (m *Manager) Policy(image string) common.PullPolicy {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.images[image]; ok {
		return s.current()
	}
	return common.PullPolicyDefault
}

// Attempt is the 1-based number of the attempt Policy belongs to.
func (m *Manager) Attempt(image string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.images[image]; ok {
		return min(s.pos, len(s.list)-1) + 1
	}
	return 1
}

// Fail records the pull failures seen in ONE pod attempt. Each error's
// Image is the image as the job spec wrote it (not as an admission webhook
// may have rewritten it), which is the key of its state. Each distinct image advances once per call even if
// several containers of it failed, because they all failed on the same
// attempt. For each failure it writes a warning line; for each image that
// has a policy left, an info line with the attempt number, the next policy
// and how many remain. If any image has no policy left it returns an
// *ExhaustedError for the first such image (in the order given); otherwise
// nil.
func (m *Manager) Fail(errs ...*ImagePullError) error {
	warnings, infos, exhausted := m.record(errs)
	// Log outside the lock: the log may block on I/O, and it must never be
	// able to call back into a locked manager.
	if m.log != nil {
		for _, line := range warnings {
			m.log.Warningln(line)
		}
		// When one image has run out, no further pod is made: announcing
		// the next policy of the others would tell the reader of a retry
		// that never happens.
		if exhausted == nil {
			for _, line := range infos {
				m.log.Infoln(line)
			}
		}
	}
	if exhausted == nil {
		return nil
	}
	return exhausted
}

func (m *Manager) record(errs []*ImagePullError) (warnings, infos []string, exhausted *ExhaustedError) {
	m.mu.Lock()
	defer m.mu.Unlock()

	var order []string                   // distinct images, first failure first
	last := map[string]*ImagePullError{} // each image's last failure in this call
	for _, e := range errs {
		if e == nil {
			continue
		}
		image := e.Image
		s := m.state(image)
		warnings = append(warnings, fmt.Sprintf("Failed to pull image %q for container %q with pull policy %s: %s",
			image, e.Container, s.current().Quoted(), e.cause()))
		if _, seen := last[image]; !seen {
			order = append(order, image)
		}
		last[image] = e
	}

	for _, image := range order {
		s := m.state(image)
		if s.pos < len(s.list) {
			s.pos++
		}
		if s.pos < len(s.list) {
			infos = append(infos, fmt.Sprintf("Falling back for image %q: attempt %d will use pull policy %s (%s)",
				image, s.pos+1, s.list[s.pos].Quoted(), remaining(len(s.list)-s.pos-1)))
			continue
		}
		if exhausted == nil {
			exhausted = &ExhaustedError{
				Image: image,
				Tried: append(common.PullPolicies(nil), s.list...),
				Last:  last[image],
			}
		}
	}
	return warnings, infos, exhausted
}

func remaining(n int) string {
	if n == 0 {
		return "no more after this"
	}
	return fmt.Sprintf("%d more after this", n)
}
