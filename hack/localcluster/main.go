// Command localcluster runs kuberunner's local single-node Kubernetes cluster,
// its image registries and its S3 server; `make cluster-up`, `make cluster-down` and
// `make cluster-status` call it. The work is done by package cluster, which
// integration tests use directly.
//
//	go run ./hack/localcluster up|down|status
//	go run ./hack/localcluster registry-stop|registry-start
//	go run ./hack/localcluster auth-registry-stop|auth-registry-start|auth-registry-config
//	go run ./hack/localcluster s3-stop|s3-start|s3-env
//	go run ./hack/localcluster push|registry-delete|cache|uncache IMAGE
//	go run ./hack/localcluster images
//	go run ./hack/localcluster push-helper|push-runner BINARY, push-debian ROOTFS.tar
//	go run ./hack/localcluster stop|start kube-apiserver|kubelet
//
// IMAGE may be short ("foo:v1" means 127.0.0.1:5000/foo:v1); one on an
// authenticated registry (127.0.0.1:5008, 127.0.0.1:5009) is pushed, cached
// and deleted as the cluster's first account. State lives in
// $KUBERUNNER_CLUSTER_DIR (default <repo>/.cluster).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"kuberunner/test/localcluster"
)

const usage = `usage: localcluster COMMAND [IMAGE]
  up                 start the cluster (idempotent)
  down               stop every process of the cluster
  status             show each component, the node and the registry
  registry-stop      stop the local registry (pulls then fail: connection refused)
  registry-start     start it again
  auth-registry-stop   stop the authenticated registries (basic :5008, token :5009)
  auth-registry-start  start them again
  auth-registry-config print a DOCKER_AUTH_CONFIG for both, as the cluster's first account
  s3-stop            stop the S3 server (MinIO; requests then fail: connection refused)
  s3-start           start it again
  s3-env             print KUBERUNNER_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY as shell assignments
  push IMAGE         build a busybox image named IMAGE and push it
  registry-delete IMAGE  delete IMAGE's tag and manifest from the registry
  cache IMAGE        pull IMAGE into the node's containerd (registry must be up)
  uncache IMAGE      remove IMAGE from the node's containerd
  images             list the images the node's containerd holds
  push-helper BINARY build kuberunner's helper image from a static binary and push it
  stop|start kube-apiserver|kubelet  a fault for a test by hand (start waits until healthy)
  push-runner BINARY build the runner's image (entrypoint: kuberunner run) and push it
  push-debian ROOTFS.tar  push the Debian test image (hack/debian-rootfs.sh makes the tar)
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "localcluster:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("no command")
	}
	c, err := localcluster.FromEnv()
	if err != nil {
		return err
	}
	c.Out = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	image := func() (string, error) {
		if len(args) != 2 {
			return "", fmt.Errorf("%s needs exactly one IMAGE", args[0])
		}
		return args[1], nil
	}
	switch args[0] {
	case "up":
		return c.Up(ctx)
	case "down":
		return c.Down(ctx)
	case "status":
		s := c.Status(ctx)
		fmt.Print(s)
		if !s.Up() {
			return fmt.Errorf("cluster is not (fully) up; run `make cluster-up`")
		}
		return nil
	case "registry-stop":
		return c.StopRegistry(ctx)
	case "registry-start":
		return c.StartRegistry(ctx)
	case "auth-registry-stop":
		return c.StopAuthRegistries(ctx)
	case "auth-registry-start":
		return c.StartAuthRegistries(ctx)
	case "auth-registry-config":
		users, err := c.AuthRegistryUsers()
		if err == nil {
			fmt.Println(localcluster.DockerAuthConfig(users[0], localcluster.AuthRegistryHosts...))
		}
		return err
	case "s3-stop":
		return c.StopS3(ctx)
	case "s3-start":
		return c.StartS3(ctx)
	case "s3-env":
		info, err := c.S3()
		if err == nil {
			fmt.Print(info.Env())
		}
		return err
	case "images":
		imgs, err := c.NodeImages(ctx)
		for _, i := range imgs {
			fmt.Println(i)
		}
		return err
	case "push-helper", "push-runner", "push-debian":
		return pushBuilt(ctx, c, args)
	case "stop", "start":
		if len(args) != 2 {
			return fmt.Errorf("%s needs a component: kube-apiserver or kubelet", args[0])
		}
		if args[0] == "stop" {
			return c.StopComponent(ctx, args[1])
		}
		return c.StartComponent(ctx, args[1])
	case "push", "registry-delete", "cache", "uncache":
		img, err := image()
		if err != nil {
			return err
		}
		return imageCommand(ctx, c, args[0], img)
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func imageCommand(ctx context.Context, c *localcluster.Cluster, cmd, img string) error {
	switch cmd {
	case "push":
		digest, err := c.PushImage(ctx, img)
		if err == nil {
			fmt.Printf("%s@%s\n", localcluster.ImageRef(img), digest)
		}
		return err
	case "registry-delete":
		return c.DeleteImage(ctx, img)
	case "cache":
		return c.CacheImage(ctx, img)
	default:
		return c.UncacheImage(ctx, img)
	}
}

// pushBuilt is push-helper, push-runner and push-debian: each builds one
// image from the file it is given and pushes it under its fixed name.
func pushBuilt(ctx context.Context, c *localcluster.Cluster, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("%s needs the path of its input (a static kuberunner binary, or the Debian rootfs tar)", args[0])
	}
	image, build := localcluster.HelperImage, func() (string, error) { return c.PushHelperImage(ctx, localcluster.HelperImage, args[1]) }
	switch args[0] {
	case "push-runner":
		image, build = localcluster.RunnerImage, func() (string, error) { return c.PushRunnerImage(ctx, localcluster.RunnerImage, args[1]) }
	case "push-debian":
		image, build = localcluster.DebianImage, func() (string, error) { return c.PushDebianImage(ctx, args[1]) }
	}
	d, err := build()
	if err == nil {
		fmt.Fprintf(os.Stderr, "pushed %s (%s)\n", image, d)
	}
	return err
}
