// Package deploy checks the manifests in deploy/ against the code: the Role
// grants exactly the API requests the executor makes (compared with what
// its counting transport observed), and, on the local cluster (build tag
// integration), the real kustomization runs jobs as its service account
// without its tokens showing anywhere.
//
// It is test support only; nothing in the product imports it.
package deploy
