// Package clienttls is how kuberunner trusts GitLab over TLS: the runner's
// tls-ca-file, tls-cert-file and tls-key-file as PEM (Material), the checks
// that every copy of them passes (at config load, and in the helper that
// receives them for a clone), the client *tls.Config built from them, and
// which errors mean a certificate did not verify (IsVerifyError).
//
// The CA file adds to the system's roots, never replaces them, as GitLab
// Runner's does: a GitLab behind a public CA still verifies when someone
// sets a CA for its registry. Nothing here ever skips verification.
//
// No message shows key material: a key is described by its file and its
// PEM block type only.
//
// It is a leaf: it imports no kuberunner package, so that config, the
// network client and the helper's gitsource share it.
package clienttls
