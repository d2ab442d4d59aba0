package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Request is one verb on one resource, as the executor's counting
// transport names it (executors/kubernetes/apirequests.go), e.g. "create"
// on "pods/exec".
type Request struct{ Verb, Resource string }

func (r Request) String() string { return r.Verb + " " + r.Resource }

// Unobserved lists what the Role grants although no test run is expected
// to send it, each with the reason. Everything else in the Role must be
// seen in a run, so a verb the code stopped using cannot linger.
var Unobserved = map[Request]string{
	// Kubernetes 1.34 authorises the WebSocket exec upgrade (a GET) as get;
	// create is what the SPDY fallback (a POST) needs when a proxy refuses
	// WebSockets, and what 1.35+ also checks for the WebSocket upgrade
	// (AuthorizePodWebsocketUpgradeCreatePermission).
	{"create", "pods/exec"}: "SPDY fallback of exec; WebSocket upgrade on Kubernetes 1.35+",
	// The startup sweep (sweep.go) lists the objects labelled
	// app.kubernetes.io/managed-by=kuberunner at every start, so its lists
	// are observed; it deletes a secret one by one only when one has
	// expired, which a fresh namespace never holds. (A pod it would
	// delete is observed anyway: a failed attempt is deleted the same way.)
	{"delete", "secrets"}: "startup sweep of expired job secrets",
}

// Grants reports whether rules allow verb on resource in the core group.
func Grants(rules []rbacv1.PolicyRule, req Request) bool {
	for _, r := range rules {
		if !matches(r.APIGroups, "") || !matches(r.Resources, req.Resource) || !matches(r.Verbs, req.Verb) {
			continue
		}
		return true
	}
	return false
}

func matches(list []string, want string) bool {
	return slices.Contains(list, want) || slices.Contains(list, rbacv1.ResourceAll)
}

// Granted lists every verb on every resource that rules name.
func Granted(rules []rbacv1.PolicyRule) []Request {
	var out []Request
	for _, r := range rules {
		for _, res := range r.Resources {
			for _, v := range r.Verbs {
				out = append(out, Request{v, res})
			}
		}
	}
	return out
}

// Compare checks observed requests against the Role (and the optional
// ClusterRole for cluster-scoped reads): denied are requests no rule
// grants; unused are grants neither observed nor listed in Unobserved.
func Compare(role *rbacv1.Role, nodes *rbacv1.ClusterRole, observed []Request) (denied, unused []Request) {
	seen := map[Request]bool{}
	for _, o := range observed {
		seen[o] = true
		if !Grants(role.Rules, o) && (nodes == nil || !Grants(nodes.Rules, o)) {
			denied = append(denied, o)
		}
	}
	for _, g := range Granted(role.Rules) {
		if !seen[g] {
			if _, ok := Unobserved[g]; !ok {
				unused = append(unused, g)
			}
		}
	}
	sortRequests(denied)
	sortRequests(unused)
	return denied, unused
}

func sortRequests(rs []Request) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
}

// Describe is a list of requests for a test message.
func Describe(rs []Request) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return fmt.Sprintf("[%s]", strings.Join(parts, ", "))
}
