// Package s3 signs the cache's URLs for an S3 bucket with minio-go, with
// the runner's credentials: [runners.cache.s3] AccessKey and SecretKey, or
// the credentials of the runner's pod or node (AuthenticationType "iam").
// Signing sends nothing over the network when the keys are given: the
// region is BucketLocation, or us-east-1, never looked up.
package s3

import (
	"context"
	"errors"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"kuberunner/cache"
	"kuberunner/common/config"
)

// Defaults of [runners.cache.s3], GitLab Runner's.
const (
	DefaultServerAddress = "s3.amazonaws.com"
	DefaultRegion        = "us-east-1"
)

// Signer is a cache.Signer for one bucket.
type Signer struct {
	client *minio.Client
	bucket string
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
	client, err := minio.New(addr, &minio.Options{Creds: creds(c), Secure: !c.Insecure, Region: region})
	if err != nil {
		return nil, err
	}
	return &Signer{client: client, bucket: c.BucketName}, nil
}

// creds are the static keys, or for iam minio-go's chain of the pod's
// web identity (IRSA), the container's and the instance's metadata.
func creds(c *config.CacheS3Config) *credentials.Credentials {
	if c.AuthType() == config.S3AuthAccessKey {
		return credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")
	}
	return credentials.NewIAM("")
}

// GetURL signs a GET of object for cache.URLLifetime.
func (s *Signer) GetURL(ctx context.Context, object string) (*url.URL, error) {
	return s.client.PresignedGetObject(ctx, s.bucket, object, cache.URLLifetime, nil)
}

// PutURL signs a PUT of object for cache.URLLifetime.
func (s *Signer) PutURL(ctx context.Context, object string) (*url.URL, error) {
	return s.client.PresignedPutObject(ctx, s.bucket, object, cache.URLLifetime)
}
