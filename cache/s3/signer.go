// Package s3 signs the cache's URLs for an S3 bucket with minio-go, with
// the runner's credentials: [runners.cache.s3] AccessKey and SecretKey, or
// the credentials of the runner's pod or node (AuthenticationType "iam").
// Signing sends nothing over the network when the keys are given: the
// region is BucketLocation, or us-east-1, never looked up.
package s3

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"

	"kuberunner/cache"
	"kuberunner/common/config"
)

// Defaults of [runners.cache.s3], GitLab Runner's.
const (
	DefaultServerAddress = "s3.amazonaws.com"
	DefaultRegion        = "us-east-1"
	// AWS's transfer acceleration hosts, IPv4 only and dual-stack.
	accelerateEndpoint          = "s3-accelerate.amazonaws.com"
	accelerateDualStackEndpoint = "s3-accelerate.dualstack.amazonaws.com"
)

// Signer is a cache.Signer for one bucket.
type Signer struct {
	client *minio.Client
	bucket string
	// upload is the headers every upload sends and its signature covers:
	// the server-side encryption.
	upload http.Header
}

var _ cache.Signer = (*Signer)(nil)

// New makes the signer of c, a [runners.cache] of type s3 that the loader
// has checked.
func New(c *config.CacheS3Config) (*Signer, error) {
	if c == nil || c.BucketName == "" {
		return nil, errors.New("the s3 cache needs [runners.cache.s3] BucketName")
	}
	addr, region := c.ServerAddress, c.BucketLocation
	if addr == "" {
		addr = DefaultServerAddress
	}
	if region == "" {
		region = DefaultRegion
	}
	client, err := minio.New(addr, &minio.Options{Creds: creds(c), Secure: !c.Insecure, Region: region, BucketLookup: lookup(c)})
	if err != nil {
		return nil, err
	}
	client.SetS3EnableDualstack(c.UsesDualStack())
	if c.Accelerate {
		client.SetS3TransferAccelerate(accelerate(c))
	}
	return &Signer{client: client, bucket: c.BucketName, upload: sseHeaders(c)}, nil
}

// accelerate is the acceleration host DualStack chooses.
func accelerate(c *config.CacheS3Config) string {
	if c.UsesDualStack() {
		return accelerateDualStackEndpoint
	}
	return accelerateEndpoint
}

// lookup is PathStyle: the bucket in the path, in the host name, or
// unset, as minio-go chooses for the endpoint.
func lookup(c *config.CacheS3Config) minio.BucketLookupType {
	switch {
	case c.PathStyle == nil:
		return minio.BucketLookupAuto
	case *c.PathStyle:
		return minio.BucketLookupPath
	}
	return minio.BucketLookupDNS
}

// sseHeaders are the headers of ServerSideEncryption. DSSE-KMS has no
// minio-go type; its headers are KMS's with its own algorithm name.
func sseHeaders(c *config.CacheS3Config) http.Header {
	h := http.Header{}
	switch c.SSE() {
	case config.SSES3:
		encrypt.NewSSE().Marshal(h)
	case config.SSEKMS, config.SSEDSSEKMS:
		kms, _ := encrypt.NewSSEKMS(c.ServerSideEncryptionKeyID, nil) // no context: no error
		kms.Marshal(h)
		if c.SSE() == config.SSEDSSEKMS {
			h.Set(encrypt.SseGenericHeader, "aws:kms:dsse")
		}
	default:
		return nil
	}
	return h
}

// creds are the static keys, or for iam minio-go's chain of the pod's
// web identity (IRSA), the container's and the instance's metadata.
func creds(c *config.CacheS3Config) *credentials.Credentials {
	if c.AuthType() == config.S3AuthAccessKey {
		return credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken)
	}
	return credentials.NewIAM("")
}

// GetURL signs a GET of object for cache.URLLifetime.
func (s *Signer) GetURL(ctx context.Context, object string) (*url.URL, error) {
	return s.client.PresignedGetObject(ctx, s.bucket, object, cache.URLLifetime, nil)
}

// PutURL signs a PUT of object for cache.URLLifetime, with the upload
// headers among the signed ones.
func (s *Signer) PutURL(ctx context.Context, object string) (*url.URL, error) {
	return s.client.PresignHeader(ctx, http.MethodPut, s.bucket, object, cache.URLLifetime, nil, s.upload)
}

// UploadHeaders are the headers an upload to a PutURL must send.
func (s *Signer) UploadHeaders() http.Header { return s.upload.Clone() }
