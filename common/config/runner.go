package config

import (
	"errors"
	"fmt"
	"strings"
)

// Why a runner could not be chosen; each is the Err of an *Error naming
// the file.
var (
	// ErrNoRunners: the file has no [[runners]] entry. Loading such a
	// file is fine (config check says what it holds), running from it is
	// not: there is no namespace or pull-policy bound to run under.
	ErrNoRunners = errors.New("no [[runners]] entry")
	// ErrRunnerNotChosen: several runners and no name to choose by.
	ErrRunnerNotChosen = errors.New("several runners and none chosen")
	// ErrRunnerNotFound: no runner has the name asked for.
	ErrRunnerNotFound = errors.New("no runner with that name")
)

// RequireRunners is the check every command that runs jobs makes (exec,
// and run when it exists): a file without runners is refused, never
// filled in with built-in defaults, which would bypass the operator's
// namespace and allowed_pull_policies. file is the name c was loaded
// from, for the message.
func (c *Config) RequireRunners(file string) error {
	if len(c.Runners) > 0 {
		return nil
	}
	return &Error{
		File: file,
		Msg:  "the file has no [[runners]] entry, so no job can run from it",
		Err:  ErrNoRunners,
	}
}

// Runner returns the runner named name, or the only runner when name is ""
// and there is exactly one. Names are unique (the loader refuses a repeat),
// so the choice never depends on file order. file is the name c was
// loaded from, for messages.
func (c *Config) Runner(file, name string) (*RunnerConfig, error) {
	if err := c.RequireRunners(file); err != nil {
		return nil, err
	}
	if name == "" && len(c.Runners) == 1 {
		return c.Runners[0], nil
	}
	names := make([]string, len(c.Runners))
	for i, r := range c.Runners {
		if name != "" && r.Name == name {
			return r, nil
		}
		names[i] = fmt.Sprintf("%q", r.Name)
	}
	e := &Error{File: file, Allowed: strings.Join(names, ", ")}
	if name == "" {
		e.Msg, e.Err = fmt.Sprintf("the file has %d runners; choose one by name", len(c.Runners)), ErrRunnerNotChosen
	} else {
		e.Value = name
		e.Msg, e.Err = fmt.Sprintf("no runner is named %q", name), ErrRunnerNotFound
	}
	return nil, e
}

// BuiltinName names the built-in runner and stands for the file in its
// messages.
const BuiltinName = "(built-in defaults)"

// BuiltinRunner is what `exec` runs with when no config file was named and
// none is at the default path: a kubernetes runner with every default. It
// is built by Parse, so the defaults and checks are exactly a file's.
func BuiltinRunner() *RunnerConfig {
	cfg, _, err := Parse(BuiltinName, []byte("[[runners]]\nname = \"exec\"\n"))
	if err != nil {
		panic("config: the built-in runner does not load: " + err.Error())
	}
	return cfg.Runners[0]
}
