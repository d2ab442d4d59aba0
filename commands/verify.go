package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"kuberunner/common/config"
	"kuberunner/helpers/clienttls"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	Register("verify", "check each runner's token with GitLab", runVerify)
}

// verifyTimeout bounds the whole verification of one runner.
const verifyTimeout = time.Minute

// runVerify is `kuberunner verify [--config FILE]`: one line per runner,
// exit 1 when any token is refused or GitLab cannot be reached.
func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kuberunner verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flagPath := fs.String("config", "", "config file")
	if err := fs.Parse(args); err != nil {
		return exitCode(flagError(err))
	}
	cfg, path, err := loadDaemonConfig(*flagPath, stderr)
	if err != nil {
		return finish(stderr, err)
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err != nil {
		return finish(stderr, err)
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
	return finish(stderr, errors.Join(failed...))
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
