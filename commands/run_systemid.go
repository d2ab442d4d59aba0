package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// systemIDEnvVar names the system ID file when --system-id-file does not:
// in a pod, config.toml comes from a read-only Secret, and the environment
// is where a Deployment says such things.
const systemIDEnvVar = "KUBERUNNER_SYSTEM_ID_FILE"

// systemIDHint adds what to do when the system ID could not be written
// next to config.toml because that directory is read-only, the usual case
// when config.toml is a mounted Secret. The daemon does not fall back to a
// made-up place by itself: GitLab tells runners apart by that ID, and a
// silently different one on every start would look like a new machine.
func systemIDHint(err error, idFile string) error {
	if idFile != "" || !(errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
		return err
	}
	return fmt.Errorf("%w (the directory of the config file is not writable; keep the system ID elsewhere with --system-id-file or $%s)", err, systemIDEnvVar)
}
