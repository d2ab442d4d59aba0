package config

import (
	"fmt"
	"path"
	"strings"
)

// CacheConfig is [runners.cache], GitLab Runner's distributed cache, with
// its key names (omitempty: register writes only the keys it was given).
// Type chooses the store; only CacheTypeS3 is implemented. The gcs and
// azure tables load, so that a GitLab Runner file does, but choosing them
// is an error until they are implemented.
type CacheConfig struct {
	Type string `toml:"Type,omitempty"`
	// Path is a prefix of every object name.
	Path string `toml:"Path,omitempty"`
	// Shared drops the runner's own part of object names, so that every
	// runner with the same store shares the caches of a project.
	Shared bool `toml:"Shared,omitempty"`
	// MaxUploadedArchiveSize bounds an uploaded archive, in bytes; 0: no
	// bound.
	MaxUploadedArchiveSize int `toml:"MaxUploadedArchiveSize,omitempty"`

	S3    *CacheS3Config    `toml:"s3,omitempty"`
	GCS   *CacheGCSConfig   `toml:"gcs,omitempty"`
	Azure *CacheAzureConfig `toml:"azure,omitempty"`
}

// CacheS3Config is [runners.cache.s3].
type CacheS3Config struct {
	// ServerAddress is host[:port], without a scheme; Insecure chooses
	// http over https.
	ServerAddress  string `toml:"ServerAddress,omitempty"`
	AccessKey      string `toml:"AccessKey,omitempty"`
	SecretKey      string `toml:"SecretKey,omitempty"`
	BucketName     string `toml:"BucketName,omitempty"`
	BucketLocation string `toml:"BucketLocation,omitempty"`
	Insecure       bool   `toml:"Insecure,omitempty"`
	// SessionToken goes with AccessKey and SecretKey when they are
	// temporary credentials.
	SessionToken string `toml:"SessionToken,omitempty"`
	// AuthenticationType is S3AuthAccessKey or S3AuthIAM; read it with
	// AuthType, which applies GitLab Runner's default.
	AuthenticationType string `toml:"AuthenticationType,omitempty"`
	// ServerSideEncryption is how S3 encrypts an uploaded cache: one of
	// SSETypes in any case, "" for the bucket's default. The upload's
	// signature covers it, so a helper cannot upload without it.
	ServerSideEncryption string `toml:"ServerSideEncryption,omitempty"`
	// ServerSideEncryptionKeyID is the KMS key (an ID, alias or ARN) of
	// KMS and DSSE-KMS; "" is the account's default key.
	ServerSideEncryptionKeyID string `toml:"ServerSideEncryptionKeyID,omitempty"`
	// DualStack, Accelerate and PathStyle choose the endpoint. The first
	// two only change an AWS endpoint; DualStack unset is true, PathStyle
	// unset lets the client choose per endpoint.
	DualStack  *bool `toml:"DualStack,omitempty"`
	Accelerate bool  `toml:"Accelerate,omitempty"`
	PathStyle  *bool `toml:"PathStyle,omitempty"`
}

// SSE types of ServerSideEncryption, as GitLab Runner spells them.
const (
	SSES3      = "S3"
	SSEKMS     = "KMS"
	SSEDSSEKMS = "DSSE-KMS"
)

// SSETypes are the values ServerSideEncryption allows besides "".
var SSETypes = []string{SSES3, SSEKMS, SSEDSSEKMS}

// SSE is ServerSideEncryption in GitLab Runner's spelling ("kms" is
// KMS), or "" when it is none of SSETypes.
func (s *CacheS3Config) SSE() string {
	for _, t := range SSETypes {
		if strings.EqualFold(s.ServerSideEncryption, t) {
			return t
		}
	}
	return ""
}

// UsesDualStack is DualStack with GitLab Runner's default, true.
func (s *CacheS3Config) UsesDualStack() bool { return s.DualStack == nil || *s.DualStack }

// CacheGCSConfig is [runners.cache.gcs]. Loaded, not implemented.
type CacheGCSConfig struct {
	CredentialsFile string `toml:"CredentialsFile,omitempty"`
	AccessID        string `toml:"AccessID,omitempty"`
	PrivateKey      string `toml:"PrivateKey,omitempty"`
	BucketName      string `toml:"BucketName,omitempty"`
}

// CacheAzureConfig is [runners.cache.azure]. Loaded, not implemented.
type CacheAzureConfig struct {
	AccountName   string `toml:"AccountName,omitempty"`
	AccountKey    string `toml:"AccountKey,omitempty"`
	ContainerName string `toml:"ContainerName,omitempty"`
	StorageDomain string `toml:"StorageDomain,omitempty"`
}

// Cache types of [runners.cache] Type.
const (
	CacheTypeS3    = "s3"
	CacheTypeGCS   = "gcs"
	CacheTypeAzure = "azure"
)

// AuthenticationType values of [runners.cache.s3].
const (
	S3AuthAccessKey = "access-key"
	S3AuthIAM       = "iam"
)

