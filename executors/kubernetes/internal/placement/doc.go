// Package placement decides where a fallback pod goes. When an image falls
// back to a policy that uses what a node already holds (if-not-present,
// never), the Placer reads the nodes from a shared, slimmed node informer
// and steers the pod to the nodes that list that image
// (pull_policy_node_affinity); the decision and the affinity it writes are
// pure functions. It also reads a node's Ready condition once, to explain a
// pod that never started.
//
// It never creates or deletes anything: it imports kubeapi, pull and the
// executors' BuildLog, never the executor itself.
package placement
