//go:build integration

package clustertest

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/test/localcluster"
)

// AuthUsers returns the accounts of the authenticated registries: two, made
// once per cluster. Printing one shows the user name only; put a password
// in a test log only through something the test then scans for it.
func AuthUsers(t testing.TB) []localcluster.RegistryUser {
	t.Helper()
	users, err := Cluster(t).AuthRegistryUsers()
	if err != nil {
		t.Fatal(err)
	}
	return users
}

// UniqueImageOn is UniqueImage on another registry, such as
// localcluster.BasicAuthRegistryHost or localcluster.TokenAuthRegistryHost.
func UniqueImageOn(t testing.TB, host, base string) string {
	return host + strings.TrimPrefix(UniqueImage(t, base), localcluster.RegistryHost)
}

// PushAs is Push authenticating as user instead of the first account.
func PushAs(t testing.TB, image string, user localcluster.RegistryUser) string {
	t.Helper()
	need(t, kindOf(image))
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushImageAs(ctx, image, user); err != nil {
		t.Fatalf("push %s as %s: %v", image, user, err)
	}
	return localcluster.ImageRef(image)
}

// PullSecret creates in ns a kubernetes.io/dockerconfigjson Secret named
// name that gives user's credentials for hosts, as an operator creates one
// for image_pull_secrets. It goes with the namespace.
func PullSecret(t testing.TB, ns, name string, user localcluster.RegistryUser, hosts ...string) {
	t.Helper()
	cs, _ := Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(localcluster.DockerAuthConfig(user, hosts...))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pull secret %s/%s: %v", ns, name, err)
	}
}
