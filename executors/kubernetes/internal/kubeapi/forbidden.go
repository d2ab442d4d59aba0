package kubeapi

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ForbiddenError is the API server refusing one of the executor's
// requests with 403. Most often the runner's service account lacks the
// verb in its Role (a Role edited by hand, or one older than the code);
// a 403 can also come from admission (a quota, Pod Security), which the
// API server's own message, kept as Err, tells apart. The message says
// what was refused where and points at the Role kuberunner ships.
type ForbiddenError struct {
	Verb, Resource, Namespace string
	Err                       error
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("the Kubernetes API server refused %s on %s in namespace %q: %v "+
		"(if this names the runner's service account, its Role lacks %q on %q: deploy/role.yaml grants every verb kuberunner uses, see docs/deploy.md)",
		e.Verb, e.Resource, e.Namespace, e.Err, e.Verb, e.Resource)
}

func (e *ForbiddenError) Unwrap() error { return e.Err }

// Forbidden wraps err in a *ForbiddenError when the API server answered
// 403 to verb on resource; other errors pass unchanged.
func Forbidden(err error, verb, resource, namespace string) error {
	var already *ForbiddenError
	if err == nil || !apierrors.IsForbidden(err) || errors.As(err, &already) {
		return err
	}
	return &ForbiddenError{Verb: verb, Resource: resource, Namespace: namespace, Err: err}
}
