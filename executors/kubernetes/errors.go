package kubernetes

import (
	"fmt"
	"time"
)

// ContainerConfigError: the kubelet cannot run a container for a reason no
// pull policy can fix (an invalid image name, a missing secret, ...).
type ContainerConfigError struct {
	Container, Image, Reason, Message string
}

func (e *ContainerConfigError) Error() string {
	return fmt.Sprintf("container %q (image %q) cannot start: %s: %s", e.Container, e.Image, e.Reason, e.Message)
}

// PodEndedError: the job pod went away or stopped before the job finished
// with it: deleted, evicted, or failed.
type PodEndedError struct {
	Pod, Phase, Reason, Message string
}

func (e *PodEndedError) Error() string {
	msg := fmt.Sprintf("pod %q ended unexpectedly (phase %s", e.Pod, e.Phase)
	if e.Reason != "" {
		msg += ", reason " + e.Reason
	}
	msg += ")"
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// PodStartTimeoutError: the pod did not start within poll_timeout.
type PodStartTimeoutError struct {
	Pod           string
	Timeout       time.Duration
	Phase, Reason string
	// Node is the node's condition when the pod was bound to one, e.g.
	// "node n1: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting
	// node status.), last heartbeat 52s ago".
	Node string
}

func (e *PodStartTimeoutError) Error() string {
	msg := fmt.Sprintf("pod %q did not start within poll_timeout (%s): last phase %s", e.Pod, e.Timeout, e.Phase)
	if e.Reason != "" {
		msg += ", reason " + e.Reason
	}
	if e.Node != "" {
		msg += "; " + e.Node
	}
	return msg
}
