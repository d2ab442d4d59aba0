package config

import "fmt"

// Shells of [[runners]] shell that kuberunner runs: the POSIX ones of
// GitLab Runner. bash falls back to sh in an image without bash, as on
// GitLab Runner.
const (
	ShellBash = "bash"
	ShellSh   = "sh"
)

// shell refuses a shell kuberunner cannot run a job's script with, rather
// than running it in another one.
func (d *decoder) shell(p keyPath, v string) {
	if v == "" || v == ShellBash || v == ShellSh {
		return
	}
	d.fail(p, &Error{Value: v, Msg: fmt.Sprintf("shell %q is not one kuberunner runs job scripts with", v),
		Allowed: ShellBash + ` (the default: bash, else sh), ` + ShellSh})
}
