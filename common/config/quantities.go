package config

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
)

// KubernetesQuantities are the ephemeral-storage requests and limits and
// the *_overwrite_max_allowed keys. With a maximum set, a job may ask for
// its own value with the variable of the key's name (KUBERNETES_ plus the
// key in capitals: cpu_request is KUBERNETES_CPU_REQUEST) up to that
// maximum; without one, the variable is ignored. GitLab Runner's keys and
// meaning.
type KubernetesQuantities struct {
	EphemeralStorageRequest        string `toml:"ephemeral_storage_request"`
	EphemeralStorageLimit          string `toml:"ephemeral_storage_limit"`
	HelperEphemeralStorageRequest  string `toml:"helper_ephemeral_storage_request"`
	HelperEphemeralStorageLimit    string `toml:"helper_ephemeral_storage_limit"`
	ServiceEphemeralStorageRequest string `toml:"service_ephemeral_storage_request"`
	ServiceEphemeralStorageLimit   string `toml:"service_ephemeral_storage_limit"`

	CPURequestOverwriteMaxAllowed              string `toml:"cpu_request_overwrite_max_allowed"`
	CPULimitOverwriteMaxAllowed                string `toml:"cpu_limit_overwrite_max_allowed"`
	MemoryRequestOverwriteMaxAllowed           string `toml:"memory_request_overwrite_max_allowed"`
	MemoryLimitOverwriteMaxAllowed             string `toml:"memory_limit_overwrite_max_allowed"`
	EphemeralStorageRequestOverwriteMaxAllowed string `toml:"ephemeral_storage_request_overwrite_max_allowed"`
	EphemeralStorageLimitOverwriteMaxAllowed   string `toml:"ephemeral_storage_limit_overwrite_max_allowed"`

	HelperCPURequestOverwriteMaxAllowed              string `toml:"helper_cpu_request_overwrite_max_allowed"`
	HelperCPULimitOverwriteMaxAllowed                string `toml:"helper_cpu_limit_overwrite_max_allowed"`
	HelperMemoryRequestOverwriteMaxAllowed           string `toml:"helper_memory_request_overwrite_max_allowed"`
	HelperMemoryLimitOverwriteMaxAllowed             string `toml:"helper_memory_limit_overwrite_max_allowed"`
	HelperEphemeralStorageRequestOverwriteMaxAllowed string `toml:"helper_ephemeral_storage_request_overwrite_max_allowed"`
	HelperEphemeralStorageLimitOverwriteMaxAllowed   string `toml:"helper_ephemeral_storage_limit_overwrite_max_allowed"`

	ServiceCPURequestOverwriteMaxAllowed              string `toml:"service_cpu_request_overwrite_max_allowed"`
	ServiceCPULimitOverwriteMaxAllowed                string `toml:"service_cpu_limit_overwrite_max_allowed"`
	ServiceMemoryRequestOverwriteMaxAllowed           string `toml:"service_memory_request_overwrite_max_allowed"`
	ServiceMemoryLimitOverwriteMaxAllowed             string `toml:"service_memory_limit_overwrite_max_allowed"`
	ServiceEphemeralStorageRequestOverwriteMaxAllowed string `toml:"service_ephemeral_storage_request_overwrite_max_allowed"`
	ServiceEphemeralStorageLimitOverwriteMaxAllowed   string `toml:"service_ephemeral_storage_limit_overwrite_max_allowed"`
}

// Kinds of container a quantity applies to.
const (
	ContainerBuild   = "build"
	ContainerHelper  = "helper"
	ContainerService = "service"
)

// Resources a quantity is of, as the pod API names them.
const (
	ResourceCPU              = "cpu"
	ResourceMemory           = "memory"
	ResourceEphemeralStorage = "ephemeral-storage"
)

// Quantity is one request or limit of config.toml: the one table of which
// key sets what, for the validator and the executor alike.
type Quantity struct {
	Container string // ContainerBuild, ContainerHelper or ContainerService
	Resource  string // ResourceCPU, ResourceMemory or ResourceEphemeralStorage
	Limit     bool   // a limit, else a request
	Key       string // "helper_cpu_request"
	Value     string // the configured value; "" when unset
	// Max is Key's _overwrite_max_allowed; "" turns the job's variable off.
	Max string
}

// MaxKey is the name of the key that bounds the job's own value.
func (q Quantity) MaxKey() string { return q.Key + "_overwrite_max_allowed" }

