package podspec

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"kuberunner/common"
)

// maxProjectPath bounds the project's path under /builds: GitLab's full
// paths nest at most 20 groups, each name far shorter than this.
const maxProjectPath = 1024

// ProjectDir is $CI_PROJECT_DIR: $CI_BUILDS_DIR/<the project's full
// path>, GitLab Runner's layout for a builds directory no other job
// shares (/builds/group/subgroup/project). The path is the job's
// CI_PROJECT_PATH, else the path of its repository's URL, else (a local
// directory run by `kuberunner exec`) the name of the directory. A path
// that would leave /builds (a ".." part) or is not a plain relative path
// is skipped for the next; with none, the directory is project-<id>, as
// on GitLab Runner.
func ProjectDir(job *common.Job, sourceDir string) string {
	candidates := []string{
		lastValue(job.Variables, "CI_PROJECT_PATH"),
		repoPath(job.GitInfo.RepoURL),
		nameOnly(job.JobInfo.ProjectName),
		nameOnly(path.Base(sourceDir)),
	}
	for _, c := range candidates {
		if p, ok := projectPath(c); ok {
			return path.Join(BuildsDir, p)
		}
	}
	return path.Join(BuildsDir, fmt.Sprintf("project-%d", job.JobInfo.ProjectID))
}

// projectPath accepts group/.../project made of the characters GitLab
// allows in paths; a directory name from `exec` is first made one.
func projectPath(p string) (string, bool) {
	p = strings.Trim(p, "/")
	if p == "" || len(p) > maxProjectPath {
		return "", false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.IndexFunc(part, notPathRune) >= 0 {
			return "", false
		}
	}
	return p, true
}

// notPathRune is a character GitLab never puts in a group or project path.
func notPathRune(r rune) bool {
	return !(r == '-' || r == '_' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
}

// repoPath is the path of a clone URL without ".git": the project's full
// path on GitLab (under the relative URL root of an instance that has one).
func repoPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimSuffix(u.Path, ".git")
}

// nameOnly makes a local directory's name one path part: characters
// GitLab would not allow become "-", and it may not nest.
func nameOnly(name string) string {
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if notPathRune(r) {
			return '-'
		}
		return r
	}, name)
}

// lastValue is the last value of key in vars, unexpanded.
func lastValue(vars common.JobVariables, key string) string {
	v, _ := Lookup(vars, key)
	return v
}
