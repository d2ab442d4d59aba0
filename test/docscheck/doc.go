// Package docscheck holds tests that keep the documentation true to the
// code: every Go file and name that docs/architecture.md uses must exist.
// It has no code of its own.
package docscheck
