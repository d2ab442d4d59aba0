package artifacts

import (
	"fmt"
	"path/filepath"
)

// Exit statuses of `kuberunner helper artifacts-upload` and
// `artifacts-download` beyond 0 (done) and 1 (failed: the network,
// GitLab or the helper), so that the executor can tell whose fault a
// failure is.
const (
	// ExitJobFault: the job's files or archive are at fault: an artifact
	// over GitLab's size limit, a file that cannot be read, a raw artifact
	// of several files, a dependency's archive that is refused.
	ExitJobFault = 3
	// ExitMissing: GitLab has no artifacts for a dependency (404).
	ExitMissing = 4
)

// ProjectDir resolves dir and checks that it lies strictly below root,
// both with their symlinks resolved: a job that replaced its project
// directory with a symlink must not have the helper read or write
// elsewhere in its container. With create, the folders missing below
// root are made first (a download before the script, which makes the
// directory otherwise), one at a time and never through a symlink.
func ProjectDir(root, dir string, create bool) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("the builds directory: %w", err)
	}
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(dir))
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("the project directory %s is not below %s", dir, root)
	}
	if create {
		if err := makeParents(realRoot, filepath.Join(rel, "x")); err != nil {
			return "", fmt.Errorf("making the project directory: %w", err)
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("the project directory: %w", err)
	}
	rel, err = filepath.Rel(realRoot, real)
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("the project directory %s resolves to %s, which is not below %s", dir, real, root)
	}
	return real, nil
}
