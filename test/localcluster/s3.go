package localcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The cluster's S3 server: MinIO, built from its Go module by
// hack/localcluster/build-minio.sh, with its own data directory (s3/data)
// and one bucket, S3Bucket. It listens on every address at S3Port, so
// that job pods reach it at the pod bridge's address (the bridge exists
// only once a pod ran, so it cannot be bound at Up); S3Info.Endpoint is
// that address, S3Info.LocalEndpoint the loopback one.
const (
	S3Port   = "9310"
	S3Bucket = "kuberunner-cache"

	s3Name   = "s3"
	s3Listen = "0.0.0.0:" + S3Port
	s3Local  = "127.0.0.1:" + S3Port
)

// S3KMSKey is the one key of the S3 server's KMS, so that uploads can
// ask for server-side encryption (SSE-S3, and SSE-KMS with this key).
const S3KMSKey = "kuberunner-cache-key"

// kmsEnv is MinIO's single-key KMS setting. The key is derived from the
// server's secret key, so that it stays the same across restarts of a
// data directory that holds objects encrypted with it.
func kmsEnv(info S3Info) string {
	key := sha256.Sum256([]byte("kuberunner kms " + info.SecretKey))
	return "MINIO_KMS_SECRET_KEY=" + S3KMSKey + ":" + base64.StdEncoding.EncodeToString(key[:])
}

// S3Info is how to reach the cluster's S3 server and its credentials.
// Printing one shows no key.
type S3Info struct {
	// Endpoint is host:port on the pod bridge: what job pods and the
	// runner's [runners.cache.s3] ServerAddress use (plain http).
	Endpoint string `json:"-"`
	// LocalEndpoint is host:port on loopback, for this machine.
	LocalEndpoint string `json:"-"`
	Bucket        string `json:"-"`
	AccessKey     string `json:"access_key"`
	SecretKey     string `json:"secret_key"`
}

func (i S3Info) String() string { return fmt.Sprintf("s3 %s bucket %s", i.Endpoint, i.Bucket) }

// Env is `s3-env`'s output: shell assignments, one per line.
func (i S3Info) Env() string {
	var b strings.Builder
	for _, kv := range [][2]string{{"KUBERUNNER_S3_ENDPOINT", i.Endpoint}, {"KUBERUNNER_S3_BUCKET", i.Bucket},
		{"KUBERUNNER_S3_ACCESS_KEY", i.AccessKey}, {"KUBERUNNER_S3_SECRET_KEY", i.SecretKey}} {
		fmt.Fprintf(&b, "%s='%s'\n", kv[0], kv[1]) // the values are hex and host:port: no quote inside
	}
	return b.String()
}

// Client is a minio-go client of the server, through loopback.
func (i S3Info) Client() (*minio.Client, error) {
	return minio.New(i.LocalEndpoint, &minio.Options{Creds: credentials.NewStaticV4(i.AccessKey, i.SecretKey, ""), Region: "us-east-1"})
}

// S3 returns the server's address and credentials, made by Up.
func (c *Cluster) S3() (S3Info, error) {
	var i S3Info
	b, err := os.ReadFile(c.path(s3Name, "credentials.json"))
	if err != nil {
		return i, fmt.Errorf("no S3 credentials (%w): run `make cluster-up`", err)
	}
	if err := json.Unmarshal(b, &i); err != nil || i.AccessKey == "" || i.SecretKey == "" {
		return i, fmt.Errorf("%s holds no credentials: delete it and run `make cluster-up`", c.path(s3Name, "credentials.json"))
	}
	i.Endpoint, i.LocalEndpoint, i.Bucket = net.JoinHostPort(bridgeAddress(), S3Port), s3Local, S3Bucket
	return i, nil
}