// Quantities lists every request and limit, build, helper then service.
func (k *KubernetesConfig) Quantities() []Quantity {
	q := &k.KubernetesQuantities
	row := func(container, res string, limit bool, key, value, max string) Quantity {
		return Quantity{Container: container, Resource: res, Limit: limit, Key: key, Value: value, Max: max}
	}
	return []Quantity{
		row(ContainerBuild, ResourceCPU, false, "cpu_request", k.CPURequest, q.CPURequestOverwriteMaxAllowed),
		row(ContainerBuild, ResourceCPU, true, "cpu_limit", k.CPULimit, q.CPULimitOverwriteMaxAllowed),
		row(ContainerBuild, ResourceMemory, false, "memory_request", k.MemoryRequest, q.MemoryRequestOverwriteMaxAllowed),
		row(ContainerBuild, ResourceMemory, true, "memory_limit", k.MemoryLimit, q.MemoryLimitOverwriteMaxAllowed),
		row(ContainerBuild, ResourceEphemeralStorage, false, "ephemeral_storage_request", q.EphemeralStorageRequest, q.EphemeralStorageRequestOverwriteMaxAllowed),
		row(ContainerBuild, ResourceEphemeralStorage, true, "ephemeral_storage_limit", q.EphemeralStorageLimit, q.EphemeralStorageLimitOverwriteMaxAllowed),
		row(ContainerHelper, ResourceCPU, false, "helper_cpu_request", k.HelperCPURequest, q.HelperCPURequestOverwriteMaxAllowed),
		row(ContainerHelper, ResourceCPU, true, "helper_cpu_limit", k.HelperCPULimit, q.HelperCPULimitOverwriteMaxAllowed),
		row(ContainerHelper, ResourceMemory, false, "helper_memory_request", k.HelperMemoryRequest, q.HelperMemoryRequestOverwriteMaxAllowed),
		row(ContainerHelper, ResourceMemory, true, "helper_memory_limit", k.HelperMemoryLimit, q.HelperMemoryLimitOverwriteMaxAllowed),
		row(ContainerHelper, ResourceEphemeralStorage, false, "helper_ephemeral_storage_request", q.HelperEphemeralStorageRequest, q.HelperEphemeralStorageRequestOverwriteMaxAllowed),
		row(ContainerHelper, ResourceEphemeralStorage, true, "helper_ephemeral_storage_limit", q.HelperEphemeralStorageLimit, q.HelperEphemeralStorageLimitOverwriteMaxAllowed),
		row(ContainerService, ResourceCPU, false, "service_cpu_request", k.ServiceCPURequest, q.ServiceCPURequestOverwriteMaxAllowed),
		row(ContainerService, ResourceCPU, true, "service_cpu_limit", k.ServiceCPULimit, q.ServiceCPULimitOverwriteMaxAllowed),
		row(ContainerService, ResourceMemory, false, "service_memory_request", k.ServiceMemoryRequest, q.ServiceMemoryRequestOverwriteMaxAllowed),
		row(ContainerService, ResourceMemory, true, "service_memory_limit", k.ServiceMemoryLimit, q.ServiceMemoryLimitOverwriteMaxAllowed),
		row(ContainerService, ResourceEphemeralStorage, false, "service_ephemeral_storage_request", q.ServiceEphemeralStorageRequest, q.ServiceEphemeralStorageRequestOverwriteMaxAllowed),
		row(ContainerService, ResourceEphemeralStorage, true, "service_ephemeral_storage_limit", q.ServiceEphemeralStorageLimit, q.ServiceEphemeralStorageLimitOverwriteMaxAllowed),
	}
}

// quantities checks every value and maximum, and that a configured value
// is not over its own maximum, which would make the maximum a lie.
func (d *decoder) quantities(p keyPath, k *KubernetesConfig) {
	for _, q := range k.Quantities() {
		if q.Value != "" {
			d.quantity(p.child(q.Key), q.Value)
		}
		if q.Max == "" {
			continue
		}
		d.quantity(p.child(q.MaxKey()), q.Max)
		v, verr := resource.ParseQuantity(q.Value)
		m, merr := resource.ParseQuantity(q.Max)
		if q.Value != "" && verr == nil && merr == nil && v.Cmp(m) > 0 {
			d.fail(p.child(q.MaxKey()), &Error{Value: q.Max, Msg: fmt.Sprintf("%s %q is over %s %q", q.Key, q.Value, q.MaxKey(), q.Max),
				Allowed: fmt.Sprintf("a maximum at least %s", q.Key)})
		}
	}
}
