package podspec

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
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

// NewJobSpec resolves images, pull-policy lists, containers and resources
// once per job. It is pure: everything it needs comes in as arguments, and
// each part has a builder of its own below.
func NewJobSpec(job *common.Job, runner *config.RunnerConfig, cfg *config.KubernetesConfig, key string, vars common.JobVariables) (*JobSpec, error) {
	spec := &JobSpec{
		Key: key, JobID: job.ID, Runner: runner.Name,
		PodSecurity: podSecurity(cfg), Profile: cfg.Profile(),
		AutomountToken: cfg.AutomountServiceAccountToken != nil && *cfg.AutomountServiceAccountToken,
		Policies:       map[string]common.PullPolicies{},
		podSettings:    newPodSettings(cfg),
	}
	var notes overwriteNotes
	for _, step := range []func() error{
		func() error { return placementNames(spec, cfg, vars, &notes) },
		func() error { return podMetadata(spec, cfg, vars, &notes) },
		func() (err error) { spec.Tolerations, err = tolerations(cfg); return err },
		func() (err error) { spec.Volumes, spec.Mounts, err = volumes(cfg.Volumes, vars); return err },
		func() error { return spec.addContainers(job, cfg, vars, &notes) },
		func() error { return imagesAllowed(spec, cfg, vars) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	spec.Notes = notes
	return spec, nil
}

// addContainers adds the build and helper containers, then the services,
// each with its pull-policy list.
func (s *JobSpec) addContainers(job *common.Job, cfg *config.KubernetesConfig, vars common.JobVariables, notes *overwriteNotes) error {
	res, err := containerResources(cfg, vars, notes)
	if err != nil {
		return err
	}
	build, buildPolicies, err := buildContainerSpec(job, cfg, vars, res.build)
	if err != nil {
		return err
	}
	helper := helperContainerSpec(cfg, res.helper)
	s.Containers = []ContainerSpec{build, helper}
	s.addPolicies(build.Image, buildPolicies)
	// The helper follows the job image's list, as on GitLab Runner, but
	// keeps its own state: it is a different image with its own outage.
	s.addPolicies(helper.Image, buildPolicies)

	services, err := serviceSpecs(job, cfg, vars, res.service)
	if err != nil {
		return err
	}
	for _, svc := range services {
		s.Containers = append(s.Containers, svc.ContainerSpec)
		s.addPolicies(svc.Image, svc.policies)
	}
	return nil
}

// addPolicies keeps the first list given for an image: the pull state is
// per image, so two containers of one image must share one list.
func (s *JobSpec) addPolicies(image string, list common.PullPolicies) {
	if _, ok := s.Policies[image]; !ok {
		s.Policies[image] = list
	}
}

// buildContainerSpec is the job image's container and its pull-policy list.
func buildContainerSpec(job *common.Job, cfg *config.KubernetesConfig, vars common.JobVariables, res corev1.ResourceRequirements) (ContainerSpec, common.PullPolicies, error) {
	image := ExpandValue(firstNonEmpty(job.Image.Name, cfg.Image), vars)
	if image == "" {
		return ContainerSpec{}, nil, &ConfigError{Msg: "no image: the job names none and [runners.kubernetes] image is not set"}
	}
	policies, err := cfg.ImagePullPolicies(image, job.Image.PullPolicies)
	if err != nil {
		return ContainerSpec{}, nil, err
	}
	security, err := userSecurity("image", job.Image, cfg, buildKind, vars)
	if err != nil {
		return ContainerSpec{}, nil, err
	}
	c := ContainerSpec{
		Name: BuildContainer, Image: image, Command: []string{"sh"}, Stdin: true,
		Resources: res, Security: security, EnvFrom: true, MountBuild: true,
	}
	if ep := job.Image.Entrypoint; len(ep) > 0 && !(len(ep) == 1 && ep[0] == "") {
		c.Command = ep
	}
	return c, policies, nil
}

func helperContainerSpec(cfg *config.KubernetesConfig, res corev1.ResourceRequirements) ContainerSpec {
	return ContainerSpec{
		Name: HelperContainer, Image: firstNonEmpty(cfg.HelperImage, DefaultHelperImage),
		Command: []string{HelperBinary, "helper", "wait"}, Resources: res, MountBuild: true,
		Security: containerSecurity(cfg, helperKind),
	}
}

// serviceSpec is one service container with its pull-policy list.
type serviceSpec struct {
	ContainerSpec
	policies common.PullPolicies
}

// serviceSpecs are the runner's configured services, then the job's, as
// svc-0, svc-1, ...
func serviceSpecs(job *common.Job, cfg *config.KubernetesConfig, vars common.JobVariables, res corev1.ResourceRequirements) ([]serviceSpec, error) {
	all := append(runnerServices(cfg.Services), job.Services...)
	out := make([]serviceSpec, 0, len(all))
	for i, s := range all {
		img := ExpandValue(s.Name, vars)
		if img == "" {
			return nil, &ConfigError{Msg: fmt.Sprintf("service %d has no image name", i)}
		}
		list, err := servicePolicies(cfg, i, img, s.PullPolicies)
		if err != nil {
			return nil, err
		}
		c, err := serviceContainer(fmt.Sprintf("svc-%d", i), img, s, cfg, vars)
		if err != nil {
			return nil, err
		}
		c.Resources = res
		out = append(out, serviceSpec{ContainerSpec: c, policies: list})
	}
	return out, nil
}

// servicePolicies is the pull-policy list of the i-th service: a runner
// service's own pull_policy stands in for the runner's, still bounded by
// allowed_pull_policies (the loader computed it once); a job's service
// follows the job's rules.
func servicePolicies(cfg *config.KubernetesConfig, i int, img string, own common.PullPolicies) (common.PullPolicies, error) {
	if i < len(cfg.Services) {
		return cfg.ServicePullPolicies(i, nil)
	}
	return cfg.ImagePullPolicies(img, own)
}

// serviceContainer is one service's container: its host names, its own
// environment (never the job's secret, see serviceEnv) and its user.
func serviceContainer(name, img string, s common.Image, cfg *config.KubernetesConfig, vars common.JobVariables) (ContainerSpec, error) {
	what := fmt.Sprintf("service %q", img)
	aliases := serviceAliases(img, s.Alias)
	for _, a := range aliases {
		if errs := validation.IsDNS1123Subdomain(a); len(errs) > 0 {
			return ContainerSpec{}, &ConfigError{Msg: fmt.Sprintf("%s: alias %q is not a valid host name: %s", what, a, errs[0])}
		}
	}
	env, err := serviceEnv(img, vars, s.Variables)
	if err != nil {
		return ContainerSpec{}, err
	}
	security, err := userSecurity(what, s, cfg, serviceKind, vars)
	if err != nil {
		return ContainerSpec{}, err
	}
	return ContainerSpec{
		Name: name, Image: img, Command: s.Entrypoint, Args: s.Command,
		Aliases: aliases, Security: security, Env: env,
	}, nil
}

// userSecurity is a container's security context with the user its
// image's executor_opts asks for.
func userSecurity(what string, img common.Image, cfg *config.KubernetesConfig, kind containerKind, vars common.JobVariables) (*corev1.SecurityContext, error) {
	user, err := imageUser(what, img, vars)
	if err != nil {
		return nil, err
	}
	if err := usersAllowed(what, user, cfg); err != nil {
		return nil, err
	}
	sc := user.apply(containerSecurity(cfg, kind))
	return sc, rootRefused(what, user, podSecurity(cfg), sc)
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

// tolerations are node_tolerations in the API's terms.
func tolerations(cfg *config.KubernetesConfig) ([]corev1.Toleration, error) {
	ts, err := cfg.Tolerations()
	if err != nil {
		return nil, &ConfigError{Msg: err.Error()}
	}
	var out []corev1.Toleration
	for _, t := range ts {
		out = append(out, corev1.Toleration{Key: t.Key, Operator: corev1.TolerationOperator(t.Operator), Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
