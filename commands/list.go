package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/helpers/safetext"
)

func init() {
	registerCommand("list", func(stdout, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "list",
			Usage: "list the runners of config.toml",
			Flags: []cli.Flag{configFlag()},
			Action: func(_ context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return usagef("kuberunner list: unexpected argument %q", cmd.Args().First())
				}
				return listRunners(configLocation(cmd).Path, stdout, stderr)
			},
		}
	})
}

// listRunners prints a line per runner of the file at path, in GitLab
// Runner's shape: the name, then Executor=, Token= and URL=. The token is
// its short form, the URL without userinfo. Which file it read goes to
// stderr, so stdout holds only the runners.
func listRunners(path string, stdout, stderr io.Writer) error {
	cfg, warnings, err := config.Load(path)
	printWarnings(stderr, warnings)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Listing configured runners in %s\n", safetext.Escape(path))
	for _, r := range cfg.Runners {
		fmt.Fprintf(stdout, "%-30s Executor=%s Token=%s URL=%s\n", safetext.Escape(r.Name), safetext.Escape(r.Executor),
			shownToken(r.Token), safetext.Escape(config.RedactURL(r.URL)))
	}
	return nil
}

// shownToken is what list shows of a token: its short form, or a
// placeholder when the token is too short to show any of it.
func shownToken(token string) string {
	if short := common.ShortToken(token); short != "" {
		return short
	}
	return "(not shown)"
}
