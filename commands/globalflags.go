package commands

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
)

// logFormats are the --log-format values, as GitLab Runner names them;
// "runner" is its default, human-readable format, which is our text.
var logFormats = map[string]string{"runner": "text", "text": "text", "json": "json"}

// globalFlags are GitLab Runner's global flags, given before the command.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "debug", Usage: "log at debug level (overrides log_level)", Sources: cli.EnvVars("RUNNER_DEBUG")},
		&cli.StringFlag{Name: "log-level", Aliases: []string{"l"}, Usage: "log level: trace, debug, info, warn, error, fatal or panic (overrides log_level)",
			Sources: cli.EnvVars("LOG_LEVEL"), Validator: validLogLevel},
		&cli.StringFlag{Name: "log-format", Usage: "log format: runner, text or json (overrides log_format)",
			Sources: cli.EnvVars("LOG_FORMAT"), Validator: validLogFormat},
		&cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version"},
	}
}

func validLogLevel(s string) error {
	if _, err := logrus.ParseLevel(s); err != nil {
		return usagef("--log-level %q: allowed: trace, debug, info, warn, error, fatal, panic", s)
	}
	return nil
}

func validLogFormat(s string) error {
	if _, ok := logFormats[s]; !ok {
		return usagef("--log-format %q: allowed: runner, text, json", s)
	}
	return nil
}

// logOverride is what the global flags set over config.toml's log_level
// and log_format. The command line wins over the file, on every reload
// too, as in GitLab Runner.
type logOverride struct{ level, format string }

func logOverrideOf(cmd *cli.Command) logOverride {
	root := cmd.Root()
	o := logOverride{level: root.String("log-level"), format: logFormats[root.String("log-format")]}
	if root.Bool("debug") {
		o.level = "debug"
	}
	return o
}

// apply puts the flags' values into cfg.
func (o logOverride) apply(cfg *config.Config) {
	if o.level != "" {
		cfg.LogLevel = o.level
	}
	if o.format != "" {
		cfg.LogFormat = o.format
	}
}

// rootAction is kuberunner without a command: --version, or the usage.
func rootAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("version") {
		printVersion(cmd.Writer)
		return nil
	}
	if !cmd.Args().Present() {
		printRootUsage(cmd)
		return &exitStatus{ExitUsage}
	}
	return groupAction(ctx, cmd)
}

// printRootUsage writes the command list to stderr: a bare "kuberunner"
// is a mistake, not a request for help.
func printRootUsage(cmd *cli.Command) {
	w := cmd.ErrWriter
	fmt.Fprintln(w, "Usage: kuberunner <command> [flags]  (global flags --debug, --log-level, --log-format go before the command)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range cmd.Commands {
		if !c.Hidden {
			fmt.Fprintf(w, "  %-14s %s\n", c.Name, c.Usage)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "kuberunner <command> --help" for a command's flags.`)
}
