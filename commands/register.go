package commands

import (
	"flag"
	"fmt"
	"io"
	"os"

	"kuberunner/common/config"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	Register("register", "verify a runner token and add the runner to config.toml", runRegister)
}

// runRegister is `kuberunner register --url URL --token glrt-…`. The token
// may come from $KUBERUNNER_TOKEN instead, to keep it out of the process
// list; it is never printed.
func runRegister(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kuberunner register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flagPath := fs.String("config", "", "config file to add the runner to (created if missing)")
	url := fs.String("url", "", "GitLab URL, e.g. https://gitlab.example.com")
	token := fs.String("token", os.Getenv("KUBERUNNER_TOKEN"), "runner authentication token (glrt-…); default $KUBERUNNER_TOKEN")
	name := fs.String("name", hostname(), "runner name")
	namespace := fs.String("namespace", config.DefaultNamespace, "namespace for the job pods")
	image := fs.String("image", "alpine:3.20", "default job image")
	if err := fs.Parse(args); err != nil {
		return exitCode(flagError(err))
	}
	if *url == "" || *token == "" {
		return finish(stderr, usagef("kuberunner register: --url and --token (or $KUBERUNNER_TOKEN) are required"))
	}
	path := config.Locate(*flagPath).Path
	// The file is checked, and its directory made, before anything else:
	// a file that cannot take the runner must not cost a call to GitLab
	// with the token, and the system ID goes into that directory.
	if err := config.PrepareAppend(path); err != nil {
		return finish(stderr, err)
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err == nil {
		err = verifyToken(*url, *token, systemID)
	}
	if err != nil {
		return finish(stderr, fmt.Errorf("runner %q at %s: %w", safetext.Escape(*name), config.RedactURL(*url), err))
	}
	entry := config.RegisteredRunner{Name: *name, URL: *url, Token: *token, Executor: config.DefaultExecutor,
		Kubernetes: config.RegisteredKubernetes{Namespace: *namespace, Image: *image, PullPolicy: []string{"always", "if-not-present"}}}
	if err := config.AppendRunner(path, entry); err != nil {
		return finish(stderr, err)
	}
	fmt.Fprintf(stdout, "Registered runner %q at %s in %s\n", safetext.Escape(*name), config.RedactURL(*url), path)
	return ExitOK
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "kuberunner"
	}
	return h
}
