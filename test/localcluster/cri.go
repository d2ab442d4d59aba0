package localcluster

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// cri is a connection to containerd's CRI service, the same API the kubelet
// uses, so an image cached through it is exactly what the kubelet sees.
type cri struct {
	conn    *grpc.ClientConn
	runtime runtimeapi.RuntimeServiceClient
	images  runtimeapi.ImageServiceClient
}

func (c *Cluster) dialCRI() (*cri, error) {
	if _, err := os.Stat(c.containerdSock()); err != nil {
		return nil, fmt.Errorf("containerd is not running (%w); run `make cluster-up`", err)
	}
	conn, err := grpc.NewClient("unix://"+c.containerdSock(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return &cri{conn, runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)}, nil
}

func (r *cri) Close() { _ = r.conn.Close() }

// criReady is containerd's health check: the CRI answers and reports both the
// runtime and the (CNI) network ready.
func (c *Cluster) criReady(ctx context.Context) error {
	r, err := c.dialCRI()
	if err != nil {
		return err
	}
	defer r.Close()
	st, err := r.runtime.Status(ctx, &runtimeapi.StatusRequest{})
	if err != nil {
		return err
	}
	for _, cond := range st.GetStatus().GetConditions() {
		if !cond.Status {
			return fmt.Errorf("CRI condition %s false: %s %s", cond.Type, cond.Reason, cond.Message)
		}
	}
	return nil
}

// CacheImage makes the node's containerd hold image (in the k8s.io namespace,
// where the kubelet looks) by pulling it from the registry, which must be up.
// A short name such as "busybox:latest" means the local registry's. From an
// authenticated registry it pulls as the first of AuthRegistryUsers.
func (c *Cluster) CacheImage(ctx context.Context, image string) error {
	auth, err := c.criAuth(image)
	if err != nil {
		return err
	}
	r, err := c.dialCRI()
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = r.images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: ImageRef(image)}, Auth: auth})
	if err != nil {
		return fmt.Errorf("cache %s on the node: %w", ImageRef(image), err)
	}
	return nil
}

// UncacheImage removes image from the node's containerd, so that the next
// pod using it must pull. Removing an image the node lacks is not an error.
func (c *Cluster) UncacheImage(ctx context.Context, image string) error {
	r, err := c.dialCRI()
	if err != nil {
		return err
	}
	defer r.Close()
	ref := ImageRef(image)
	st, err := r.images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
	if err != nil {
		return fmt.Errorf("look up %s on the node: %w", ref, err)
	}
	if st.GetImage() == nil {
		return nil
	}
	// Removing by id drops every tag of that content; our images differ per
	// tag (see PushImage), so this removes exactly the one asked for.
	if _, err := r.images.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: st.GetImage().GetId()}}); err != nil {
		return fmt.Errorf("remove %s from the node: %w", ref, err)
	}
	return nil
}

// NodeImages lists the tags (and, for untagged images, digests) the node's
// containerd holds, sorted.
func (c *Cluster) NodeImages(ctx context.Context) ([]string, error) {
	r, err := c.dialCRI()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	resp, err := r.images.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, img := range resp.GetImages() {
		if len(img.RepoTags) > 0 {
			out = append(out, img.RepoTags...)
		} else {
			out = append(out, img.RepoDigests...)
		}
	}
	slices.Sort(out)
	return out, nil
}

// removeAllPods stops and removes every pod sandbox (and so its containers,
// network namespace and CNI allocation) through the CRI. The kubelet must be
// stopped first, or it would recreate them.
func (c *Cluster) removeAllPods(ctx context.Context) (int, error) {
	r, err := c.dialCRI()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	resp, err := r.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return 0, err
	}
	var errs []string
	for _, sb := range resp.GetItems() {
		if _, err := r.runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.Id}); err != nil {
			errs = append(errs, err.Error())
		}
		if _, err := r.runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.Id}); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return len(resp.GetItems()), fmt.Errorf("remove pods: %s", strings.Join(errs, "; "))
	}
	return len(resp.GetItems()), nil
}
