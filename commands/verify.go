package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
	"kuberunner/helpers/clienttls"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	registerCommand("verify", func(stdout, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "verify",
			Usage: "check each runner's token with GitLab",
			Flags: []cli.Flag{configFlag()},
			Action: func(_ context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return usagef("kuberunner verify: unexpected argument %q", cmd.Args().First())
				}
				return runVerify(configLocation(cmd), stdout, stderr)
			},
		}
	})
}

// verifyTimeout bounds the whole verification of one runner.
const verifyTimeout = time.Minute

// runVerify is `kuberunner verify [-c FILE]`: one line per runner, an
// error when any token is refused or GitLab cannot be reached.
func runVerify(loc config.Location, stdout, stderr io.Writer) error {
	cfg, path, err := loadDaemonConfig(loc, stderr)
	if err != nil {
		return err
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err != nil {
		return err
	}
	var failed []error
	for _, r := range cfg.Runners {
		name := safetext.Escape(r.Name)
		err := verifyToken(r.URL, r.Token, systemID, r.TLS())
		if err != nil {
			failed = append(failed, fmt.Errorf("runner %q at %s: %w", name, config.RedactURL(r.URL), err))
			continue
		}
		fmt.Fprintf(stdout, "Verified runner %q at %s\n", name, config.RedactURL(r.URL))
	}
	return errors.Join(failed...)
}

// verifyToken asks GitLab whether token is a valid runner token, trusting
// the runner's tls-ca-file and presenting its client certificate.
func verifyToken(url, token, systemID string, m clienttls.Material) error {
	tr, err := m.Transport(nil)
	if err != nil {
		return err
	}
	client, err := network.New(network.Config{URL: url, Token: token, SystemID: systemID, Version: Version, Revision: Revision,
		HTTPClient: &http.Client{Transport: tr}, CAFile: m.CAFile})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	defer cancel()
	err = client.Verify(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, network.ErrUnauthorized):
		return errors.New("GitLab rejected the token (401): it is wrong, expired or the runner was deleted")
	case errors.Is(err, network.ErrForbidden):
		return errors.New("GitLab rejected the token (403): it is wrong, expired or the runner was deleted")
	}
	// The client's errors show no secret already; this also covers what
	// it did not build.
	return client.HideSecrets(err)
}
