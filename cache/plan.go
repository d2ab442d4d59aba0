package cache

import (
	"fmt"
	"path"

	"kuberunner/common"
)

// Entry is one `cache:` entry of a job, resolved: the keys it reads and
// writes, scoped and checked, and what to do with it.
type Entry struct {
	// Key is the key the entry writes, and the first one it reads.
	Key string
	// Sources are the keys to read, in order: Key, the entry's
	// fallback_keys, then CACHE_FALLBACK_KEY, each once.
	Sources   []string
	Paths     []string
	Untracked bool
	Pull      bool
	Push      bool
	When      common.CacheWhen
}

// Input is what Plan reads besides the job's entries.
type Input struct {
	Entries []common.JobCache
	// Expand expands the job's variables in a key, a policy or a when.
	Expand func(string) string
	// Protected is RefProtected of the job.
	Protected bool
	// DefaultKey is the key of an entry without one: GitLab Runner's
	// "<job name>/<ref>".
	DefaultKey string
	// FallbackKey is CACHE_FALLBACK_KEY, not yet expanded; "" for none.
	FallbackKey string
}

// DefaultKey is GitLab Runner's key for an entry that has none.
func DefaultKey(job *common.Job) string { return path.Join(job.JobInfo.Name, job.GitInfo.Ref) }

// Plan resolves every entry. An entry it cannot use (a bad key, policy or
// when) is left out, and a bad fallback key is skipped, each with a
// warning for the build log: a cache problem never fails a job.
func Plan(in Input) (entries []Entry, warnings []string) {
	fallback := ""
	if in.FallbackKey != "" {
		fallback = in.Expand(in.FallbackKey)
	}
	if err := CheckKey(fallback); fallback != "" && err != nil {
		warnings = append(warnings, fmt.Sprintf("CACHE_FALLBACK_KEY is not used: %v", err))
		fallback = ""
	}
	for _, c := range in.Entries {
		e, w := in.entry(c, fallback)
		warnings = append(warnings, w...)
		if e != nil {
			entries = append(entries, *e)
		}
	}
	return entries, warnings
}

// entry resolves one entry; nil when it cannot be used or has nothing to
// cache (no paths and not untracked, as on GitLab Runner).
func (in Input) entry(c common.JobCache, fallback string) (*Entry, []string) {
	if len(c.Paths) == 0 && !c.Untracked {
		return nil, nil
	}
	raw := c.Key
	if raw == "" {
		raw = in.DefaultKey
	}
	key, err := in.key(raw, c.Unprotect)
	if err != nil {
		return nil, []string{fmt.Sprintf("The cache is skipped: %v", err)}
	}
	e := &Entry{Key: key, Paths: c.Paths, Untracked: c.Untracked}
	var warnings []string
	if e.Pull, e.Push, err = policy(common.CachePolicy(in.Expand(string(c.Policy)))); err != nil {
		return nil, []string{fmt.Sprintf("Cache %s is skipped: %v", key, err)}
	}
	if e.When, err = when(common.CacheWhen(in.Expand(string(c.When)))); err != nil {
		return nil, []string{fmt.Sprintf("Cache %s is skipped: %v", key, err)}
	}
	e.Sources = []string{key}
	for _, f := range c.FallbackKeys {
		k, err := in.key(f, c.Unprotect)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("Cache %s: fallback key skipped: %v", key, err))
			continue
		}
		e.Sources = appendOnce(e.Sources, k)
	}
	if fallback != "" {
		e.Sources = appendOnce(e.Sources, in.scope(fallback, c.Unprotect))
	}
	return e, warnings
}

// key expands, checks and scopes one key.
func (in Input) key(raw string, unprotect bool) (string, error) {
	k := in.Expand(raw)
	if err := CheckKey(k); err != nil {
		return "", err
	}
	return in.scope(k, unprotect), nil
}

func (in Input) scope(key string, unprotect bool) string {
	return Scoped(key, in.Protected && !unprotect)
}

// policy reads `policy`; "" is pull-push.
func policy(p common.CachePolicy) (pull, push bool, err error) {
	switch p {
	case common.CachePolicyPull:
		return true, false, nil
	case common.CachePolicyPush:
		return false, true, nil
	case "", common.CachePolicyPullPush:
		return true, true, nil
	}
	return false, false, fmt.Errorf("policy %q is not one of pull, push, pull-push", p)
}

// when reads `when`; "" is on_success.
func when(w common.CacheWhen) (common.CacheWhen, error) {
	switch w {
	case "":
		return common.CacheWhenOnSuccess, nil
	case common.CacheWhenOnSuccess, common.CacheWhenOnFailure, common.CacheWhenAlways:
		return w, nil
	}
	return "", fmt.Errorf("when %q is not one of on_success, on_failure, always", w)
}

// Saves reports whether the entry is uploaded after a script that failed
// (failed) or not.
func (e Entry) Saves(failed bool) bool {
	switch e.When {
	case common.CacheWhenAlways:
		return true
	case common.CacheWhenOnFailure:
		return failed
	}
	return !failed
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
