package podspec

import (
	"fmt"
	"path"
	"strings"

	"kuberunner/common"
)

// The runner's own folders in the builds directory, which no project may
// be cloned into (CloneDir refuses them): CacheStateDir, where the cache
// helper keeps archives in transit and what it extracted, and the build
// container's file-type variables.
const (
	cacheStateName   = ".kuberunner-cache"
	CacheStateDir    = BuildsDir + "/" + cacheStateName
	fileVariablesDir = ".variables"
)

var reservedBuildsDirs = map[string]bool{cacheStateName: true, fileVariablesDir: true}

// CloneDir is the project directory a job asks for with GIT_CLONE_PATH,
// read from its expanded variables and expanded once more (so that
// "$GOPATH/src/..." reaches through a GOPATH of "$CI_BUILDS_DIR/go", as
// on GitLab Runner), cleaned; "" when it asks for none. As on GitLab
// Runner the path must lie below $CI_BUILDS_DIR, and a runner whose
// [runners.custom_build_dir] is disabled refuses it.
func CloneDir(vars common.JobVariables, allowed bool) (string, error) {
	v, ok := Lookup(vars, "GIT_CLONE_PATH")
	if !ok || v == "" {
		return "", nil
	}
	v = ExpandValue(v, vars)
	if !allowed {
		return "", &ConfigError{Msg: "GIT_CLONE_PATH is set, but this runner's [runners.custom_build_dir] enabled is false: the job cannot choose its directory"}
	}
	p := path.Clean(v)
	rel, below := strings.CutPrefix(p, BuildsDir+"/")
	if !path.IsAbs(v) || !below || reservedBuildsDirs[strings.Split(rel, "/")[0]] {
		return "", &ConfigError{Msg: fmt.Sprintf("GIT_CLONE_PATH %q is not a directory below $CI_BUILDS_DIR (%s)", v, BuildsDir)}
	}
	return p, nil
}
