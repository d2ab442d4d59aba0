package kubernetes

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"kuberunner/common"
	"kuberunner/common/config"
)

// DefaultHelperImage is the helper image when config.toml names none. The
// release build sets it with -ldflags to the image published with the
// binary; the local cluster pushes one under this name.
var DefaultHelperImage = "127.0.0.1:5000/kuberunner-helper:latest"

// ConfigError is a job or runner setting that cannot work. The job fails
// with it before any pod is created.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// newJobSpec resolves images, pull-policy lists, containers and resources
// once per job. It is pure: everything it needs comes in as arguments.
func newJobSpec(job *common.Job, runner *config.RunnerConfig, cfg *config.KubernetesConfig, key string, vars common.JobVariables) (*jobSpec, error) {
	spec := &jobSpec{
		Key:            key,
		JobID:          job.ID,
		Runner:         runner.Name,
		Namespace:      cfg.Namespace,
		ServiceAccount: cfg.ServiceAccount,
		NodeSelector:   cfg.NodeSelector,
		Policies:       map[string]common.PullPolicies{},
	}
	if spec.Namespace == "" {
		spec.Namespace = "default"
	}
	buildImage := expand(firstNonEmpty(job.Image.Name, cfg.Image), vars)
	if buildImage == "" {
		return nil, &ConfigError{Msg: "no image: the job names none and [runners.kubernetes] image is not set"}
	}
	buildPolicies, err := cfg.ImagePullPolicies(buildImage, job.Image.PullPolicies)
	if err != nil {
		return nil, err
	}
	helperImage := firstNonEmpty(cfg.HelperImage, DefaultHelperImage)

	res, err := resources(cfg.CPURequest, cfg.CPULimit, cfg.MemoryRequest, cfg.MemoryLimit)
	if err != nil {
		return nil, err
	}
	helperRes, err := resources(cfg.HelperCPURequest, cfg.HelperCPULimit, cfg.HelperMemoryRequest, cfg.HelperMemoryLimit)
	if err != nil {
		return nil, err
	}
	svcRes, err := resources(cfg.ServiceCPURequest, cfg.ServiceCPULimit, cfg.ServiceMemoryRequest, cfg.ServiceMemoryLimit)
	if err != nil {
		return nil, err
	}

	build := containerSpec{
		Name: buildContainer, Image: buildImage, Command: []string{"sh"}, Stdin: true,
		Resources: res, Privileged: cfg.Privileged, EnvFrom: true, MountBuild: true,
	}
	if ep := job.Image.Entrypoint; len(ep) > 0 && !(len(ep) == 1 && ep[0] == "") {
		build.Command = ep
	}
	helper := containerSpec{
		Name: helperContainer, Image: helperImage, Command: []string{helperBinary, "helper", "wait"},
		Resources: helperRes, MountBuild: true,
	}
	spec.Containers = []containerSpec{build, helper}
	spec.Policies[buildImage] = buildPolicies
	// The helper follows the job image's list, as on GitLab Runner, but
	// keeps its own state: it is a different image with its own outage.
	addPolicies(spec.Policies, helperImage, buildPolicies)

	services := runnerServices(cfg.Services)
	fromRunner := len(services)
	services = append(services, job.Services...)
	for i, s := range services {
		img := expand(s.Name, vars)
		if img == "" {
			return nil, &ConfigError{Msg: fmt.Sprintf("service %d has no image name", i)}
		}
		var list common.PullPolicies
		if i < fromRunner {
			// A runner service's own pull_policy stands in for the
			// runner's, still bounded by allowed_pull_policies; config
			// check computes it with the same function.
			list, err = cfg.ServicePullPolicies(i, nil)
		} else {
			list, err = common.EffectivePullPolicies(img, s.PullPolicies, cfg.PullPolicy, cfg.AllowedPullPolicies)
		}
		if err != nil {
			return nil, err
		}
		aliases := serviceAliases(img, s.Alias)
		for _, a := range aliases {
			if errs := validation.IsDNS1123Subdomain(a); len(errs) > 0 {
				return nil, &ConfigError{Msg: fmt.Sprintf("service %q: alias %q is not a valid host name: %s", img, a, errs[0])}
			}
		}
		c := containerSpec{
			Name: fmt.Sprintf("svc-%d", i), Image: img, Command: s.Entrypoint, Args: s.Command,
			Aliases: aliases, Resources: svcRes, Privileged: cfg.Privileged, EnvFrom: true,
		}
		spec.Containers = append(spec.Containers, c)
		addPolicies(spec.Policies, img, list)
	}
	return spec, nil
}

// addPolicies keeps the first list given for an image: the pull state is
// per image, so two containers of one image must share one list.
func addPolicies(m map[string]common.PullPolicies, image string, list common.PullPolicies) {
	if _, ok := m[image]; !ok {
		m[image] = list
	}
}

// runnerServices turns config.toml's services into the job model's, their
// own pull_policy standing where a job's would.
func runnerServices(svcs []config.KubernetesService) []common.Image {
	out := make([]common.Image, 0, len(svcs))
	for _, s := range svcs {
		out = append(out, common.Image{Name: s.Name, Alias: s.Alias, Entrypoint: s.Entrypoint, Command: s.Command, PullPolicies: s.PullPolicy})
	}
	return out
}

func resources(cpuReq, cpuLim, memReq, memLim string) (corev1.ResourceRequirements, error) {
	var r corev1.ResourceRequirements
	for _, q := range []struct {
		key, val string
		list     *corev1.ResourceList
		name     corev1.ResourceName
	}{
		{"cpu_request", cpuReq, &r.Requests, corev1.ResourceCPU},
		{"cpu_limit", cpuLim, &r.Limits, corev1.ResourceCPU},
		{"memory_request", memReq, &r.Requests, corev1.ResourceMemory},
		{"memory_limit", memLim, &r.Limits, corev1.ResourceMemory},
	} {
		if q.val == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.val)
		if err != nil {
			return r, &ConfigError{Msg: fmt.Sprintf("%s %q is not a Kubernetes quantity (for example 500m, 2, 512Mi): %v", q.key, q.val, err)}
		}
		if *q.list == nil {
			*q.list = corev1.ResourceList{}
		}
		(*q.list)[q.name] = v
	}
	return r, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// projectDir is $CI_PROJECT_DIR: under /builds, named after the project.
func projectDir(job *common.Job, sourceDir string) string {
	name := job.JobInfo.ProjectName
	if name == "" && sourceDir != "" {
		name = path.Base(sourceDir)
	}
	if name == "" || name == "." || name == "/" {
		name = "project"
	}
	return path.Join(buildsDir, dnsLabel(name, 63))
}
