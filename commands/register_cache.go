package commands

import (
	"fmt"
	"io"
	"reflect"

	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
)

// cacheStringFlags maps each --cache-* string flag of GitLab Runner's
// register to its [runners.cache] key in c, whose three tables are
// allocated; the variable is cacheEnv's.
func cacheStringFlags(c *config.CacheConfig) map[string]*string {
	return map[string]*string{
		"cache-type":                             &c.Type,
		"cache-path":                             &c.Path,
		"cache-s3-server-address":                &c.S3.ServerAddress,
		"cache-s3-access-key":                    &c.S3.AccessKey,
		"cache-s3-secret-key":                    &c.S3.SecretKey,
		"cache-s3-session-token":                 &c.S3.SessionToken,
		"cache-s3-bucket-name":                   &c.S3.BucketName,
		"cache-s3-bucket-location":               &c.S3.BucketLocation,
		"cache-s3-authentication_type":           &c.S3.AuthenticationType,
		"cache-s3-server-side-encryption":        &c.S3.ServerSideEncryption,
		"cache-s3-server-side-encryption-key-id": &c.S3.ServerSideEncryptionKeyID,
		"cache-gcs-access-id":                    &c.GCS.AccessID,
		"cache-gcs-private-key":                  &c.GCS.PrivateKey,
		"cache-gcs-credentials-file":             &c.GCS.CredentialsFile,
		"cache-gcs-bucket-name":                  &c.GCS.BucketName,
		"cache-azure-account-name":               &c.Azure.AccountName,
		"cache-azure-account-key":                &c.Azure.AccountKey,
		"cache-azure-container-name":             &c.Azure.ContainerName,
		"cache-azure-storage-domain":             &c.Azure.StorageDomain,
	}
}

// cacheBoolFlags are the boolean --cache-* flags, each setting its key
// only when given (DualStack and PathStyle are unset otherwise).
func cacheBoolFlags(c *config.CacheConfig) map[string]func(bool) {
	return map[string]func(bool){
		"cache-shared":        func(v bool) { c.Shared = v },
		"cache-s3-insecure":   func(v bool) { c.S3.Insecure = v },
		"cache-s3-accelerate": func(v bool) { c.S3.Accelerate = v },
		"cache-s3-dual-stack": func(v bool) { c.S3.DualStack = &v },
		"cache-s3-path-style": func(v bool) { c.S3.PathStyle = &v },
	}
}

// cacheUnimplementedFlags are accepted, so that a script passing them
// registers, and warned about: kuberunner does not assume roles yet.
var cacheUnimplementedFlags = []string{"cache-s3-role-arn", "cache-s3-upload-role-arn"}

// cacheEnv is GitLab Runner's variable of a --cache-* flag.
func cacheEnv(flag string) string {
	if flag == "cache-gcs-credentials-file" {
		return "GOOGLE_APPLICATION_CREDENTIALS"
	}
	return envName(flag)
}

func cacheFlags() []cli.Flag {
	c := cacheTables(nil)
	var flags []cli.Flag
	for _, n := range sortedKeys(cacheStringFlags(c)) {
		flags = append(flags, &cli.StringFlag{Name: n, Usage: "[runners.cache] " + n, Sources: cli.EnvVars(cacheEnv(n))})
	}
	for _, n := range sortedKeys(cacheBoolFlags(c)) {
		flags = append(flags, &cli.BoolFlag{Name: n, Usage: "[runners.cache] " + n, Sources: cli.EnvVars(cacheEnv(n))})
	}
	for _, n := range cacheUnimplementedFlags {
		flags = append(flags, &cli.StringFlag{Name: n, Usage: "accepted and not written: kuberunner does not implement it yet", Sources: cli.EnvVars(cacheEnv(n))})
	}
	return flags
}

// registeredCache is the template's [runners.cache] (tpl, nil for none)
// with the --cache-* flags given applied over it; nil when neither set
// anything. A role flag is a warning on stderr.
func registeredCache(cmd *cli.Command, tpl *config.CacheConfig, stderr io.Writer) *config.CacheConfig {
	c := cacheTables(tpl)
	for flag, dst := range cacheStringFlags(c) {
		if cmd.IsSet(flag) {
			*dst = cmd.String(flag)
		}
	}
	for flag, set := range cacheBoolFlags(c) {
		if cmd.IsSet(flag) {
			set(cmd.Bool(flag))
		}
	}
	for _, flag := range cacheUnimplementedFlags {
		if cmd.IsSet(flag) {
			fmt.Fprintf(stderr, "WARNING: --%s is not written to config.toml: kuberunner does not assume roles for the cache yet\n", flag)
		}
	}
	return pruneCacheTables(c)
}

// cacheTables is a copy of tpl (or an empty table) with its three
// tables allocated, for the flags to write into.
func cacheTables(tpl *config.CacheConfig) *config.CacheConfig {
	var c config.CacheConfig
	if tpl != nil {
		c = *tpl
	}
	c.S3, c.GCS, c.Azure = allocated(c.S3), allocated(c.GCS), allocated(c.Azure)
	return &c
}

// allocated is a new copy of *p, or a new zero T when p is nil.
func allocated[T any](p *T) *T {
	v := new(T)
	if p != nil {
		*v = *p
	}
	return v
}

// pruneCacheTables drops the tables nothing was set in, and c itself
// when it is empty.
func pruneCacheTables(c *config.CacheConfig) *config.CacheConfig {
	c.S3, c.GCS, c.Azure = nilIfZero(c.S3), nilIfZero(c.GCS), nilIfZero(c.Azure)
	return nilIfZero(c)
}

func nilIfZero[T any](p *T) *T {
	if reflect.ValueOf(*p).IsZero() {
		return nil
	}
	return p
}
