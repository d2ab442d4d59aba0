package placement

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	kube "k8s.io/client-go/kubernetes"

	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/pull"
)

// Placer steers one job's fallback pods to nodes that hold their images
// (pull_policy_node_affinity). It is the attempt loop's only placement
// hook: the loop hands it each pod before the create.
type Placer struct {
	mode      string // config.NodeAffinity*
	key       kubeapi.InformerKey
	newClient func() (kube.Interface, error)
	pulls     *pull.Manager
	log       executors.BuildLog

	inf *nodeInformer // acquired at the first fallback that needs it
}

// forbiddenWarned holds the identities whose 403 on nodes was already
// logged as a warning: the operator needs to read it once, not per job.
var forbiddenWarned sync.Map

// ForClient is the placer of a job that talks to the cluster through api:
// nodes belong to no namespace, so one node informer serves every job of
// that server and identity, with a client of its own.
func ForClient(api kubeapi.Client, cfg *config.KubernetesConfig, pulls *pull.Manager, log executors.BuildLog) *Placer {
	key := kubeapi.InformerKey{Host: api.REST.Host, Identity: kubeapi.IdentityOf(api.Base)}
	newClient := func() (kube.Interface, error) {
		own, err := kubeapi.NewClient(api.Base, kubeapi.DefaultHeaderTimeout)
		if err != nil {
			return nil, err
		}
		return own, nil
	}
	return New(cfg.PullPolicyNodeAffinity, key, newClient, pulls, log)
}

// New is a placer in mode ("" for the default) whose node informer, shared
// under key, reads nodes with the client newClient makes.
func New(mode string, key kubeapi.InformerKey, newClient func() (kube.Interface, error), pulls *pull.Manager, log executors.BuildLog) *Placer {
	if mode == "" {
		mode = config.DefaultPullPolicyNodeAffinity
	}
	return &Placer{mode: mode, key: key, newClient: newClient, pulls: pulls, log: log}
}

// Place adds a node affinity to pod when some of its images fell back to
// a policy that uses what a node holds. Whatever goes wrong reading the
// nodes, the pod is created as it was built: steering only helps.
func (p *Placer) Place(ctx context.Context, pod *corev1.Pod, attempt int) {
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
func (p *Placer) steeredImages(pod *corev1.Pod) []string {
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

func (p *Placer) nodes(ctx context.Context) ([]*corev1.Node, error) {
	if p.inf == nil {
		inf, err := acquireNodes(p.key, p.newClient)
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

func (p *Placer) logNoNodes(attempt int, err error) {
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

// Close releases the shared node view, if the job took it.
func (p *Placer) Close() {
	if p != nil && p.inf != nil {
		p.inf.release()
		p.inf = nil
	}
}
