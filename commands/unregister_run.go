package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/helpers/clienttls"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

// unregisterRun is one `kuberunner unregister`: each selected runner is
// deleted in GitLab, then those GitLab deleted are removed from
// config.toml together. A runner GitLab did not delete stays in the file.
type unregisterRun struct {
	sel            unregisterSelection
	stdout, stderr io.Writer
	path           string
	// deleted are the runners of the file that GitLab deleted.
	deleted []runnerKey
	failed  []error
}

// unregisterTarget is a runner to delete in GitLab; inFile is false for a
// --url and --token that no runner of config.toml has.
type unregisterTarget struct {
	runner *config.RunnerConfig
	inFile bool
	// tls is what a runner not in the file is called with (--tls-*);
	// one in the file uses its own keys.
	tls clienttls.Material
}

func (t unregisterTarget) material() clienttls.Material {
	if t.inFile {
		return t.runner.TLS()
	}
	return t.tls
}

func (u *unregisterRun) run(loc config.Location) error {
	u.path = loc.Path
	cfg, warnings, err := config.Load(u.path)
	printWarnings(u.stderr, warnings)
	if err != nil {
		return err
	}
	targets, err := u.targets(cfg)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		fmt.Fprintf(u.stderr, "Nothing to unregister: %s has no runners\n", u.path)
		return nil
	}
	for _, t := range targets {
		u.unregister(t)
	}
	if len(u.deleted) > 0 {
		u.remove()
	}
	return errors.Join(u.failed...)
}

// targets are the runners the selection names. A --url and --token that
// no runner of the file has are deleted in GitLab only, as GitLab Runner
// does; one whose token a runner of the file has with another URL is
// refused, since one of the two is a mistake.
func (u *unregisterRun) targets(cfg *config.Config) ([]unregisterTarget, error) {
	var runners []*config.RunnerConfig
	switch {
	case u.sel.all || u.sel.name != "":
		var err error
		if runners, err = selectByName(cfg, u.path, u.sel.name); err != nil {
			return nil, err
		}
	default:
		return u.tokenTarget(cfg)
	}
	out := make([]unregisterTarget, 0, len(runners))
	for _, r := range runners {
		if r.URL == "" || r.Token == "" {
			return nil, fmt.Errorf("%s: runner %q has no url or no token, so GitLab cannot be asked to delete it; nothing was unregistered", u.path, safetext.Escape(r.Name))
		}
		out = append(out, unregisterTarget{runner: r, inFile: true})
	}
	return out, nil
}

func (u *unregisterRun) tokenTarget(cfg *config.Config) ([]unregisterTarget, error) {
	for _, r := range cfg.Runners {
		if r.Token != u.sel.token {
			continue
		}
		if !sameURL(r.URL, u.sel.url) {
			return nil, fmt.Errorf("%s: runner %q has this token with the URL %s, not %s (--url); nothing was unregistered",
				u.path, safetext.Escape(r.Name), config.RedactURL(r.URL), config.RedactURL(u.sel.url))
		}
		return []unregisterTarget{{runner: r, inFile: true}}, nil
	}
	return []unregisterTarget{{runner: &config.RunnerConfig{URL: u.sel.url, Token: u.sel.token}, tls: u.sel.tls}}, nil
}

// unregister deletes t's runner in GitLab.
func (u *unregisterRun) unregister(t unregisterTarget) {
	r := t.runner
	err := runnerCall(r.URL, r.Token, "", t.material(), func(ctx context.Context, c *network.Client) error { return c.Unregister(ctx) })
	var rejected *tokenRejectedError
	switch {
	case err == nil && t.inFile:
		u.deleted = append(u.deleted, keyOf(r))
	case err == nil:
		fmt.Fprintf(u.stdout, "Unregistered %s; %s holds no runner with that token and is unchanged\n", describeTarget(t), u.path)
	case !t.inFile:
		u.failed = append(u.failed, fmt.Errorf("%s: %w", describeTarget(t), err))
	case errors.As(err, &rejected):
		u.failed = append(u.failed, fmt.Errorf("%s: %w; it stays in %s (kuberunner verify --delete removes the runners GitLab no longer knows)", describeTarget(t), err, u.path))
	default:
		u.failed = append(u.failed, fmt.Errorf("%s: %w; it stays in %s", describeTarget(t), err, u.path))
	}
}

// describeTarget names t's runner for a message: by name, or by its short
// token, never by the token.
func describeTarget(t unregisterTarget) string {
	url := config.RedactURL(t.runner.URL)
	switch short := common.ShortToken(t.runner.Token); {
	case t.inFile:
		return fmt.Sprintf("runner %q at %s", safetext.Escape(t.runner.Name), url)
	case short != "":
		return fmt.Sprintf("the runner of token %s… at %s", short, url)
	}
	return "the runner of --token at " + url
}

// remove takes the runners GitLab deleted out of the file and says which
// went.
func (u *unregisterRun) remove() {
	stayed, err := removeFromFile(u.path, u.deleted, func(r *config.RunnerConfig) {
		fmt.Fprintf(u.stdout, "Unregistered runner %q at %s and removed it from %s\n", safetext.Escape(r.Name), config.RedactURL(r.URL), u.path)
	})
	if err != nil {
		u.failed = append(u.failed, fmt.Errorf("removing the unregistered runners from %s: %w", u.path, err))
	}
	for _, k := range stayed {
		u.failed = append(u.failed, fmt.Errorf("runner %q at %s: GitLab deleted it, but it was not removed from %s; remove it by hand",
			safetext.Escape(k.name), config.RedactURL(k.url), u.path))
	}
}
