package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	kube "k8s.io/client-go/kubernetes"

	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/pull"
)

// nodePlacer steers one job's fallback pods to nodes that hold their
// images (pull_policy_node_affinity). It is the attempt loop's only
// placement hook: the loop hands it each pod before the create.
type nodePlacer struct {
	mode  string // config.NodeAffinity*
	key   informerKey
	newFn func() (kube.Interface, error)
	pulls *pull.Manager
	log   executors.BuildLog

	inf *nodeInformer // acquired at the first fallback that needs it
}

// forbiddenWarned holds the identities whose 403 on nodes was already
// logged as a warning: the operator needs to read it once, not per job.
var forbiddenWarned sync.Map

func newNodePlacer(api apiClient, cfg *config.KubernetesConfig, pulls *pull.Manager, log executors.BuildLog) *nodePlacer {
	mode := cfg.PullPolicyNodeAffinity
	if mode == "" {
		mode = config.DefaultPullPolicyNodeAffinity
	}
	return &nodePlacer{
		mode: mode, pulls: pulls, log: log,
		// Nodes belong to no namespace: one informer per server and identity.
		key: informerKey{host: api.rest.Host, identity: identityOf(api.base)},
		newFn: func() (kube.Interface, error) {
			own, err := newAPIClient(api.base, defaultHeaderTimeout)
			if err != nil {
				return nil, err
			}
			return own, nil
		},
	}
}

// place adds a node affinity to pod when some of its images fell back to
// a policy that uses what a node holds. Whatever goes wrong reading the
// nodes, the pod is created as it was built: steering only helps.
func (p *nodePlacer) place(ctx context.Context, pod *corev1.Pod, attempt int) {
	if p == nil || p.mode == config.NodeAffinityOff {
		return
	}
	images := p.steeredImages(pod)
	if len(images) == 0 {
		return
	}
	nodes, err := p.nodes(ctx)
	if err != nil {
		p.logNoNodes(attempt, err)
		return
	}
	s := decideSteering(pod, images, nodes, p.mode == config.NodeAffinityRequired)
	for _, line := range steeringLines(attempt, s) {
		p.log.Println(line)
	}
	pod.Spec.Affinity = steeredAffinity(pod.Spec.Affinity, s)
}

// steeredImages are the pod's images that fell back to if-not-present or
// never: only a node that holds them can start them.
func (p *nodePlacer) steeredImages(pod *corev1.Pod) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range pod.Spec.Containers {
		if c.ImagePullPolicy != corev1.PullIfNotPresent && c.ImagePullPolicy != corev1.PullNever {
			continue
		}
		if seen[c.Image] || p.pulls.Attempt(c.Image) < 2 {
			continue
		}
		seen[c.Image] = true
		out = append(out, c.Image)
	}
	return out
}

func (p *nodePlacer) nodes(ctx context.Context) ([]*corev1.Node, error) {
	if p.inf == nil {
		inf, err := acquireNodes(p.key, p.newFn)
		if err != nil {
			return nil, err
		}
		p.inf = inf
	}
	nodes, err := p.inf.nodes(ctx)
	var forbidden *NodeListForbiddenError
	if errors.As(err, &forbidden) {
		// This informer is over; a later attempt starts a new one.
		p.inf.release()
		p.inf = nil
	}
	return nodes, err
}

func (p *nodePlacer) logNoNodes(attempt int, err error) {
	var forbidden *NodeListForbiddenError
	if errors.As(err, &forbidden) {
		if _, warned := forbiddenWarned.LoadOrStore(p.key, true); !warned {
			p.log.Warningln(fmt.Sprintf("Cannot steer fallback pods to nodes that hold their images: %v. "+
				"Grant list and watch on nodes (deploy/node-access, docs/deploy.md), or set pull_policy_node_affinity = %q", err, config.NodeAffinityOff))
		}
		p.log.Println(fmt.Sprintf("Attempt %d is placed as before: the runner may not list nodes", attempt))
		return
	}
	p.log.Println(fmt.Sprintf("Attempt %d is placed as before: could not read the nodes' images: %v", attempt, err))
}

// close releases the shared node view, if the job took it.
func (p *nodePlacer) close() {
	if p != nil && p.inf != nil {
		p.inf.release()
		p.inf = nil
	}
}
