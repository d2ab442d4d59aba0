// Package helpers holds leaf utilities that the rest of kuberunner shares.
// Nothing here imports common or executors; each subpackage does one thing.
package helpers
