// Package kubernetes is the Kubernetes executor: it runs a job as one pod
// (build container, helper container, one container per service), waits on
// it through a single label-scoped watch, runs the script over exec, and
// falls back to the next pull policy of an image whose pull failed, with a
// new pod, until the pod starts or no policy is left.
//
// The files split the work: pod*.go build pods as pure functions, watch.go is
// the only way the executor waits, reasons.go is the only place that reads
// the kubelet's waiting reasons, fallback.go is the only retry loop, exec.go
// talks remotecommand, cleanup.go removes what the job created.
package kubernetes
