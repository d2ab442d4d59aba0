package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// EnvVar names the environment variable that overrides the default
// config path; the --config flag overrides both.
const EnvVar = "KUBERUNNER_CONFIG"

// SystemPath is where root's kuberunner looks, like GitLab Runner's
// /etc/gitlab-runner/config.toml.
const SystemPath = "/etc/kuberunner/config.toml"

// DefaultPath is $KUBERUNNER_CONFIG when set, else SystemPath for
// root, else ~/.kuberunner/config.toml.
func DefaultPath() string {
	return defaultPath(os.Getenv(EnvVar), os.Geteuid(), os.UserHomeDir)
}

// defaultPath takes its inputs as arguments so each rule is testable
// without being root or changing the environment.
func defaultPath(env string, euid int, home func() (string, error)) string {
	if env != "" {
		return env
	}
	if euid == 0 {
		return SystemPath
	}
	dir, err := home()
	if err != nil || dir == "" {
		// No home (a bare container user): the working directory is the
		// only place left that the user controls.
		return filepath.Join(".kuberunner", "config.toml")
	}
	return filepath.Join(dir, ".kuberunner", "config.toml")
}

// Source says who chose the config path.
type Source int

const (
	FromFlag    Source = iota // --config PATH
	FromEnv                   // $KUBERUNNER_CONFIG
	FromDefault               // nobody: the system or home path
)

func (s Source) String() string {
	switch s {
	case FromFlag:
		return "--config"
	case FromEnv:
		return "$" + EnvVar
	}
	return "the default path"
}

// Location is the config path and who chose it.
type Location struct {
	Path   string
	Source Source
	// Var is the variable that named the path when Source is FromEnv and
	// it is not EnvVar: GitLab Runner's CONFIG_FILE, which the commands'
	// -c flag reads.
	Var string
}

// By says who named the path, for a message: "--config", "$CONFIG_FILE".
func (l Location) By() string {
	if l.Source == FromEnv && l.Var != "" {
		return "$" + l.Var
	}
	return l.Source.String()
}

// Locate picks the config path: flag (the --config value, "" when not
// given), then $KUBERUNNER_CONFIG, then the default path.
func Locate(flag string) Location {
	switch {
	case flag != "":
		return Location{Path: flag, Source: FromFlag}
	case os.Getenv(EnvVar) != "":
		return Location{Path: os.Getenv(EnvVar), Source: FromEnv}
	}
	own := defaultPath("", os.Geteuid(), os.UserHomeDir)
	if _, err := os.Lstat(own); errors.Is(err, fs.ErrNotExist) {
		// An operator moving from GitLab Runner keeps its file where it was.
		if gl := gitLabRunnerPath(os.Geteuid(), os.UserHomeDir); gl != "" {
			if _, err := os.Lstat(gl); err == nil {
				return Location{Path: gl, Source: FromDefault}
			}
		}
	}
	return Location{Path: own, Source: FromDefault}
}

// gitLabRunnerPath is GitLab Runner's default config path: the one looked
// at after kuberunner's own is missing.
func gitLabRunnerPath(euid int, home func() (string, error)) string {
	if euid == 0 {
		return "/etc/gitlab-runner/config.toml"
	}
	dir, err := home()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, ".gitlab-runner", "config.toml")
}

// Named reports whether a person named the path. A named file must load:
// missing is an error, never a reason to use built-in defaults.
func (l Location) Named() bool { return l.Source != FromDefault }

// Absent reports whether built-in defaults may stand in for the file: only
// when nobody named a path and nothing at all is at the default one. Lstat,
// so a dangling symlink there counts as present and fails to load rather
// than being silently ignored. Any other stat error is returned: an
// unreadable directory is not proof that the file is absent.
func (l Location) Absent() (bool, error) {
	if l.Named() {
		return false, nil
	}
	_, err := os.Lstat(l.Path)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	}
	return false, err
}
