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
	rules  Rules
	images map[string]*imageState
}

type imageState struct {
	list common.PullPolicies
	pos  int // index of the current policy; len(list) once exhausted
	// retries of the current policy so far; 0 again at the next policy.
	retries int
	// retried counts every retry of the image, at any policy, so that
	// attempts are numbered as the pods go.
	retried int
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

// Attempt is the 1-based number of the attempt Policy belongs to, by its
// place in the list: retries of a policy do not count, so Attempt(image) >= 2
// means the image fell back (the node placer relies on that).
func (m *Manager) Attempt(image string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.images[image]; ok {
		return min(s.pos, len(s.list)-1) + 1
	}
	return 1
}

// Reaction is what one React call decided, for the executor's wait before
// the next pod and for its metrics.
type Reaction struct {
	// Retry is the highest retry number among the images that retry their
	// current policy (1 for a first retry); 0 when none retries.
	Retry int
	// Fallbacks are the images that moved to their next policy.
	Fallbacks []Fallback
}

// Fallback is one image moving From one policy To the next.
type Fallback struct {
	Image    string
	From, To common.PullPolicy
}

// SetRules sets how failures are treated by class. Call it before the
// first React; without it the zero Rules apply.
func (m *Manager) SetRules(r Rules) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rules = r
}

// Fail is React without the Reaction.
func (m *Manager) Fail(errs ...*ImagePullError) error {
	_, err := m.React(errs...)
	return err
}

// React records the pull failures seen in ONE pod attempt. Each error's
// Image is the image as the job spec wrote it (not as an admission webhook
// may have rewritten it), which is the key of its state. Each distinct
// image is decided once per call even if several containers of it failed,
// because they all failed on the same attempt, by its class:
//
//   - transient, with retries of the current policy left: the image keeps
//     its policy (a retry);
//   - denied, unless Rules.FallbackOnDenied: the job ends with a
//     *DeniedError;
//   - anything else, and transient with its retries spent: the image
//     advances to its next policy, or, with none left, the job ends with
//     an *ExhaustedError.
//
// For each failure it writes a warning line, and for each image a line
// naming the class and what happens. When the job ends, only the lines of
// the image that ends it are written: announcing a retry or the next
// policy of the others would tell of a pod that is never made. The error
// is that of the first image (in the order given) that ends the job.
func (m *Manager) React(errs ...*ImagePullError) (Reaction, error) {
	warnings, infos, ending, r, err := m.record(errs)
	// Log outside the lock: the log may block on I/O, and it must never be
	// able to call back into a locked manager.
	if m.log != nil {
		for _, line := range warnings {
			m.log.Warningln(line)
		}
		if err != nil {
			infos = ending
		}
		for _, line := range infos {
			m.log.Infoln(line)
		}
	}
	if err != nil {
		return Reaction{}, err
	}
	return r, nil
}

func (m *Manager) record(errs []*ImagePullError) (warnings, infos, ending []string, r Reaction, end error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	var order []string                   // distinct images, first failure first
	last := map[string]*ImagePullError{} // each image's last failure in this call
	denied := map[string]bool{}          // any failure of the image was denied
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
		denied[image] = denied[image] || e.class() == ClassDenied
	}

	for _, image := range order {
		s := m.state(image)
		class := last[image].class()
		if denied[image] {
			// One denied container of an image is enough: falling back for
			// its other containers would run the same cached copy.
			class = ClassDenied
		}
		// An unclassified failure (no Class at all) gets no class line: the
		// manager has nothing to say about it beyond the warning.
		classified := last[image].Class != "" || denied[image]
		say := func(action string) []string {
			if !classified {
				return nil
			}
			return []string{fmt.Sprintf("Pull failure of image %q is %s: %s", image, class.describe(), action)}
		}
		from := s.current()
		switch {
		case class == ClassTransient && s.retries < m.rules.RetryBudget:
			s.retries++
			s.retried++
			r.Retry = max(r.Retry, s.retries)
			infos = append(infos, say(fmt.Sprintf("retry %d of %d with pull policy %s (attempt %d)",
				s.retries, m.rules.RetryBudget, from.Quoted(), s.pos+1+s.retried))...)
			continue
		case class == ClassDenied && !m.rules.FallbackOnDenied:
			lines := say("not falling back to a copy the node may hold (pull_policy_fallback_on_denied is off)")
			infos = append(infos, lines...)
			if end == nil {
				ending = lines
				end = &DeniedError{Image: image, Policy: from, Last: last[image]}
			}
			continue
		}
		action := "falling back"
		switch {
		case class == ClassTransient:
			action = fmt.Sprintf("its %d retries with pull policy %s are spent; falling back", s.retries, from.Quoted())
		case class == ClassDenied:
			action = "falling back, as pull_policy_fallback_on_denied allows"
		}
		if s.pos < len(s.list) {
			s.pos++
			s.retries = 0
		}
		if s.pos < len(s.list) {
			infos = append(append(infos, say(action)...), fmt.Sprintf("Falling back for image %q: attempt %d will use pull policy %s (%s)",
				image, s.pos+1+s.retried, s.list[s.pos].Quoted(), remaining(len(s.list)-s.pos-1)))
			r.Fallbacks = append(r.Fallbacks, Fallback{Image: image, From: from, To: s.list[s.pos]})
			continue
		}
		lines := say("no pull policy is left")
		infos = append(infos, lines...)
		if end == nil {
			ending = lines
			end = &ExhaustedError{
				Image: image,
				Tried: append(common.PullPolicies(nil), s.list...),
				Last:  last[image],
			}
		}
	}
	return warnings, infos, ending, r, end
}

func remaining(n int) string {
	if n == 0 {
		return "no more after this"
	}
	return fmt.Sprintf("%d more after this", n)
}
