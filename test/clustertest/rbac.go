//go:build integration

package clustertest

import (
	"context"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

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
