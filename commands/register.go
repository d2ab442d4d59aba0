package commands

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	registerCommand("register", func(stdout, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:   "register",
			Usage:  "verify a runner authentication token and add the runner to config.toml",
			Flags:  registerFlags(),
			Action: func(ctx context.Context, cmd *cli.Command) error { return runRegister(cmd, stdout, stderr) },
		}
	})
}

// runRegister is `kuberunner register --url URL --token glrt-…`, with GitLab
// Runner's flags and variables (register_flags.go). The token may come from
// the environment, to keep it out of the process list; it is never printed.
func runRegister(cmd *cli.Command, stdout, stderr io.Writer) error {
	if err := checkRegisterArgs(cmd); err != nil {
		return err
	}
	path := configLocation(cmd).Path
	entry, err := registeredRunner(cmd, stderr)
	if err != nil {
		return err
	}
	tls, err := config.ReadTLSFiles("kuberunner register", entry.TLSCAFile, entry.TLSCertFile, entry.TLSKeyFile)
	if err != nil {
		return err
	}
	entry.TLSCAFile, entry.TLSCertFile, entry.TLSKeyFile = tls.CAFile, tls.CertFile, tls.KeyFile
	// The file and the entry are checked, and the file's directory made,
	// before GitLab is asked: a runner that could not be written must not
	// cost a call with the token, and the system ID goes into that
	// directory.
	if err := config.PrepareAppend(path, entry); err != nil {
		return err
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err == nil {
		err = verifyToken(entry.URL, entry.Token, systemID, tls)
	}
	if err != nil {
		return fmt.Errorf("runner %q at %s: %w", safetext.Escape(entry.Name), config.RedactURL(entry.URL), err)
	}
	if err := config.AppendRunner(path, entry); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Registered runner %q at %s in %s\n", safetext.Escape(entry.Name), config.RedactURL(entry.URL), path)
	return nil
}

// checkRegisterArgs refuses, before any file or network access, what can
// never register: the legacy flow, another executor, missing URL or token.
func checkRegisterArgs(cmd *cli.Command) error {
	if cmd.IsSet("registration-token") {
		return usagef("kuberunner register: registration tokens (--registration-token, $REGISTRATION_TOKEN) are not supported: " +
			"create the runner in GitLab (Settings > CI/CD > Runners > New project runner, or the POST /user/runners API) " +
			"and pass its authentication token (glrt-…) with --token")
	}
	if e := cmd.String("executor"); e != config.DefaultExecutor {
		return usagef("kuberunner register: --executor %q: kuberunner runs jobs only with the %q executor", safetext.Escape(e), config.DefaultExecutor)
	}
	if cmd.Args().Present() {
		return usagef("kuberunner register: unexpected argument %q", safetext.Escape(cmd.Args().First()))
	}
	return nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "kuberunner"
	}
	return h
}
