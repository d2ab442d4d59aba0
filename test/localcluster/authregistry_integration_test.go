//go:build integration

package localcluster_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// Each authenticated registry, through go-containerregistry as a client
// would: the harness's account pushes, the second account pulls, no
// credentials and a wrong password are refused with 401, and the image is
// not in the unauthenticated local registry.
func TestAuthRegistriesRefuseWithoutCredentials(t *testing.T) {
	users := clustertest.AuthUsers(t)
	wrong := localcluster.RegistryUser{Username: users[0].Username, Password: users[0].Password + "-wrong"}
	for _, host := range localcluster.AuthRegistryHosts {
		t.Run(host, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			image := clustertest.Push(t, clustertest.UniqueImageOn(t, host, "private"))
			ref, err := name.ParseReference(image, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx), as(users[1])); err != nil {
				t.Errorf("pull as %s: %v", users[1], err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx)); !isStatus(err, http.StatusUnauthorized) {
				t.Errorf("pull without credentials: %v, want 401", err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx), as(wrong)); !isStatus(err, http.StatusUnauthorized) {
				t.Errorf("pull with a wrong password: %v, want 401", err)
			}
			if _, err := clustertest.Cluster(t).PushImageAs(ctx, image, wrong); !isStatus(err, http.StatusUnauthorized) {
				t.Errorf("push with a wrong password: %v, want 401", err)
			}
			local, _ := name.ParseReference(localcluster.RegistryHost+strings.TrimPrefix(image, host), name.Insecure)
			clustertest.NeedRegistry(t)
			if _, err := remote.Head(local, remote.WithContext(ctx)); !isStatus(err, http.StatusNotFound) {
				t.Errorf("the local registry serves %s too: %v", local, err)
			}
		})
	}
}

// The kubelet and containerd against each authenticated registry: a pod
// without pull secrets fails to pull, refused (containerd says "401
// Unauthorized" for basic auth, and "pull access denied … authorization
// failed" when the token it got anonymously grants nothing); a
// pod with a dockerconfigjson Secret for the registry (the second account)
// runs. For the token registry this is containerd fetching a token from the
// realm the registry names.
func TestAuthRegistriesThroughTheKubelet(t *testing.T) {
	cs, _ := clustertest.Client(t)
	ns := clustertest.Namespace(t)
	users := clustertest.AuthUsers(t)
	clustertest.PullSecret(t, ns, "creds", users[1], localcluster.AuthRegistryHosts...)
	for i, host := range localcluster.AuthRegistryHosts {
		t.Run(host, func(t *testing.T) {
			image := clustertest.Push(t, clustertest.UniqueImageOn(t, host, "kubelet"))
			t.Cleanup(func() { uncache(t, image) })
			without, with := podFor(ns, "without", i, image, ""), podFor(ns, "with", i, image, "creds")
			for _, p := range []*corev1.Pod{without, with} {
				if _, err := cs.CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			p := clustertest.WaitForPod(t, cs, ns, without.Name, 2*time.Minute, "a failed pull", func(p *corev1.Pod) bool {
				r, _ := clustertest.WaitingReason(p)
				return r == "ErrImagePull" || r == "ImagePullBackOff"
			})
			if _, msg := clustertest.WaitingReason(p); !refused(msg) {
				t.Errorf("pull without credentials: %q, want a refusal", msg)
			}
			clustertest.WaitForPod(t, cs, ns, with.Name, 2*time.Minute, "running with the pull secret", clustertest.Running)
		})
	}
}

// StopAuthRegistry stops both authenticated registries and the token
// service (a pull is refused at the connection, not with a 401), holding
// only their lock, not the local registry's; StartAuthRegistry brings them
// back with the same content.
func TestAuthRegistryStopStart(t *testing.T) {
	clustertest.NeedRegistry(t) // stopping the other kind must not wait for this
	c := clustertest.Cluster(t)
	t.Run("stop", func(t *testing.T) {
		// Pushed here, not in the parent: a parent holding the lock shared
		// would deadlock the stop (StopAuthRegistry says so).
		images := []string{
			clustertest.Push(t, clustertest.UniqueImageOn(t, localcluster.BasicAuthRegistryHost, "stop")),
			clustertest.Push(t, clustertest.UniqueImageOn(t, localcluster.TokenAuthRegistryHost, "stop")),
		}
		user := clustertest.AuthUsers(t)[0]
		clustertest.StopAuthRegistry(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c.AuthRegistriesUp(ctx) {
			t.Fatal("authenticated registries still up after StopAuthRegistry")
		}
		for _, img := range images {
			ref, _ := name.ParseReference(img, name.Insecure)
			_, err := remote.Head(ref, remote.WithContext(ctx), as(user))
			if err == nil || !strings.Contains(err.Error(), "connection refused") {
				t.Errorf("pull %s while stopped: %v, want connection refused", img, err)
			}
		}
		if !c.RegistryUp(ctx) {
			t.Error("the local registry went down with the authenticated ones")
		}
		clustertest.StartAuthRegistry(t)
		for _, img := range images {
			ref, _ := name.ParseReference(img, name.Insecure)
			if _, err := remote.Head(ref, remote.WithContext(ctx), as(user)); err != nil {
				t.Errorf("pull %s after the start: %v", img, err)
			}
		}
	})
	clustertest.NeedAuthRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !c.AuthRegistriesUp(ctx) {
		t.Fatal("authenticated registries not running after the stopping test ended")
	}
}

func refused(msg string) bool {
	for _, s := range []string{"401 Unauthorized", "pull access denied", "authorization failed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func as(u localcluster.RegistryUser) remote.Option {
	return remote.WithAuth(&authn.Basic{Username: u.Username, Password: u.Password})
}

func isStatus(err error, code int) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == code
}

func podFor(ns, prefix string, i int, image, secret string) *corev1.Pod {
	zero := int64(0)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: prefix + "-" + string(rune('a'+i)), Namespace: ns},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever, TerminationGracePeriodSeconds: &zero,
			Containers: []corev1.Container{{Name: "c", Image: image, Command: []string{"sleep", "3600"},
				ImagePullPolicy: corev1.PullAlways}},
		},
	}
	if secret != "" {
		p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: secret}}
	}
	return p
}

// uncache removes an image a pod pulled, once the namespace's pods are
// going; a miss only leaves a few MB on the node.
func uncache(t *testing.T, image string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := clustertest.Cluster(t).UncacheImage(ctx, image); err != nil {
		t.Logf("uncache %s: %v", image, err)
	}
}
