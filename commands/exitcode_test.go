package commands

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/helpers/exitmark"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, ExitOK},
		{"help", flag.ErrHelp, ExitOK},
		{"usage", usagef("exec needs the name of a job"), ExitUsage},
		{"wrapped usage", fmt.Errorf("exec: %w", usagef("bad")), ExitUsage},
		{"refused input", errors.New("config.toml: cannot read the file"), ExitError},
		{"joined", errors.Join(errors.New("a"), errors.New("b")), ExitError},
		{"cancelled", context.Canceled, ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exitCode(tt.err))
		})
	}
}

func TestPrintErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"help prints nothing", flag.ErrHelp, ""},
		{"one", errors.New("bad"), "ERROR: bad\n"},
		{"each joined error on its line", errors.Join(errors.New("a"), errors.New("b")), "ERROR: a\nERROR: b\n"},
		{"each line of an error", errors.New("a\nb"), "ERROR: a\nERROR: b\n"},
		{"control characters escaped", errors.New("job \x1b]0;x\x07 failed\rJob succeeded"), "ERROR: job \\x1b]0;x\\a failed\\rJob succeeded\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printErrors(&b, tt.err)
			assert.Equal(t, tt.want, b.String())
		})
	}
}

// TestExitCodesOfEveryCommand: the same classes of mistake get the same code
// whichever command makes them.
func TestExitCodesOfEveryCommand(t *testing.T) {
	dir := t.TempDir()
	okConfig := filepath.Join(dir, "ok.toml")
	require.NoError(t, os.WriteFile(okConfig, []byte("[[runners]]\nname = \"a\"\n"), 0o600))
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, ExitUsage},
		{"unknown command", []string{"frobnicate"}, ExitUsage},
		{"help", []string{"help"}, ExitOK},
		{"version", []string{"version"}, ExitOK},

		{"config without subcommand", []string{"config"}, ExitUsage},
		{"config unknown subcommand", []string{"config", "show"}, ExitUsage},
		{"config check unknown flag", []string{"config", "check", "--nope"}, ExitUsage},
		{"config check extra argument", []string{"config", "check", "x.toml"}, ExitUsage},
		{"config check help", []string{"config", "check", "-h"}, ExitOK},
		{"config check fine", []string{"config", "check", "--config", okConfig}, ExitOK},
		{"config check missing file", []string{"config", "check", "--config", filepath.Join(dir, "nope.toml")}, ExitError},

		{"exec without job", []string{"exec"}, ExitUsage},
		{"exec unknown flag", []string{"exec", "build", "--nope"}, ExitUsage},
		{"exec zero timeout", []string{"exec", "build", "--timeout", "0"}, ExitUsage},
		{"exec help", []string{"exec", "--help"}, ExitOK},
		{"exec missing pipeline", []string{"exec", "build", "--file", filepath.Join(dir, "nope.yml")}, ExitError},

		{"helper without subcommand", []string{"helper"}, ExitUsage},
		{"helper help", []string{"helper", "--help"}, ExitOK},
		{"helper wait help does not block", []string{"helper", "wait", "--help"}, ExitOK},
		{"helper clone help", []string{"helper", "clone", "--help"}, ExitOK},
		{"help of every command", []string{"register", "--help"}, ExitOK},
		{"run help", []string{"run", "--help"}, ExitOK},
		{"verify help", []string{"verify", "-h"}, ExitOK},
		{"global help", []string{"--help"}, ExitOK},
		{"unknown global flag", []string{"--debugg", "run"}, ExitUsage},
		{"bad log format", []string{"--log-format", "xml", "version"}, ExitUsage},
		{"run unknown flag", []string{"run", "--listen-adress", ":1"}, ExitUsage},
		{"helper unknown subcommand", []string{"helper", "nope"}, ExitUsage},
		{"helper receive unknown flag", []string{"helper", "receive", "--nope"}, ExitUsage},
		{"helper receive without dir", []string{"helper", "receive"}, ExitUsage},
		{"helper receive help", []string{"helper", "receive", "-h"}, ExitOK},
		{"helper report-exit without subcommand", []string{"helper", "report-exit", "n"}, ExitUsage},
		{"helper report-exit passes the code on", []string{"helper", "report-exit", "n", "receive"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(config.EnvVar, "")
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.want, Main(tt.args, &stdout, &stderr), "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		})
	}
}

// report-exit ends the subcommand's stderr with the exit marker the
// executor reads, carrying the subcommand's code.
func TestHelperReportExitMarksTheCode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	got := Main([]string{"helper", "report-exit", "0123", "receive"}, &stdout, &stderr)
	assert.Equal(t, ExitUsage, got)
	assert.Contains(t, stderr.String(), "--dir is required")
	assert.True(t, strings.HasSuffix(stderr.String(), exitmark.Line("0123", ExitUsage)), "stderr:\n%q", stderr.String())
}
