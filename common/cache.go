package common

// CachePolicy is a cache entry's `policy`: whether the job downloads the
// cache before the script, uploads it after, or both.
type CachePolicy string

// The policies GitLab documents; an empty policy is CachePolicyPullPush.
const (
	CachePolicyPull     CachePolicy = "pull"
	CachePolicyPush     CachePolicy = "push"
	CachePolicyPullPush CachePolicy = "pull-push"
)

// CacheWhen is a cache entry's `when`: after which outcome of the script
// the cache is uploaded. An empty value is CacheWhenOnSuccess.
type CacheWhen string

const (
	CacheWhenOnSuccess CacheWhen = "on_success"
	CacheWhenOnFailure CacheWhen = "on_failure"
	CacheWhenAlways    CacheWhen = "always"
)

// JobCache is one entry of the payload's "cache". GitLab has already
// expanded `key:files` into Key and, when the project separates the caches
// of protected refs, appended -protected or -non_protected to Key and to
// each of FallbackKeys.
type JobCache struct {
	Key          string      `json:"key"`
	Paths        []string    `json:"paths"`
	Untracked    bool        `json:"untracked"`
	Policy       CachePolicy `json:"policy"`
	When         CacheWhen   `json:"when"`
	FallbackKeys []string    `json:"fallback_keys,omitempty"`
	// Unprotect is `cache:unprotect`: the cache is shared between
	// protected and unprotected refs.
	Unprotect bool `json:"unprotect,omitempty"`
}
