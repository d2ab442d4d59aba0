// Package executors defines what an executor is and keeps the registry of
// executors by name. It knows nothing of Kubernetes: executors register
// themselves from their own packages.
package executors
