package pull

import (
	"errors"
	"fmt"
	"strings"

	"kuberunner/common"
)

// ImagePullError: the kubelet could not pull Image for Container. Image is
// the image as the job spec wrote it, the key of its pull state. Reason is
// the kubelet's waiting reason (ErrImagePull, ImagePullBackOff,
// ErrImageNeverPull), Message the kubelet's own message, and Class what the
// executor's classifier read in them ("" counts as ClassUnknown). Sent
// says which registry credentials went with the pull, by registry and
// source and never the secret ("no credentials were sent for
// registry.example.com"); "" when the executor does not say.
type ImagePullError struct {
	Image, Container, Reason, Message string
	Class                             Class
	Sent                              string
}

// class is e.Class, with "" read as ClassUnknown.
func (e *ImagePullError) class() Class {
	if e.Class == "" {
		return ClassUnknown
	}
	return e.Class
}

func (e *ImagePullError) Error() string {
	return fmt.Sprintf("image %q for container %q: %s", e.Image, e.Container, e.cause())
}

// cause is "Reason: Message (Sent)", the part every log line and error
// repeats: a denied pull says whether and whose credentials were refused.
func (e *ImagePullError) cause() string {
	var c string
	switch {
	case e.Reason == "":
		c = e.Message
	case e.Message == "":
		c = e.Reason
	default:
		c = e.Reason + ": " + e.Message
	}
	if e.Sent != "" {
		c += " (" + e.Sent + ")"
	}
	return c
}

// ErrPoliciesExhausted is matched with errors.Is by an *ExhaustedError: every
// pull policy of an image was tried and failed.
var ErrPoliciesExhausted = errors.New("all pull policies failed")

// ExhaustedError ends the fallback for Image. errors.Is(err,
// ErrPoliciesExhausted) is true and errors.As(err, **ImagePullError) finds
// Last, the failure of the final attempt.
type ExhaustedError struct {
	Image string
	Tried common.PullPolicies
	Last  *ImagePullError
}

func (e *ExhaustedError) Error() string {
	tried := make([]string, len(e.Tried))
	for i, p := range e.Tried {
		tried[i] = p.Quoted()
	}
	msg := fmt.Sprintf("image %q: %s (tried %s)", e.Image, ErrPoliciesExhausted, strings.Join(tried, ", "))
	if e.Last != nil {
		msg += ": " + e.Last.cause()
	}
	return msg
}

// Is matches the sentinel, so callers need not know the concrete type.
func (e *ExhaustedError) Is(target error) bool { return target == ErrPoliciesExhausted }

// Unwrap returns Last. A nil *ImagePullError must become a nil error, not a
// non-nil interface holding nil, or errors.As would hand out a nil pointer.
func (e *ExhaustedError) Unwrap() error {
	if e.Last == nil {
		return nil
	}
	return e.Last
}

// ErrPullDenied is matched with errors.Is by a *DeniedError: the registry
// refused the job's credentials and the job did not fall back.
var ErrPullDenied = errors.New("the registry denied the pull")

// DeniedError ends the job when an image's pull is denied (401, 403) and
// Rules.FallbackOnDenied is off: the next policy would run a copy the node
// holds, which these credentials may not pull. errors.As finds Last.
type DeniedError struct {
	Image  string
	Policy common.PullPolicy
	Last   *ImagePullError
}

func (e *DeniedError) Error() string {
	msg := fmt.Sprintf("image %q: %s with pull policy %s; kuberunner does not fall back to a copy the node may hold, "+
		"because the job's credentials may not pull it (set pull_policy_fallback_on_denied = true in [runners.kubernetes] to allow it)",
		e.Image, ErrPullDenied, e.Policy.Quoted())
	if e.Last != nil {
		msg += ": " + e.Last.cause()
	}
	return msg
}

// Is matches the sentinel.
func (e *DeniedError) Is(target error) bool { return target == ErrPullDenied }

// Unwrap returns Last, never a non-nil interface holding nil.
func (e *DeniedError) Unwrap() error {
	if e.Last == nil {
		return nil
	}
	return e.Last
}
