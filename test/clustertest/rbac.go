//go:build integration

package clustertest

import (
	"context"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
)

// ServiceAccountWithRole creates service account name in ns with a Role of
// rules bound to it, waits until the authorizer grants the first rule, and
// returns a config that acts as that account (admin credentials
// impersonating it): a runner deployed with exactly these rights.
func ServiceAccountWithRole(t testing.TB, ns, name string, rules []rbacv1.PolicyRule) *rest.Config {
	t.Helper()
	cs, rc := Client(t)
	ctx := context.Background()
	meta := metav1.ObjectMeta{Name: name}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create service account: %v", err)
	}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create role: %v", err)
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta,
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create role binding: %v", err)
	}
	rc.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":" + name}
	if len(rules) > 0 && len(rules[0].Verbs) > 0 && len(rules[0].Resources) > 0 {
		WaitAuthorization(t, rc.Impersonate.UserName, ns, rules[0].Verbs[0], rules[0].Resources[0], true)
	}
	return rc
}

// WaitAuthorization returns once the API server's authorizer answers
// allowed for user doing verb on resource in ns. A Role or RoleBinding
// just created or changed reaches the authorizer through its own informer
// a moment later; a test that acts as the user at once can get the old
// answer. There is no event to watch for that, so this asks the
// authorizer itself (a SubjectAccessReview) until it answers as wanted.
func WaitAuthorization(t testing.TB, user, ns, verb, resource string, allowed bool) {
	t.Helper()
	cs, _ := Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: verb, Resource: resource},
	}}
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		got, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		return err == nil && got.Status.Allowed == allowed, nil
	})
	if err != nil {
		t.Fatalf("the authorizer never answered allowed=%t for %s doing %s on %s in %s: %v", allowed, user, verb, resource, ns, err)
	}
}
