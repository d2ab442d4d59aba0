// Package registryauth works out the registry credentials of a job's pod,
// as pure functions. It reads them from DOCKER_AUTH_CONFIG (a job variable,
// or the runner's environment) and from the job payload's credentials of
// type registry; keeps, for each of the job's images, the credential of the
// source that comes first in GitLab Runner's order (Source), matching
// registry keys to images the way the kubelet's credential keyring does;
// and renders the kubernetes.io/dockerconfigjson data of the job's Secret
// and the pod's imagePullSecrets, image_pull_secrets and
// use_service_account_image_pull_secrets included (PlanPullSecrets).
//
// Passwords and auth values leave it only through DockerConfigJSON:
// errors, warnings, descriptions and every String name registries and
// sources, never a secret.
//
// It does no I/O and imports only kuberunner/common, the image reference
// parser and the Kubernetes API types.
package registryauth
