package kubernetes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/registryauth"
)

// pullAuth is what a job's pods pull with, worked out once by Prepare: the
// credential of each image (registryauth), image_pull_secrets and
// use_service_account_image_pull_secrets, and the data of the job's own
// kubernetes.io/dockerconfigjson Secret. The data is held here and in that
// Secret only: no log line, error or metric is made from it.
type pullAuth struct {
	res        registryauth.Resolution
	configured []string
	useSA      bool
	data       []byte // nil when the job needs no Secret of its own
	// log are the build log's lines about credentials; warnings among them
	// are also in res.Warnings.
	log []string
}

// newPullAuth reads the job's credential sources for the images of spec:
// the job's DOCKER_AUTH_CONFIG, the runner's, and the payload's
// credentials. vars are the job's variables as expanded (podspec.Variables),
// which a DOCKER_AUTH_CONFIG may refer to, as on GitLab Runner. A source
// that cannot be read is the job's configuration error, whose message
// names the source and never a secret.
func newPullAuth(job *common.Job, runner *config.RunnerConfig, cfg *config.KubernetesConfig, spec *podspec.JobSpec, vars common.JobVariables) (*pullAuth, error) {
	in := registryauth.Inputs{
		JobAuthConfig:    jobAuthConfig(job.Variables, vars),
		RunnerAuthConfig: runnerAuthConfig(runner.Environment, vars),
		Payload:          job.Credentials,
	}
	res, err := resolve(in, specImages(spec))
	if err != nil {
		return nil, err
	}
	a := &pullAuth{res: res, configured: cfg.ImagePullSecrets, useSA: cfg.UseServiceAccountImagePullSecrets}
	// The name only decides whether the job gets a Secret; the real one
	// comes from the API server (pullSecrets).
	plan := registryauth.PlanPullSecrets(res, a.configured, a.useSA, "job")
	a.log = plan.Log
	if plan.JobSecret {
		if a.data, err = registryauth.DockerConfigJSON(res.Credentials); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// resolve is registryauth.Resolve for a job with a source of credentials.
// A job without one has nothing to match, and its images are left to the
// kubelet, which reports a name it cannot parse as InvalidImageName, a
// configuration error as before; with a source, such a name is Resolve's
// ImageError, a configuration error too.
func resolve(in registryauth.Inputs, images []string) (registryauth.Resolution, error) {
	if strings.TrimSpace(in.JobAuthConfig) == "" && strings.TrimSpace(in.RunnerAuthConfig) == "" && len(in.Payload) == 0 {
		return registryauth.Resolution{}, nil
	}
	return registryauth.Resolve(in, images)
}

// jobAuthConfig is the job's DOCKER_AUTH_CONFIG: its last definition, as
// for every variable, expanded with vars unless it is raw; "" without one.
// The job's own is read apart from the runner's: each is a source of its
// own (registryauth.Source).
func jobAuthConfig(jobVars, vars common.JobVariables) string {
	value := ""
	for _, v := range jobVars {
		switch {
		case v.Key != common.DockerAuthConfigVariable:
		case v.Raw:
			value = v.Value
		default:
			value = podspec.ExpandValue(v.Value, vars)
		}
	}
	return value
}

// runnerAuthConfig is DOCKER_AUTH_CONFIG from [[runners]] environment, the
// last entry for it, expanded with vars like every entry; "" without one.
func runnerAuthConfig(env []string, vars common.JobVariables) string {
	value := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == common.DockerAuthConfigVariable {
			value = podspec.ExpandValue(v, vars)
		}
	}
	return value
}

// specImages are the images of every container: the build image, the
// helper and the services, each once.
func specImages(spec *podspec.JobSpec) []string {
	var images []string
	for _, c := range spec.Containers {
		if !slices.Contains(images, c.Image) {
			images = append(images, c.Image)
		}
	}
	return images
}

// logLines writes the credential lines into the build log: which registry,
// from which source, and what is ignored, never a secret.
func (a *pullAuth) logLines(log executors.BuildLog) {
	for _, line := range a.log {
		if slices.Contains(a.res.Warnings, line) {
			log.Warningln(line)
		} else {
			log.Println(line)
		}
	}
}

// pullSecrets creates the job's registry Secret when the job has
// credentials, and returns the pod's imagePullSecrets, the same for every
// attempt. made is called once a create may have made the Secret, so that
// cleanup asks for it.
func (a *pullAuth) pullSecrets(ctx context.Context, api kubeapi.Client, spec *podspec.JobSpec, made func(), log executors.BuildLog) ([]corev1.LocalObjectReference, error) {
	name := ""
	if a.data != nil {
		s, err := api.CoreV1().Secrets(spec.Namespace).Create(ctx, podspec.BuildRegistrySecret(spec, a.data), metav1.CreateOptions{})
		if mayExist(err) {
			made()
		}
		if err != nil {
			return nil, systemFailure(fmt.Errorf("create the job's registry secret: %w", kubeapi.Forbidden(err, "create", "secrets", spec.Namespace)))
		}
		name = s.Name
		log.Println(fmt.Sprintf("Registry credentials of the job are in Secret %s/%s, deleted with the job", s.Namespace, s.Name))
	}
	return registryauth.PlanPullSecrets(a.res, a.configured, a.useSA, name).PullSecrets, nil
}

// sentFor says, for a pull failure's message, what went with image's pull:
// the job's credential and its source, or that none did; and the other
// pull secrets the pod named, whose content kuberunner does not read.
func (a *pullAuth) sentFor(image string) string {
	if a.useSA {
		return "the pod named no pull secrets: use_service_account_image_pull_secrets = true, so the service account's apply"
	}
	sent := a.res.SentFor(image)
	if len(a.configured) > 0 {
		sent += "; the pod also named image_pull_secrets " + strings.Join(a.configured, ", ")
	}
	return sent
}
