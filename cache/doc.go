// Package cache is the runner's side of the distributed cache (the jobs'
// `cache:` keyword, stored in S3): which keys a job reads and writes, in
// which order, under which object names, and the Signer that turns an
// object name into a short-lived URL. It holds no credentials of its own
// and does no I/O: the store's signer is in cache/s3, and the archives are
// made and unpacked in the job pod by helpers/cachearchive, which only
// ever sees signed URLs.
//
// Keys follow GitLab Runner's rules (key.go): an object lives at
// <Path>/runner/<short token>/project/<id>/<key>, without the runner part
// when the cache is Shared, and a key that could name another object
// ("..", a backslash, an encoded slash) is refused by name. Every key a
// job uses ends in -protected or -non_protected (scope.go), so that a job
// of an unprotected ref can neither read nor write what protected refs
// cache.
package cache
