package podspec

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common"
)

// imageUserRule says what image:kubernetes:user and image:docker:user may
// be here, for the "allowed:" part of messages.
const imageUserRule = "a numeric user ID, uid or uid:gid (for example 1000 or 1000:1000), each from 0 to 2147483647; names are not looked up in the image"

// runAs is the user and group a pipeline file asks a container to run as;
// nil is not asked.
type runAs struct{ user, group *int64 }

// imageUser reads who the container of img runs as: image:kubernetes:user,
// else image:docker:user, expanded with the job's variables as GitLab
// Runner does. It wins over config.toml's security contexts, as on GitLab
// Runner: the pipeline chose this image and knows its user. what names
// the image in messages ("image", "service \"postgres\"").
func imageUser(what string, img common.Image, vars common.JobVariables) (runAs, error) {
	key, raw := "kubernetes", img.ExecutorOptions.Kubernetes.User
	if raw == "" {
		key, raw = "docker", img.ExecutorOptions.Docker.User
	}
	if raw == "" {
		return runAs{}, nil
	}
	value := ExpandValue(string(raw), vars)
	uid, gid, hasGroup := strings.Cut(value, ":")
	var r runAs
	var err error
	if r.user, err = parseID(uid); err == nil && hasGroup {
		r.group, err = parseID(gid)
	}
	if err != nil {
		return runAs{}, &ConfigError{Msg: fmt.Sprintf("%s: %s:user %q: allowed: %s", what, key, value, imageUserRule)}
	}
	return r, nil
}

// parseID is one user or group ID as the API takes it.
func parseID(s string) (*int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("not an ID: %q", s)
	}
	return ptr.To(n), nil
}

// apply sets the user and group on a copy of sc.
func (r runAs) apply(sc *corev1.SecurityContext) *corev1.SecurityContext {
	if r.user == nil {
		return sc
	}
	out := sc.DeepCopy()
	if out == nil {
		out = &corev1.SecurityContext{}
	}
	out.RunAsUser = r.user
	if r.group != nil {
		out.RunAsGroup = r.group
	}
	return out
}

// rootRefused is the error for a container asked to run as root where
// config.toml says runAsNonRoot: the kubelet would refuse to start it.
func rootRefused(what string, r runAs, pod *corev1.PodSecurityContext, sc *corev1.SecurityContext) error {
	nonRoot := pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot
	if sc != nil && sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if r.user == nil || *r.user != 0 || !nonRoot {
		return nil
	}
	return &ConfigError{Msg: fmt.Sprintf("%s: user 0 (root) is asked for, but config.toml sets run_as_non_root = true; allowed: a user ID other than 0", what)}
}
