package common

import (
	"encoding/json"
	"errors"
)

// PullPolicyEntryError is the error of one entry of a pull-policy value.
// Index is the position in an array, or -1 when the value was a single
// string, so that each front door (config.toml, .gitlab-ci.yml) can name
// pull_policy[1] with its own line.
type PullPolicyEntryError struct {
	Index int
	Err   error
}

// DecodePullPolicies is the one pull-policy decoder: config.toml, the job
// payload JSON and .gitlab-ci.yml all turn their value into a plain string,
// []any of strings, or nil, and call it. Both
// formats allow one string or an array of strings, as GitLab Runner does. A
// single "" is "not set" (GitLab Runner's config templates write it); an ""
// inside an array is an error because it can only be a mistake. Every bad
// entry is reported, not only the first.
func DecodePullPolicies(v any) (PullPolicies, []PullPolicyEntryError) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		p, err := ParsePullPolicy(v)
		if err != nil {
			return nil, []PullPolicyEntryError{{Index: -1, Err: err}}
		}
		return PullPolicies{p}, nil
	case []any:
		var errs []PullPolicyEntryError
		out := make(PullPolicies, 0, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				errs = append(errs, PullPolicyEntryError{Index: i, Err: NewWrongTypeError(item, "a string")})
				continue
			}
			p, err := ParsePullPolicy(s)
			if err != nil {
				errs = append(errs, PullPolicyEntryError{Index: i, Err: err})
				continue
			}
			out = append(out, p)
		}
		if len(errs) > 0 {
			return nil, errs
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, []PullPolicyEntryError{{Index: -1, Err: NewWrongTypeError(v, "a string or an array of strings")}}
}

func joinEntryErrors(errs []PullPolicyEntryError) error {
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e.Err
	}
	return errors.Join(all...)
}

// UnmarshalJSON accepts the coordinator's "pull_policy": ["always"] and the
// single-string form; null leaves the list unset.
func (ps *PullPolicies) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	list, errs := DecodePullPolicies(v)
	if len(errs) > 0 {
		return joinEntryErrors(errs)
	}
	*ps = list
	return nil
}
