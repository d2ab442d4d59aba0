// Package cachearchive is what the helper container does with a job's
// cache: Extract downloads each entry's archive from a signed URL (the
// entry's key, then its fallback keys, in order) and unpacks it into the
// project directory; Archive packs what the entry's paths and untracked
// select and uploads it to a signed URL, unless the content is the same as
// what was extracted for that key.
//
// The archive is a zip, as GitLab Runner's cache.zip, so that a bucket
// shared with GitLab Runner holds archives both can read; the zip is made
// and unpacked by helpers/artifacts (the selection by helpers/pathglob), and
// sits on the builds volume while it travels: a zip is read from its end,
// and a signed S3 PUT needs its length first. Nothing is held whole in
// memory.
//
// The helper never sees the store's credentials, only the URLs, and it
// never prints one's query (which holds the signature and the access key
// ID): logs name the host and the object. A failure is a WARNING line
// naming the key and the reason; the job goes on.
package cachearchive
