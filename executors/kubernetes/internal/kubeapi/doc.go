// Package kubeapi is how the Kubernetes executor talks to the API server:
// the job's client (rest config, a deadline on each answer's headers,
// request counting), which errors mean "not now" rather than "no" and the
// one retry over them, a 403 as a typed ForbiddenError, and the sharing of
// informers across the jobs of a process (SharedSet, and Patient list and
// watch calls that wait out an API server restart).
//
// It knows no jobs, pods specs or pull policies: it imports client-go,
// apimachinery and prometheus only, never another kuberunner package.
package kubeapi
