package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	registerCommand("verify", func(stdout, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "verify",
			Usage: "check each runner's token with GitLab; --delete removes the runners GitLab rejects from config.toml",
			Flags: []cli.Flag{
				configFlag(),
				&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "verify only the runner of this name"},
				&cli.BoolFlag{Name: "delete", Usage: "remove from config.toml the runners whose token GitLab rejects (401 or 403); a runner GitLab could not be asked about stays"},
			},
			Action: func(_ context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return usagef("kuberunner verify: unexpected argument %q", cmd.Args().First())
				}
				v := verifyRun{name: cmd.String("name"), delete: cmd.Bool("delete"), stdout: stdout, stderr: stderr}
				return v.run(configLocation(cmd))
			},
		}
	})
}

// verifyRun is one `kuberunner verify [-c FILE] [--name NAME] [--delete]`.
type verifyRun struct {
	name           string
	delete         bool
	stdout, stderr io.Writer
	// rejected are the runners GitLab rejected, to remove with --delete.
	rejected []runnerKey
	failed   []error
}

// run prints a line per runner and returns an error when a token is
// rejected (and not removed) or GitLab cannot be reached.
func (v *verifyRun) run(loc config.Location) error {
	cfg, path, err := loadDaemonConfig(loc, v.stderr)
	if err != nil {
		return err
	}
	runners, err := selectByName(cfg, path, v.name)
	if err != nil {
		return err
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err != nil {
		return err
	}
	for _, r := range runners {
		v.check(r, systemID)
	}
	if len(v.rejected) > 0 {
		v.remove(path)
	}
	return errors.Join(v.failed...)
}

func (v *verifyRun) check(r *config.RunnerConfig, systemID string) {
	err := verifyToken(r.URL, r.Token, systemID, r.TLS())
	var rejected *tokenRejectedError
	switch {
	case err == nil:
		fmt.Fprintf(v.stdout, "Verified runner %q at %s\n", safetext.Escape(r.Name), config.RedactURL(r.URL))
		return
	case errors.As(err, &rejected) && v.delete:
		v.rejected = append(v.rejected, keyOf(r))
		return
	case errors.As(err, &rejected):
		err = fmt.Errorf("%w (kuberunner verify --delete removes it from config.toml)", err)
	}
	v.failed = append(v.failed, fmt.Errorf("runner %q at %s: %w", safetext.Escape(r.Name), config.RedactURL(r.URL), err))
}

// remove takes the rejected runners out of the file and says which went.
func (v *verifyRun) remove(path string) {
	stayed, err := removeFromFile(path, v.rejected, func(r *config.RunnerConfig) {
		fmt.Fprintf(v.stdout, "Removed runner %q at %s from %s: GitLab rejected its token\n", safetext.Escape(r.Name), config.RedactURL(r.URL), path)
	})
	if err != nil {
		v.failed = append(v.failed, fmt.Errorf("removing the runners GitLab rejected from %s: %w", path, err))
	}
	for _, k := range stayed {
		v.failed = append(v.failed, fmt.Errorf("runner %q at %s: GitLab rejected its token; it was not removed from %s",
			safetext.Escape(k.name), config.RedactURL(k.url), path))
	}
}
