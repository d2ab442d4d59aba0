package cache

import (
	"strings"

	"kuberunner/common"
)

// The suffixes that keep the caches of protected refs apart from those of
// the others. GitLab appends one to each key it sends when the project
// separates them (its default since 15.0).
const (
	SuffixProtected    = "-protected"
	SuffixNonProtected = "-non_protected"
)

// Scoped is the key a job uses for key. Every key ends in one of the two
// suffixes, and only a job of a protected ref (protected: and the entry
// does not set unprotect) may use one that ends in -protected:
//
//   - a key GitLab already suffixed is kept, when the job may use it;
//   - a protected job appends -protected to any other key;
//   - any other job appends -non_protected to a key that does not end in
//     it, so "main-protected" from an unprotected ref becomes
//     "main-protected-non_protected", never the protected cache.
//
// A protected job may use a key that ends in -non_protected: that is
// what cache:unprotect asks GitLab for, and what a protected ref's own
// .gitlab-ci.yml may choose.
func Scoped(key string, protected bool) string {
	if strings.HasSuffix(key, SuffixNonProtected) || protected && strings.HasSuffix(key, SuffixProtected) {
		return key
	}
	if protected {
		return key + SuffixProtected
	}
	return key + SuffixNonProtected
}

// RefProtected reports whether the job's ref is protected: git_info's
// "protected" when GitLab sends it (18.3 and later), else GitLab's own
// CI_COMMIT_REF_PROTECTED, the first one of the payload's variables. A
// later one is the job's own, and a job of an unprotected ref could set
// it to "true" to reach the protected caches.
func RefProtected(job *common.Job) bool {
	if job.GitInfo.Protected != nil {
		return *job.GitInfo.Protected
	}
	for _, v := range job.Variables {
		if v.Key == "CI_COMMIT_REF_PROTECTED" {
			return v.Value == "true"
		}
	}
	return false
}
