package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"
)

func init() {
	registerCommand("version", func(stdout, _ io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "version",
			Usage: "print the kuberunner version",
			Action: func(_ context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return usagef("kuberunner version: unexpected argument %q", cmd.Args().First())
				}
				printVersion(stdout)
				return nil
			},
		}
	})
}

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "kuberunner %s\n", Version)
}
