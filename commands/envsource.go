package commands

import (
	"os"
	"strconv"

	"github.com/urfave/cli/v3"
)

// envSource is an environment variable as a flag's source, like
// cli.EnvVar, that remembers whether it gave the flag its value. urfave/cli
// reads a flag's sources only when the command line did not set it, so a
// source that gave nothing means the value was typed (or is the default).
// A command needs this where a value typed and one inherited from the
// environment mean different things: which variable named the config file
// for a message, or a $CI_SERVER_TOKEN left from a register beside
// unregister --all-runners. An empty variable counts as unset, as it does
// for config.Locate.
type envSource struct {
	key  string
	gave bool
}

func (e *envSource) Lookup() (string, bool) {
	v := os.Getenv(e.key)
	if v == "" {
		return "", false
	}
	e.gave = true
	return v, true
}

// IsFromEnv and Key make --help show the variable, as for cli.EnvVars.
func (e *envSource) IsFromEnv() bool  { return true }
func (e *envSource) Key() string      { return e.key }
func (e *envSource) String() string   { return "environment variable " + strconv.Quote(e.key) }
func (e *envSource) GoString() string { return "&envSource{key:" + strconv.Quote(e.key) + "}" }

// trackedEnvVars is cli.EnvVars with envSources.
func trackedEnvVars(keys ...string) cli.ValueSourceChain {
	var chain cli.ValueSourceChain
	for _, k := range keys {
		chain.Chain = append(chain.Chain, &envSource{key: k})
	}
	return chain
}

// envVarOf is the variable that gave cmd's flag name its value: "" when
// the command line set it, or nothing did.
func envVarOf(cmd *cli.Command, name string) string {
	for _, f := range cmd.Flags {
		sf, ok := f.(*cli.StringFlag)
		if !ok || sf.Name != name {
			continue
		}
		for _, src := range sf.Sources.Chain {
			if e, ok := src.(*envSource); ok && e.gave {
				return e.key
			}
		}
	}
	return ""
}