// bridgeAddress is the pod bridge's IPv4 address, or before the first
// pod made the bridge, the gateway the CNI config gives it: the first
// address of the pod subnet.
func bridgeAddress() string {
	if iface, err := net.InterfaceByName(BridgeName); err == nil {
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	_, n, _ := net.ParseCIDR(podSubnet)
	ip := n.IP.To4()
	return net.IPv4(ip[0], ip[1], ip[2], ip[3]+1).String()
}

// ensureS3Credentials makes the root account once per cluster.
func (c *Cluster) ensureS3Credentials() error {
	if _, err := c.S3(); err == nil {
		return nil
	}
	if err := os.MkdirAll(c.path(s3Name, "data"), 0o700); err != nil {
		return err
	}
	ak, sk := make([]byte, 10), make([]byte, 20)
	if _, err := rand.Read(ak); err != nil {
		return err
	}
	if _, err := rand.Read(sk); err != nil {
		return err
	}
	return writeJSON(c.path(s3Name, "credentials.json"), S3Info{AccessKey: "kr" + hex.EncodeToString(ak), SecretKey: hex.EncodeToString(sk)})
}

// s3Component is the MinIO process, given its binary.
func (c *Cluster) s3Component(bin string, info S3Info) component {
	return component{name: s3Name, bin: bin, args: []string{"server", "--address", s3Listen, "--quiet", c.path(s3Name, "data")},
		env:     []string{"MINIO_ROOT_USER=" + info.AccessKey, "MINIO_ROOT_PASSWORD=" + info.SecretKey, "MINIO_BROWSER=off", kmsEnv(info)},
		timeout: 60 * time.Second, ports: []string{s3Local},
		healthy: func(ctx context.Context) error { return httpOK(ctx, plainHTTP, "http://"+s3Local+"/minio/health/live") }}
}

// ensureS3 starts the S3 server unless it runs, holding its lock shared
// like a test that needs it, as ensureAuthRegistries does.
func (c *Cluster) ensureS3(ctx context.Context) error {
	if err := c.ensureS3Credentials(); err != nil {
		return err
	}
	lock, err := c.OpenS3Lock()
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := lock.Shared(); err != nil {
		return err
	}
	return c.StartS3(ctx)
}

// StartS3 starts the S3 server unless it runs, waits until it answers,
// and makes the bucket if it is missing.
func (c *Cluster) StartS3(ctx context.Context) error {
	unlock, err := c.lockFile("s3-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	info, err := c.S3()
	if err != nil {
		return err
	}
	bin, err := c.MinioBinary(true)
	if err != nil {
		return &ComponentError{s3Name, c.LogPath(s3Name), err}
	}
	if err := c.ensureRunning(ctx, c.s3Component(bin, info)); err != nil {
		return err
	}
	if err := ensureBucket(ctx, info); err != nil {
		return &ComponentError{s3Name, c.LogPath(s3Name), err}
	}
	return nil
}

// StopS3 stops the S3 server: requests to it fail with "connection
// refused". Tests coordinate through OpenS3Lock, as for the registry.
func (c *Cluster) StopS3(ctx context.Context) error {
	unlock, err := c.lockFile("s3-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	return c.stop(s3Name, 10*time.Second)
}

// S3Up reports whether the S3 server runs and answers.
func (c *Cluster) S3Up(ctx context.Context) bool {
	return c.pid(s3Name) != 0 && httpOK(ctx, plainHTTP, "http://"+s3Local+"/minio/health/live") == nil
}

// OpenS3Lock is RegistryLock for the S3 server (run/s3.lock).
func (c *Cluster) OpenS3Lock() (*RegistryLock, error) { return c.openLock("s3.lock") }

// MinioBinary is the MinIO server: $KUBERUNNER_MINIO_BIN if set, else
// what build-minio.sh prints. With build it builds the binary when it is
// missing (once per version, into the cache outside the checkout, with
// progress on c.Out); without, it only says where the binary would be.
func (c *Cluster) MinioBinary(build bool) (string, error) {
	if bin := os.Getenv("KUBERUNNER_MINIO_BIN"); bin != "" {
		return bin, nil
	}
	if c.RepoRoot == "" {
		return "", errors.New("kuberunner checkout not found (needed for build-minio.sh): run from inside it or set KUBERUNNER_MINIO_BIN")
	}
	args := []string{filepath.Join(c.RepoRoot, "hack", "localcluster", "build-minio.sh")}
	if !build {
		args = append(args, "--path")
	}
	var out bytes.Buffer
	cmd := exec.Command("bash", args...)
	cmd.Stdout, cmd.Stderr = &out, c.Out
	if c.Out == nil {
		cmd.Stderr = io.Discard
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build-minio.sh: %w", err)
	}
	return strings.TrimSpace(out.String()), nil
}

// ensureBucket makes the bucket unless it exists.
func ensureBucket(ctx context.Context, info S3Info) error {
	client, err := info.Client()
	if err != nil {
		return err
	}
	ok, err := client.BucketExists(ctx, info.Bucket)
	if err != nil || ok {
		return err
	}
	return client.MakeBucket(ctx, info.Bucket, minio.MakeBucketOptions{})
}
