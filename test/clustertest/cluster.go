//go:build integration

package clustertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"kuberunner/test/localcluster"
)

type conn struct {
	c   *localcluster.Cluster
	cs  kubernetes.Interface
	cfg *rest.Config
}

// connect is done once per test process: locating the state dir and checking
// the node is Ready costs a few API calls that every test would repeat.
var connect = sync.OnceValues(func() (*conn, error) {
	c, err := localcluster.FromEnv()
	if err != nil {
		return nil, fmt.Errorf("local cluster not found (%v): run `make cluster-up`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Ready(ctx); err != nil {
		return nil, err
	}
	cfg, err := c.RESTConfig()
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &conn{c, cs, cfg}, nil
})

func mustConnect(t testing.TB) *conn {
	t.Helper()
	cn, err := connect()
	if err != nil {
		t.Fatalf("integration test needs the local cluster: %v", err)
	}
	return cn
}

// Cluster returns the local cluster's handle, for operations not wrapped here.
func Cluster(t testing.TB) *localcluster.Cluster { t.Helper(); return mustConnect(t).c }

// Client returns an admin clientset and its REST config for the local cluster.
func Client(t testing.TB) (kubernetes.Interface, *rest.Config) {
	t.Helper()
	cn := mustConnect(t)
	return cn.cs, rest.CopyConfig(cn.cfg)
}

// Namespace creates a fresh namespace named after the test, deleted when the
// test ends, and returns its name once its default ServiceAccount and
// kube-root-ca.crt exist (a pod created before would be rejected or stall).
func Namespace(t testing.TB) string {
	t.Helper()
	cs, _ := Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: dnsLabel(t.Name(), 40) + "-",
		Labels:       map[string]string{"kuberunner.test": "true"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// No waiting for the deletion: pods' grace periods would add up.
		if err := cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil {
			t.Errorf("delete namespace %s: %v", ns.Name, err)
		}
	})
	waitNamed(ctx, t, cs.CoreV1().RESTClient(), "serviceaccounts", ns.Name, "default", &corev1.ServiceAccount{})
	waitNamed(ctx, t, cs.CoreV1().RESTClient(), "configmaps", ns.Name, "kube-root-ca.crt", &corev1.ConfigMap{})
	return ns.Name
}

// waitNamed watches until object ns/name of resource exists.
func waitNamed(ctx context.Context, t testing.TB, rc rest.Interface, resource, ns, name string, obj runtime.Object) {
	t.Helper()
	lw := cache.NewListWatchFromClient(rc, resource, ns, fields.OneTermEqualSelector("metadata.name", name))
	_, err := watchtools.UntilWithSync(ctx, lw, obj, nil, func(ev watch.Event) (bool, error) {
		return ev.Type == watch.Added || ev.Type == watch.Modified, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s %s/%s: %v", resource, ns, name, err)
	}
}

// UniqueImage returns a local-registry image name no other test uses, so that
// tests in parallel can push, delete, cache and uncache without interfering.
func UniqueImage(t testing.TB, base string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%s-%s:v1", localcluster.RegistryHost, dnsLabel(base, 30), hex.EncodeToString(b))
}

var nonLabel = regexp.MustCompile(`[^a-z0-9]+`)

// dnsLabel turns s into a lower-case DNS label of at most n characters.
func dnsLabel(s string, n int) string {
	s = nonLabel.ReplaceAllString(strings.ToLower(s), "-")
	if len(s) > n {
		s = s[:n]
	}
	s = strings.Trim(s, "-")
	if s == "" {
		s = "test"
	}
	return s
}
