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
	registerCommand("config", func(stdout, _ io.Writer) *cli.Command {
		return &cli.Command{
			Name:   "config",
			Usage:  "work with config.toml (config check)",
			Action: groupAction,
			Commands: []*cli.Command{{
				Name:  "check",
				Usage: "check that config.toml loads as exec and run load it, and show each runner's effective pull policies",
				Flags: []cli.Flag{configFlag()},
				Action: func(_ context.Context, cmd *cli.Command) error {
					if cmd.Args().Present() {
						return usagef("kuberunner config check: unexpected argument %q", cmd.Args().First())
					}
					return statusError(runConfigCheck(configLocation(cmd).Path, stdout))
				},
			}},
		}
	})
}

// runConfigCheck loads the file exactly as exec does (config.Load, then
// the RequireRunners check every command that runs jobs makes), so the two
// accept and refuse the same files. Everything goes to stdout: the report
// is what was asked for.
func runConfigCheck(path string, stdout io.Writer) int {
	fmt.Fprintf(stdout, "Checking %s\n", safetext.Escape(path))
	cfg, warnings, err := config.Load(path)
	if err == nil {
		err = cfg.RequireRunners(path)
	}
	for _, w := range warnings {
		fmt.Fprintf(stdout, "warning: %s\n", safetext.Escape(w.String()))
	}
	errs := splitErrors(err)
	for _, e := range errs {
		fmt.Fprintf(stdout, "error: %s\n", safetext.Escape(e.Error()))
	}
	if cfg != nil {
		printEffectiveLists(stdout, cfg)
	}
	fmt.Fprintf(stdout, "%s, %s\n", count(len(errs), "error"), count(len(warnings), "warning"))
	if len(errs) > 0 {
		return ExitError
	}
	return ExitOK
}

// printEffectiveLists shows, per runner, what a job that sets no pull_policy
// of its own would get: the question an operator editing the file has.
func printEffectiveLists(w io.Writer, cfg *config.Config) {
	for i, r := range cfg.Runners {
		k := r.Kubernetes
		fmt.Fprintf(w, "runner %q (runners[%d]), namespace %q:\n", r.Name, i, k.Namespace)
		printList(w, "image", k.Image, func() (common.PullPolicies, error) { return k.ImagePullPolicies(k.Image, nil) })
		for j, svc := range k.Services {
			label := "service"
			if svc.Alias != "" {
				label = fmt.Sprintf("service (alias %s)", safetext.Escape(svc.Alias))
			}
			printList(w, label, svc.Name, func() (common.PullPolicies, error) { return k.ServicePullPolicies(j, nil) })
		}
	}
}

func printList(w io.Writer, label, image string, effective func() (common.PullPolicies, error)) {
	name := fmt.Sprintf("%q", image)
	if image == "" {
		name = "(not set; each job names its own)"
	}
	list, err := effective()
	if err != nil {
		// Unreachable after a clean load (the loader reports these), but
		// the command must say so rather than print nothing.
		fmt.Fprintf(w, "  %s %s: %v\n", label, name, err)
		return
	}
	fmt.Fprintf(w, "  %s %s: pull policies %s\n", label, name, list)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
