package common

import (
	"encoding/json"
	"errors"
)

// policyEntryError is the error of one entry of a pull-policy value. index is
// the position in an array, or -1 when the value was a single string, so that
// the config loader can name pull_policy[1] precisely.
type policyEntryError struct {
	index int
	err   error
}

// decodePullPolicies turns a decoded TOML or JSON value into a list. Both
// formats allow one string or an array of strings, as GitLab Runner does. A
// single "" is "not set" (GitLab Runner's config templates write it); an ""
// inside an array is an error because it can only be a mistake. Every bad
// entry is reported, not only the first.
func decodePullPolicies(v any) (PullPolicies, []policyEntryError) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		p, err := ParsePullPolicy(v)
		if err != nil {
			return nil, []policyEntryError{{index: -1, err: err}}
		}
		return PullPolicies{p}, nil
	case []any:
		var errs []policyEntryError
		out := make(PullPolicies, 0, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				errs = append(errs, policyEntryError{index: i, err: wrongType(item, "a string")})
				continue
			}
			p, err := ParsePullPolicy(s)
			if err != nil {
				errs = append(errs, policyEntryError{index: i, err: err})
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
	return nil, []policyEntryError{{index: -1, err: wrongType(v, "a string or an array of strings")}}
}

func joinEntryErrors(errs []policyEntryError) error {
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e.err
	}
	return errors.Join(all...)
}

// UnmarshalTOML implements toml.Unmarshaler: pull_policy = "always" and
// pull_policy = ["always", "if-not-present"] both decode. The config loader
// does not go through here (it reports each entry with its own key) but
// anyone decoding a KubernetesConfig with toml.Decode gets the same rules.
func (ps *PullPolicies) UnmarshalTOML(v any) error {
	list, errs := decodePullPolicies(v)
	if len(errs) > 0 {
		return joinEntryErrors(errs)
	}
	*ps = list
	return nil
}

// UnmarshalJSON accepts the coordinator's "pull_policy": ["always"] and the
// single-string form; null leaves the list unset.
func (ps *PullPolicies) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	list, errs := decodePullPolicies(v)
	if len(errs) > 0 {
		return joinEntryErrors(errs)
	}
	*ps = list
	return nil
}
