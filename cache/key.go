package cache

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// MaxKeyLength bounds a key: S3 takes object names of up to 1024 bytes,
// and the prefix before the key needs some of them.
const MaxKeyLength = 512

// KeyError is a key the runner refuses. Key is the key as the job gave it
// (after expanding variables).
type KeyError struct {
	Key     string
	Problem string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("cache key %q %s", e.Key, e.Problem)
}

// CheckKey refuses a key that is not a plain slash-separated name, rather
// than cleaning it: a key that would be cleaned ("a/../b", "a/", "a%2Fb",
// "a\\b", trailing white space) is one that another tool could read as a
// different object, which is how protected caches have been reached.
func CheckKey(key string) error {
	bad := func(problem string) error { return &KeyError{Key: key, Problem: problem} }
	switch {
	case key == "":
		return bad("is empty")
	case len(key) > MaxKeyLength:
		return bad(fmt.Sprintf("is longer than %d bytes", MaxKeyLength))
	case strings.ContainsAny(key, `\`):
		return bad(`has a backslash`)
	case strings.Contains(strings.ToLower(key), "%2f"), strings.Contains(strings.ToLower(key), "%2e"):
		return bad(`has an encoded "/" or "." (%2F, %2E)`)
	case strings.IndexFunc(key, unicode.IsControl) >= 0:
		return bad("has a control character")
	}
	for _, part := range strings.Split(key, "/") {
		switch {
		case part == "":
			return bad(`has an empty part (a leading, trailing or doubled "/")`)
		case part == "." || part == "..":
			return bad(`has a "." or ".." part`)
		case strings.TrimSpace(part) != part:
			return bad("has a part that starts or ends with white space")
		}
	}
	return nil
}

// Namer makes object names: one runner's, for one project.
type Namer struct {
	// Prefix is [runners.cache] Path, without slashes at its ends.
	Prefix string
	// Runner is the runner's short token; unused when Shared.
	Runner string
	Shared bool
	// ProjectID is the job's project.
	ProjectID int64
}

// Object is key's object name. key must have passed CheckKey, so that
// the name stays below the project's part of the bucket.
func (n Namer) Object(key string) string {
	parts := []string{n.Prefix}
	if !n.Shared {
		parts = append(parts, "runner", n.Runner)
	}
	parts = append(parts, "project", strconv.FormatInt(n.ProjectID, 10), key)
	return strings.TrimPrefix(path.Join(parts...), "/")
}
