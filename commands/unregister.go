package commands

import (
	"context"
	"io"
	"strings"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
	"kuberunner/helpers/clienttls"
)

func init() {
	registerCommand("unregister", func(stdout, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "unregister",
			Usage: "delete runners in GitLab and remove them from config.toml: --name NAME, --url URL --token TOKEN, or --all-runners",
			Flags: append([]cli.Flag{
				configFlag(),
				&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "unregister the runner of this name"},
				&cli.StringFlag{Name: "url", Aliases: []string{"u"}, Usage: "GitLab URL of the runner to unregister, with --token", Sources: trackedEnvVars("CI_SERVER_URL")},
				&cli.StringFlag{Name: "token", Aliases: []string{"t"}, Usage: "authentication token of the runner to unregister, with --url", Sources: trackedEnvVars("CI_SERVER_TOKEN")},
				&cli.BoolFlag{Name: "all-runners", Usage: "unregister every runner of config.toml"},
			}, tlsFlags()...),
			Action: func(_ context.Context, cmd *cli.Command) error {
				sel, err := unregisterSelectionOf(cmd)
				if err != nil {
					return err
				}
				u := unregisterRun{sel: sel, stdout: stdout, stderr: stderr}
				return u.run(configLocation(cmd))
			},
		}
	})
}

// unregisterSelection is which runners unregister deletes: all of them,
// the one named, or the one of a URL and token (which need not be in
// config.toml, as with GitLab Runner).
type unregisterSelection struct {
	all              bool
	name, url, token string
	// tls are the --tls-* files for a --url, read; the runners of
	// config.toml use their own tls-* keys.
	tls clienttls.Material
}

// unregisterSelectionOf reads the selection and refuses one that is empty
// or says two things. $CI_SERVER_URL and $CI_SERVER_TOKEN, perhaps left
// from a register in the same shell, give way to --name and
// --all-runners; --url and --token typed beside them are refused.
func unregisterSelectionOf(cmd *cli.Command) (unregisterSelection, error) {
	sel := unregisterSelection{all: cmd.Bool("all-runners"), name: cmd.String("name"), url: cmd.String("url"), token: cmd.String("token")}
	typed := func(flag string) bool { return cmd.String(flag) != "" && envVarOf(cmd, flag) == "" }
	typedTLS := typed("tls-ca-file") || typed("tls-cert-file") || typed("tls-key-file")
	byToken := sel.url != "" || sel.token != ""
	switch {
	case cmd.Args().Present():
		return sel, usagef("kuberunner unregister: unexpected argument %q", cmd.Args().First())
	case sel.all && sel.name != "":
		return sel, usagef("kuberunner unregister: --all-runners and --name %q select different runners; give one of them", sel.name)
	case (sel.all || sel.name != "") && (typed("url") || typed("token")):
		return sel, usagef("kuberunner unregister: --url and --token select a runner by its token; give them without --name and --all-runners")
	case (sel.all || sel.name != "") && typedTLS:
		return sel, usagef("kuberunner unregister: --tls-* files go with --url; the runners of config.toml use their own tls-* keys")
	case sel.all || sel.name != "":
		sel.url, sel.token = "", ""
	case !byToken:
		return sel, usagef("kuberunner unregister: say which runners: --name NAME, --url URL --token TOKEN, or --all-runners")
	case sel.token == "":
		return sel, usagef("kuberunner unregister: --url needs --token (or $CI_SERVER_TOKEN)")
	case sel.url == "":
		return sel, usagef("kuberunner unregister: --token needs --url (or $CI_SERVER_URL)")
	}
	if sel.url == "" {
		return sel, nil
	}
	var err error
	sel.tls, err = config.ReadTLSFiles("kuberunner unregister", cmd.String("tls-ca-file"), cmd.String("tls-cert-file"), cmd.String("tls-key-file"))
	return sel, err
}

// sameURL reports whether two GitLab URLs are the same but for a trailing
// slash.
func sameURL(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
