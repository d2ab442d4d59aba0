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
	caFile := fs.String("tls-ca-file", "", "PEM file of the CA certificates that GitLab's certificate is verified with, besides the system's")
	certFile := fs.String("tls-cert-file", "", "PEM file of a client certificate to present to GitLab (with --tls-key-file)")
	keyFile := fs.String("tls-key-file", "", "PEM file of the private key of --tls-cert-file")
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
	tls, err := config.ReadTLSFiles("kuberunner register", *caFile, *certFile, *keyFile)
	if err != nil {
		return finish(stderr, err)
	}
	systemID, err := network.LoadOrCreateSystemID(path)
	if err == nil {
		err = verifyToken(*url, *token, systemID, tls)
	}
	if err != nil {
		return finish(stderr, fmt.Errorf("runner %q at %s: %w", safetext.Escape(*name), config.RedactURL(*url), err))
	}
	entry := config.RegisteredRunner{Name: *name, URL: *url, Token: *token, Executor: config.DefaultExecutor,
		TLSCAFile: tls.CAFile, TLSCertFile: tls.CertFile, TLSKeyFile: tls.KeyFile,
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
