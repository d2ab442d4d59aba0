package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// KubernetesAllowed restricts what a job may ask for, GitLab Runner's keys
// and rules. Empty lists allow everything.
//
// AllowedImages and AllowedServices are glob patterns matched against the
// image name as the job writes it (variables expanded), with doublestar's
// rules, as GitLab Runner matches them: "*" is any run of characters
// without "/", "**" as a whole path segment any number of segments, "?"
// one character, "[...]" a class and "{a,b}" alternatives. So "*/*:*" does
// not match "alpine" (no "/", no tag): "**" allows everything. The
// runner's own image and helper_image are always allowed.
//
// AllowedUsers and AllowedGroups are numeric IDs the job's image may ask
// to run as (image:kubernetes:user or image:docker:user, "uid:gid"), for
// the build and service containers. What config.toml's security contexts
// set is the operator's choice and is not checked.
type KubernetesAllowed struct {
	AllowedImages   []string `toml:"allowed_images"`
	AllowedServices []string `toml:"allowed_services"`
	AllowedUsers    []string `toml:"allowed_users"`
	AllowedGroups   []string `toml:"allowed_groups"`
}

// NotAllowedError is a job that asks for what the runner does not allow.
// Its message names the value and the list.
type NotAllowedError struct {
	Key     string // allowed_images, allowed_services, allowed_users, allowed_groups
	What    string // "image", "service", "user", "group"
	Value   string
	Allowed []string
}

func (e *NotAllowedError) Error() string {
	return fmt.Sprintf("the job's %s %q is not allowed by this runner's %s (%s)", e.What, e.Value, e.Key, strings.Join(quoteEach(e.Allowed), ", "))
}

func quoteEach(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

// ImageAllowed checks a job's image (service false) or service (true)
// against allowed_images or allowed_services. internal are the images the
// runner itself names (image, helper_image, expanded), which are always
// allowed.
func (a *KubernetesAllowed) ImageAllowed(image string, service bool, internal ...string) error {
	key, what, patterns := "allowed_images", "image", a.AllowedImages
	if service {
		key, what, patterns = "allowed_services", "service", a.AllowedServices
	}
	if len(patterns) == 0 || slices.Contains(internal, image) {
		return nil
	}
	for _, p := range patterns {
		if ok, _ := doublestar.Match(p, image); ok {
			return nil
		}
	}
	return &NotAllowedError{Key: key, What: what, Value: image, Allowed: patterns}
}

// IDAllowed checks a user (group false) or group ID a job asks for
// against allowed_users or allowed_groups.
func (a *KubernetesAllowed) IDAllowed(id int64, group bool) error {
	key, what, list := "allowed_users", "user", a.AllowedUsers
	if group {
		key, what, list = "allowed_groups", "group", a.AllowedGroups
	}
	if len(list) == 0 || slices.Contains(list, strconv.FormatInt(id, 10)) {
		return nil
	}
	return &NotAllowedError{Key: key, What: what, Value: strconv.FormatInt(id, 10), Allowed: list}
}

// allowed checks the patterns and IDs. A pattern that cannot match
// anything (an open "[" or "{") would refuse every job.
func (d *decoder) allowed(p keyPath, a *KubernetesAllowed) {
	for _, l := range []struct {
		key  string
		list []string
	}{{"allowed_images", a.AllowedImages}, {"allowed_services", a.AllowedServices}} {
		for i, pat := range l.list {
			if pat == "" || !doublestar.ValidatePattern(pat) {
				d.fail(p.child(l.key).at(i), &Error{Value: pat, Msg: fmt.Sprintf("%q is not a glob pattern", pat),
					Allowed: `a doublestar pattern such as "registry.example.com/**" or "alpine:*"`})
			}
		}
	}
	for _, l := range []struct {
		key  string
		list []string
	}{{"allowed_users", a.AllowedUsers}, {"allowed_groups", a.AllowedGroups}} {
		for i, id := range l.list {
			if n, err := strconv.ParseInt(id, 10, 64); err != nil || n < 0 || n > MaxID || strconv.FormatInt(n, 10) != id {
				d.fail(p.child(l.key).at(i), &Error{Value: id, Msg: fmt.Sprintf("%q is not a numeric ID", id),
					Allowed: fmt.Sprintf("an ID from 0 to %d, written in decimal; names are not looked up in images", MaxID)})
			}
		}
	}
}
