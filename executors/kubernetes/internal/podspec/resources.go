package podspec

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"kuberunner/common"
	"kuberunner/common/config"
)

// podResources are the requests and limits of each kind of container.
type podResources struct{ build, helper, service corev1.ResourceRequirements }

// resourceVariable is the job variable that asks for q's own value:
// KUBERNETES_ and the key in capitals (KUBERNETES_HELPER_CPU_LIMIT).
func resourceVariable(q config.Quantity) string {
	return "KUBERNETES_" + strings.ToUpper(q.Key)
}

// containerResources are config.toml's requests and limits with the job's
// own values where their maximum allows them. A job's value over the
// maximum fails the job, naming both; a request over its limit would be
// refused by the API server, so it is refused here first.
func containerResources(cfg *config.KubernetesConfig, vars common.JobVariables, notes *overwriteNotes) (podResources, error) {
	var r podResources
	kinds := map[string]*corev1.ResourceRequirements{
		config.ContainerBuild: &r.build, config.ContainerHelper: &r.helper, config.ContainerService: &r.service,
	}
	for _, q := range cfg.Quantities() {
		v, err := quantityOf(q, vars, notes)
		if err != nil {
			return r, err
		}
		if v == nil {
			continue
		}
		list := &kinds[q.Container].Requests
		if q.Limit {
			list = &kinds[q.Container].Limits
		}
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[corev1.ResourceName(q.Resource)] = *v
	}
	return r, requestsWithinLimits(r)
}

// quantityOf is q's value, the job's where allowed; nil when neither is
// set.
func quantityOf(q config.Quantity, vars common.JobVariables, notes *overwriteNotes) (*resource.Quantity, error) {
	value, err := ownQuantity(q, vars, notes)
	if err != nil || value == "" {
		return nil, err
	}
	v, err := resource.ParseQuantity(value)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("%s %q is not a Kubernetes quantity (for example 500m, 2, 512Mi): %v", q.Key, value, err)}
	}
	return &v, nil
}

// ownQuantity is the job's value for q when its variable is set and the
// maximum allows it, else config.toml's.
func ownQuantity(q config.Quantity, vars common.JobVariables, notes *overwriteNotes) (string, error) {
	variable := resourceVariable(q)
	own, ok, err := lookupOverwrite(vars, variable)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return q.Value, nil
	case q.Max == "":
		notes.add("%s is set but %s is not in config.toml: ignored", variable, q.MaxKey())
		return q.Value, nil
	}
	display := shown(vars, variable, own)
	if err := withinMax(q, variable, own, display); err != nil {
		return "", err
	}
	notes.add("%s overwritten with %s by %s", q.Key, display, variable)
	return own, nil
}

// withinMax checks a job's value against the key's maximum.
// display is how a message shows own.
func withinMax(q config.Quantity, variable, own, display string) error {
	v, err := resource.ParseQuantity(own)
	if err != nil || v.Sign() < 0 {
		return &OverwriteError{Variable: variable, Value: display, Msg: "not a Kubernetes quantity (for example 500m, 2, 512Mi)"}
	}
	max, err := resource.ParseQuantity(q.Max)
	if err != nil {
		return &ConfigError{Msg: fmt.Sprintf("%s %q is not a Kubernetes quantity: %v", q.MaxKey(), q.Max, err)}
	}
	if v.Cmp(max) > 0 {
		return &OverwriteError{Variable: variable, Value: display, Key: q.MaxKey(),
			Msg: fmt.Sprintf("over the maximum: %s is %q in config.toml", q.MaxKey(), q.Max)}
	}
	return nil
}

// requestsWithinLimits refuses a request over the limit of the same
// resource in the same kind of container.
func requestsWithinLimits(r podResources) error {
	for _, c := range []struct {
		kind string
		res  corev1.ResourceRequirements
	}{{config.ContainerBuild, r.build}, {config.ContainerHelper, r.helper}, {config.ContainerService, r.service}} {
		for name, req := range c.res.Requests {
			if lim, ok := c.res.Limits[name]; ok && req.Cmp(lim) > 0 {
				return &ConfigError{Msg: fmt.Sprintf("the %s container's %s request %s is over its limit %s; a pod asking for that is refused", c.kind, name, req.String(), lim.String())}
			}
		}
	}
	return nil
}
