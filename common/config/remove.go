package config

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrNotEditable: RemoveRunners could not take the entries out of the
// file's text without changing something else, so it left the file alone.
var ErrNotEditable = errors.New("the runners cannot be removed from the file's text")

// RemoveRunners removes from the config file at path the [[runners]]
// entries for which remove returns true, and returns them. remove sees
// the file as it is under rewrite's lock, not as a caller loaded it
// earlier, so a runner that another command added meanwhile stays.
//
// Only the entries' text goes (runnerSpans); the rest of the file,
// comments included, stays as written. The result must load and hold
// exactly the other runners and the same global settings; otherwise the
// file is left unchanged and the error wraps ErrNotEditable.
func RemoveRunners(path string, remove func(*RunnerConfig) bool) ([]*RunnerConfig, error) {
	var removed []*RunnerConfig
	err := rewrite(path, func(old []byte) ([]byte, error) {
		removed = nil
		cfg, _, err := Parse(path, old)
		if err != nil {
			return nil, fmt.Errorf("the file does not load, so no runner was removed from it: %w", err)
		}
		drop := make([]bool, len(cfg.Runners))
		for i, r := range cfg.Runners {
			if drop[i] = remove(r); drop[i] {
				removed = append(removed, r)
			}
		}
		if len(removed) == 0 {
			return nil, nil
		}
		return withoutRunners(path, old, cfg, drop)
	})
	if err != nil {
		return nil, err
	}
	return removed, nil
}

// withoutRunners is old without the entries drop marks, checked to load
// as cfg, the file old loaded as, without them.
func withoutRunners(path string, old []byte, cfg *Config, drop []bool) ([]byte, error) {
	spans, ok := runnerSpans(old)
	if !ok || len(spans) != len(drop) {
		return nil, notEditable(path, "not every runner is a [[runners]] table of its own")
	}
	var data []byte
	next := 0
	for i, sp := range spans {
		if drop[i] {
			data = append(data, old[next:sp.start]...)
			next = sp.end
		}
	}
	data = append(data, old[next:]...)
	want := *cfg
	want.Runners = nil
	for i, r := range cfg.Runners {
		if !drop[i] {
			want.Runners = append(want.Runners, r)
		}
	}
	got, _, err := Parse(path, data)
	if err != nil || !reflect.DeepEqual(got, &want) {
		return nil, notEditable(path, "without the entries' text it would not load as the same file without those runners")
	}
	return data, nil
}

func notEditable(path, why string) error {
	return &Error{File: path, Msg: "no runner was removed: " + why,
		Allowed: "[[runners]] tables; edit the file by hand", Err: ErrNotEditable}
}
