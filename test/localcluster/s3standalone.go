package localcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// StandaloneS3 is a MinIO server of its own, on a free loopback port with
// a data directory the caller gives, for unit tests and benchmarks that
// need a real S3 server but no cluster. Info.Endpoint is its loopback
// address too. Its KMS holds one key, S3KMSKey, as the cluster's does.
type StandaloneS3 struct {
	Info S3Info
	cmd  *exec.Cmd
	done chan struct{}
}

// StandaloneMinio is the path of the MinIO binary build-minio.sh makes,
// without building it, and whether it is there.
func StandaloneMinio() (string, bool) {
	c, err := FromEnv()
	if err != nil {
		return "", false
	}
	bin, err := c.MinioBinary(false)
	if err != nil {
		return "", false
	}
	_, err = os.Stat(bin)
	return bin, err == nil
}

// RunStandaloneS3 starts bin on a free port with its data in dir, waits
// until it answers and makes S3Bucket. Stop ends it.
func RunStandaloneS3(ctx context.Context, bin, dir string) (*StandaloneS3, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	info := S3Info{Endpoint: port, LocalEndpoint: port, Bucket: S3Bucket, AccessKey: "krstandalone", SecretKey: "standalone-secret-key"}
	cmd := exec.Command(bin, "server", "--address", port, "--quiet", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+info.AccessKey, "MINIO_ROOT_PASSWORD="+info.SecretKey, "MINIO_BROWSER=off", kmsEnv(info))
	logf, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &StandaloneS3{Info: info, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	if err := s.wait(ctx); err != nil {
		s.Stop()
		return nil, fmt.Errorf("minio did not come up (log: %s): %w", logf.Name(), err)
	}
	return s, ensureBucket(ctx, info)
}

func (s *StandaloneS3) wait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		err := httpOK(ctx, plainHTTP, "http://"+s.Info.LocalEndpoint+"/minio/health/live")
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("it exited")
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop ends the server and waits for it.
func (s *StandaloneS3) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
