package common

import (
	"fmt"
	"slices"
	"strings"

	"kuberunner/helpers/suggest"
)

// PullPolicy is one of GitLab Runner's pull-policy names as written in
// config.toml or .gitlab-ci.yml. The empty value means "none given": the
// cluster's own default (an empty imagePullPolicy in the pod spec).
type PullPolicy string

const (
	PullPolicyAlways       PullPolicy = "always"
	PullPolicyIfNotPresent PullPolicy = "if-not-present"
	PullPolicyNever        PullPolicy = "never"
	// PullPolicyDefault leaves the choice to the cluster.
	PullPolicyDefault PullPolicy = ""
)

// pullPolicyNames is the order in which allowed values are listed in errors
// and docs.
var pullPolicyNames = []string{
	string(PullPolicyAlways),
	string(PullPolicyIfNotPresent),
	string(PullPolicyNever),
}

// AllowedPullPolicyNames lists the names ParsePullPolicy accepts, for
// messages ("always, if-not-present, never").
func AllowedPullPolicyNames() string { return strings.Join(pullPolicyNames, ", ") }

// PullPolicies is an ordered list of policies to try, one per attempt.
// Repeats are meaningful: ["always", "always"] is one retry.
type PullPolicies []PullPolicy

// UnknownPullPolicyError is a pull-policy name that is not one of ours.
// Suggestion is the close match, if any, so that the message can point the
// operator at the fix for the usual slips (if_not_present, Always,
// IfNotPresent).
type UnknownPullPolicyError struct {
	Value      string
	Suggestion PullPolicy
}

func (e *UnknownPullPolicyError) Error() string {
	msg := e.Problem() + "; allowed: " + AllowedPullPolicyNames()
	if h := e.Hint(); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

// Problem is the first part of the message, without the allowed values.
func (e *UnknownPullPolicyError) Problem() string {
	if e.Value == "" {
		return "an empty string is not a pull policy"
	}
	return fmt.Sprintf("%q is not a pull policy", e.Value)
}

// Hint is `did you mean "x"?`, or "" when nothing is close.
func (e *UnknownPullPolicyError) Hint() string {
	if e.Suggestion == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", string(e.Suggestion))
}

// ParsePullPolicy accepts exactly the names GitLab Runner documents. It does
// not fold case or underscores: a config that "works by accident" here would
// fail on GitLab Runner, and the other way round.
func ParsePullPolicy(s string) (PullPolicy, error) {
	for _, name := range pullPolicyNames {
		if s == name {
			return PullPolicy(s), nil
		}
	}
	return "", &UnknownPullPolicyError{Value: s, Suggestion: PullPolicy(suggest.Closest(s, pullPolicyNames))}
}

// String is the name, or "(cluster default)" for the empty policy, so that a
// log line never shows an empty pair of quotes.
func (p PullPolicy) String() string {
	if p == PullPolicyDefault {
		return "(cluster default)"
	}
	return string(p)
}

// Quoted renders a policy for messages: "always", or (cluster default)
// without quotes because it is not a value anyone can write.
func (p PullPolicy) Quoted() string {
	if p == PullPolicyDefault {
		return p.String()
	}
	return fmt.Sprintf("%q", string(p))
}

// String renders the list as ["always", "if-not-present"]; the empty list is
// "(cluster default)" because that is what an empty list means to the
// effective-list rules.
func (ps PullPolicies) String() string {
	if len(ps) == 0 {
		return PullPolicyDefault.String()
	}
	return "[" + ps.join(", ") + "]"
}

// join renders the policies quoted and separated by sep, without brackets.
func (ps PullPolicies) join(sep string) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Quoted()
	}
	return strings.Join(parts, sep)
}

// Names renders the policies unquoted, "always, never", for "allowed:" lists.
func (ps PullPolicies) Names() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}

// Contains reports whether p is in the list.
func (ps PullPolicies) Contains(p PullPolicy) bool {
	return slices.Contains(ps, p)
}
