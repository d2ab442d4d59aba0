package podspec

import (
	"strings"

	"kuberunner/common"
)

// labelValue makes s a valid label value: at most 63 characters of
// [A-Za-z0-9._-], starting and ending with an alphanumeric.
func labelValue(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			b[i] = '-'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return strings.TrimFunc(string(b), func(r rune) bool { return r < 128 && !isAlnum(byte(r)) })
}

// dnsLabel makes s usable inside a pod name: lowercase [a-z0-9-], at most
// max characters, "x" when nothing is left.
func dnsLabel(s string, max int) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !isAlnum(c) {
			b[i] = '-'
		}
	}
	if len(b) > max {
		b = b[:max]
	}
	out := strings.Trim(string(b), "-")
	if out == "" {
		return "x"
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// serviceAliases are the host names a service answers to. An explicit
// alias may hold several names separated by commas or spaces. Without one,
// the name is the image path without tag or digest, with "/" and ":"
// written as "-" ("tutum/wordpress:latest" answers as "tutum-wordpress"):
// GitLab Runner also offers a "__" form, but the pod API only accepts DNS
// names in hostAliases, so kuberunner keeps the form that is valid there.
func serviceAliases(image, alias string) []string {
	if alias != "" {
		return common.SplitAliases(alias)
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r == '_' {
			return '-'
		}
		return r
	}, strings.ToLower(imagePath(image)))
	return []string{name}
}

// imagePath strips the tag and digest from an image reference, keeping a
// registry host's port ("127.0.0.1:5000/x:1" is "127.0.0.1:5000/x").
func imagePath(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}
