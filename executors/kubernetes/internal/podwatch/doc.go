// Package podwatch is the Kubernetes executor's one way to wait on a pod: a
// job subscribes to its namespace's shared pod informer by its job label
// (Start), and every wait is a Condition over that stream (Watch.Until).
// The informer is shared by every job of the process, relists and
// rewatches by itself, and waits out an API server restart.
//
// It knows pods and the job label, not the attempt loop or pull policies:
// it imports kubeapi and podspec (for the labels) only.
package podwatch
