package commands

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/urfave/cli/v3"
)

// commandPaths are the argument lists that reach each command and
// subcommand of cmd, e.g. ["config", "check"].
func commandPaths(cmd *cli.Command, prefix []string) [][]string {
	var out [][]string
	for _, sub := range cmd.Commands {
		p := append(append([]string(nil), prefix...), sub.Name)
		out = append(out, p)
		out = append(out, commandPaths(sub, p)...)
	}
	return out
}

// `--help` answers for every command and subcommand, with exit 0 and
// without running it; a command urfave/cli parses shows each flag's
// environment variables.
func TestHelpOfEveryCommand(t *testing.T) {
	root := rootCommand(io.Discard, io.Discard)
	paths := commandPaths(root, nil)
	assert.GreaterOrEqual(t, len(paths), 18, "every command is walked")
	for _, p := range paths {
		t.Run(strings.Join(p, " "), func(t *testing.T) {
			t.Setenv("CONFIG_FILE", "")
			var stdout, stderr bytes.Buffer
			code := Main(append(p, "--help"), &stdout, &stderr)
			assert.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			cmd := findCommand(root, p)
			if cmd.SkipFlagParsing {
				return // a helper subcommand: its own flag package prints the usage
			}
			assert.Contains(t, stdout.String(), "USAGE:")
			for _, f := range cmd.Flags {
				if env, ok := f.(interface{ GetEnvVars() []string }); ok {
					for _, v := range env.GetEnvVars() {
						assert.Contains(t, stdout.String(), "$"+v)
					}
				}
			}
		})
	}
}

func findCommand(cmd *cli.Command, path []string) *cli.Command {
	for _, name := range path {
		cmd = cmd.Command(name)
	}
	return cmd
}

// An unknown flag is a usage error that names the closest known flag of
// the command, whichever command it is.
func TestUnknownFlagSuggestsTheClosest(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--delet"}, "did you mean --delete?"},
		{[]string{"verify", "--nme", "a"}, "did you mean --name?"},
		{[]string{"unregister", "--all"}, "did you mean --all-runners?"},
		{[]string{"unregister", "--tokn", "x"}, "did you mean --token?"},
		{[]string{"list", "--confg", "x"}, "did you mean --config?"},
		{[]string{"config", "check", "--conifg", "x"}, "did you mean --config?"},
		{[]string{"exec", "build", "--timout", "1m"}, "did you mean --timeout?"},
		{[]string{"run", "--listen-adress", ":1"}, "did you mean --listen-address?"},
		{[]string{"register", "--kubernetes-pull-polcy", "always"}, "did you mean --kubernetes-pull-policy?"},
		{[]string{"--log-levl", "debug", "version"}, "did you mean --log-level?"},
		{[]string{"version", "--verbose"}, "unknown flag --verbose"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, ExitUsage, Main(tt.args, &stdout, &stderr))
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}
