// Module miniobuild pins the MinIO server release the local cluster runs as
// its S3 server (the distributed cache's tests and benchmarks). It is
// separate from kuberunner's go.mod so that MinIO's hundreds of dependencies
// never enter the runner's build; kuberunner talks to it only over HTTP with
// minio-go. MinIO publishes no semver tags, so the pin is a pseudo-version.
module kuberunner/hack/localcluster/miniobuild

go 1.24.0

require github.com/minio/minio v0.0.0-20260212201848-7aac2a2c5b7c
