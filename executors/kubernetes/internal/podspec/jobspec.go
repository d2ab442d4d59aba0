package podspec

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
)

// Container names in the job pod. Services are svc-0, svc-1, ... in the
// order the job lists them, after the runner's own services.
const (
	BuildContainer  = "build"
	HelperContainer = "helper"
	buildsVolume    = "builds"
	BuildsDir       = "/builds"
)

// Labels every object of a job carries. JobLabel scopes the one watch and
// the cleanup; its value is unique per executor run, so two runs of the same
// job never see each other's pods.
const (
	JobLabel       = "kuberunner.io/job"
	JobIDLabel     = "kuberunner.io/job-id"
	RunnerLabel    = "kuberunner.io/runner"
	AttemptLabel   = "kuberunner.io/attempt"
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "kuberunner"
	// ExpiresAnnotation (RFC 3339) is when the object is garbage whatever
	// happened to its runner: the job's timeout has passed by then, so a
	// runner that restarts after a crash may delete it (see Expired, and the sweep in the executor).
	ExpiresAnnotation = "kuberunner.io/expires-at"
)

// HelperBinary is where the helper image keeps the kuberunner binary.
const HelperBinary = "/usr/local/bin/kuberunner"

// HelperCommand is the helper subcommand cmd run so that it reports its
// exit status in its stderr (exitmark) without sh: a helper_image needs
// sh only for the get_sources hooks.
func HelperCommand(nonce string, cmd []string) []string {
	return append([]string{HelperBinary, "helper", "report-exit", nonce}, cmd...)
}

// ContainerSpec is one container of the job pod before a pull policy is
// chosen for it.
type ContainerSpec struct {
	Name       string
	Image      string
	Command    []string
	Args       []string
	Aliases    []string // services only: host names that reach it
	Stdin      bool
	Resources  corev1.ResourceRequirements
	Security   *corev1.SecurityContext
	EnvFrom    bool            // gets the job variables from the job's secret
	Env        []corev1.EnvVar // plain values, in the pod spec: public ones only
	MountBuild bool
}

// JobSpec is everything that stays the same across the attempts of one job.
// Prepare computes it once and nothing changes it afterwards; BuildPod turns
// it into a pod for one attempt, with what only exists later (the secret's
// name, each image's current policy) passed in as arguments.
type JobSpec struct {
	Key            string // value of jobLabel
	JobID          int64
	Runner         string
	Namespace      string
	ServiceAccount string
	NodeSelector   map[string]string
	Tolerations    []corev1.Toleration
	PodSecurity    *corev1.PodSecurityContext
	// Profile is the security_profile the contexts started from.
	Profile string
	// AutomountToken mounts the service account's token; off unless
	// automount_service_account_token = true.
	AutomountToken bool
	Containers     []ContainerSpec // build, helper, then services
	// Policies is the effective pull-policy list of every image, keyed by
	// the image as written in Containers.
	Policies map[string]common.PullPolicies
	// Expires is when every object of the job may be swept; zero for a
	// job without a timeout, whose objects only its own cleanup removes.
	Expires time.Time

	// Labels and Annotations are pod_labels and pod_annotations with the
	// job's overwrites, expanded; the job's own labels and its expiry are
	// added to them and can never be among them.
	Labels, Annotations map[string]string
	// Volumes are config.toml's volumes, and Mounts their mounts in every
	// container (build, helper and services).
	Volumes []corev1.Volume
	Mounts  []corev1.VolumeMount
	podSettings
	// Notes are the build-log lines of what the job's variables changed,
	// or asked to change and were not allowed to.
	Notes []string
}

// ImageOf is the image the spec wrote for a container, the key of its pull
// state; reported (the image in the pod status) stands in only for a
// container the spec does not know.
func (s *JobSpec) ImageOf(container, reported string) string {
	for _, c := range s.Containers {
		if c.Name == container {
			return c.Image
		}
	}
	return reported
}