// Enabled reports whether c configures a cache store at all: GitLab
// Runner's register writes an empty [runners.cache], which means none.
func (c *CacheConfig) Enabled() bool { return c != nil && c.Type != "" }

// AuthType is AuthenticationType, or GitLab Runner's default when it is
// empty: access-key when ServerAddress, AccessKey and SecretKey are all
// set, else iam (the pod's or the node's role).
func (s *CacheS3Config) AuthType() string {
	if s.AuthenticationType != "" {
		return s.AuthenticationType
	}
	if s.ServerAddress != "" && s.AccessKey != "" && s.SecretKey != "" {
		return S3AuthAccessKey
	}
	return S3AuthIAM
}

// validateCache checks [runners.cache]. No message quotes AccessKey or
// SecretKey (secret.go redacts both keys anyway).
func (d *decoder) validateCache(p keyPath, c *CacheConfig) {
	switch c.Type {
	case "":
		return
	case CacheTypeS3:
	case CacheTypeGCS, CacheTypeAzure:
		d.fail(p.child("Type"), &Error{Value: c.Type,
			Msg:     fmt.Sprintf("cache type %q is not implemented yet by kuberunner; its table loads, but a job would have no cache", c.Type),
			Allowed: CacheTypeS3 + ` (or "" for no cache)`})
		return
	default:
		d.oneOf(p.child("Type"), c.Type, []string{CacheTypeS3, CacheTypeGCS, CacheTypeAzure})
		return
	}
	d.cachePath(p.child("Path"), c.Path)
	if c.S3 == nil {
		d.fail(p.child("Type"), &Error{Value: c.Type, Msg: `cache type "s3" needs a [runners.cache.s3] table`,
			Allowed: "a [runners.cache.s3] table with at least BucketName"})
		return
	}
	d.validateS3(p.child("s3"), c.S3)
}

// cachePath refuses a Path that is not a plain relative prefix: object
// names are built under it, and ".." would reach other prefixes.
func (d *decoder) cachePath(p keyPath, v string) {
	if v == "" {
		return
	}
	for _, part := range strings.Split(strings.Trim(v, "/"), "/") {
		if part == "" || part == "." || part == ".." {
			d.fail(p, &Error{Value: v, Msg: fmt.Sprintf("%q is not a plain prefix", v),
				Allowed: `slash-separated names without "", "." or ".." parts, such as "ci/cache"`})
			return
		}
	}
}

func (d *decoder) validateS3(p keyPath, s *CacheS3Config) {
	if s.BucketName == "" {
		d.fail(p.child("BucketName"), &Error{Msg: "is required for the s3 cache", Allowed: "the name of an existing bucket"})
	}
	if s.ServerAddress != "" && (strings.Contains(s.ServerAddress, "/") || strings.ContainsAny(s.ServerAddress, " \t@")) {
		d.fail(p.child("ServerAddress"), &Error{Value: s.ServerAddress,
			Msg:     fmt.Sprintf("%q is not host[:port]", s.ServerAddress),
			Allowed: `host[:port] without a scheme or a path, such as "s3.amazonaws.com" or "minio.example.com:9000" (Insecure = true for http)`})
	}
	d.oneOf(p.child("AuthenticationType"), s.AuthType(), []string{S3AuthAccessKey, S3AuthIAM})
	if s.AuthType() == S3AuthAccessKey && (s.AccessKey == "" || s.SecretKey == "") {
		d.fail(p.child("AuthenticationType"), &Error{Value: s.AuthenticationType,
			Msg:     `"access-key" needs both AccessKey and SecretKey`,
			Allowed: `AccessKey and SecretKey set, or AuthenticationType = "iam"`})
	}
	d.validateSSE(p, s)
}

// validateSSE checks ServerSideEncryption and its key: a key ID without
// a KMS type would be dropped, so it is an error rather than a cache
// stored unencrypted with a key configured.
func (d *decoder) validateSSE(p keyPath, s *CacheS3Config) {
	if s.ServerSideEncryption != "" && s.SSE() == "" {
		d.oneOf(p.child("ServerSideEncryption"), s.ServerSideEncryption, SSETypes)
		return
	}
	if s.ServerSideEncryptionKeyID != "" && s.SSE() != SSEKMS && s.SSE() != SSEDSSEKMS {
		d.fail(p.child("ServerSideEncryptionKeyID"), &Error{Value: s.ServerSideEncryptionKeyID,
			Msg: fmt.Sprintf("%q is a KMS key, which needs ServerSideEncryption %q or %q, not %q",
				s.ServerSideEncryptionKeyID, SSEKMS, SSEDSSEKMS, s.ServerSideEncryption),
			Allowed: `ServerSideEncryption = "KMS" or "DSSE-KMS" with it, or no ServerSideEncryptionKeyID`})
	}
}

// ObjectPrefix is Path as object names use it: no slash at either end.
func (c *CacheConfig) ObjectPrefix() string { return path.Clean("/" + c.Path)[1:] }
