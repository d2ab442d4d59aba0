package podspec

import (
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common"
)

// PodSecrets are the Secrets a job pod refers to. They exist only once the
// job has created its own, which the API server names, so they come to
// BuildPod as an argument; the same value goes to every attempt, so that a
// fallback pod pulls with the credentials of the first.
type PodSecrets struct {
	// Variables names the job's variables Secret; "" for none.
	Variables string
	// Pull is the pod's imagePullSecrets, for every container: the
	// configured ones, then the job's own (registryauth.Plan.PullSecrets).
	Pull []corev1.LocalObjectReference
}

// BuildPod is the job pod for one attempt. It is pure: the pull policy of
// each image comes in as policyFor, so the fallback loop changes exactly one
// argument between attempts and tests compare the result with testdata/.
func BuildPod(spec *JobSpec, secrets PodSecrets, attempt int, policyFor func(image string) common.PullPolicy) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			// The API server appends a random suffix, so attempt 2 never
			// collides with an attempt 1 that is still terminating.
			GenerateName: NamePrefix(spec),
			Namespace:    spec.Namespace,
			Labels:       podLabels(spec, attempt),
			Annotations:  podAnnotations(spec),
		},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			ServiceAccountName:            spec.ServiceAccount,
			AutomountServiceAccountToken:  ptr.To(spec.AutomountToken),
			SecurityContext:               spec.PodSecurity,
			NodeSelector:                  spec.NodeSelector,
			Tolerations:                   spec.Tolerations,
			EnableServiceLinks:            ptr.To(false),
			HostAliases:                   hostAliases(spec.Containers, spec.HostAliases),
			Affinity:                      spec.Affinity.DeepCopy(),
			DNSPolicy:                     spec.DNSPolicy,
			DNSConfig:                     spec.DNSConfig,
			PriorityClassName:             spec.PriorityClassName,
			SchedulerName:                 spec.SchedulerName,
			RuntimeClassName:              spec.RuntimeClassName,
			TerminationGracePeriodSeconds: spec.TerminationGracePeriod,
			ImagePullSecrets:              secrets.Pull,
			Volumes:                       podVolumes(spec),
		},
	}
	ownBuilds := !mountsBuilds(spec.Mounts)
	for _, c := range spec.Containers {
		pod.Spec.Containers = append(pod.Spec.Containers, podContainer(c, secrets.Variables, policyFor(c.Image), spec.Mounts, ownBuilds))
	}
	return pod
}

// podVolumes are the executor's /builds emptyDir, unless a configured
// volume is mounted there instead, then config.toml's volumes.
func podVolumes(spec *JobSpec) []corev1.Volume {
	var out []corev1.Volume
	if !mountsBuilds(spec.Mounts) {
		out = append(out, corev1.Volume{Name: buildsVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	return append(out, spec.Volumes...)
}

// podContainer is one container for one attempt. mounts (config.toml's
// volumes) go into every container; the /builds emptyDir into the build
// and helper containers when ownBuilds.
func podContainer(c ContainerSpec, secret string, policy common.PullPolicy, mounts []corev1.VolumeMount, ownBuilds bool) corev1.Container {
	out := corev1.Container{
		Name:            c.Name,
		Image:           c.Image,
		ImagePullPolicy: kubePullPolicy(policy),
		Command:         c.Command,
		Args:            c.Args,
		Stdin:           c.Stdin,
		Resources:       c.Resources,
	}
	out.SecurityContext = c.Security
	out.Env = c.Env
	if c.EnvFrom && secret != "" {
		out.EnvFrom = []corev1.EnvFromSource{{
			SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}},
		}}
	}
	if c.MountBuild && ownBuilds {
		out.VolumeMounts = []corev1.VolumeMount{{Name: buildsVolume, MountPath: BuildsDir}}
	}
	out.VolumeMounts = append(out.VolumeMounts, mounts...)
	return out
}

// kubePullPolicy maps config.toml's names to the API's. The default stays
// empty so the API server applies the cluster's own default.
func kubePullPolicy(p common.PullPolicy) corev1.PullPolicy {
	switch p {
	case common.PullPolicyAlways:
		return corev1.PullAlways
	case common.PullPolicyIfNotPresent:
		return corev1.PullIfNotPresent
	case common.PullPolicyNever:
		return corev1.PullNever
	}
	return ""
}

// hostAliases makes each service reachable by its aliases, as on GitLab
// Runner: containers of a pod share one network namespace, so every alias
// is localhost. config.toml's host_aliases follow.
func hostAliases(cs []ContainerSpec, configured []corev1.HostAlias) []corev1.HostAlias {
	var names []string
	for _, c := range cs {
		names = append(names, c.Aliases...)
	}
	var out []corev1.HostAlias
	if len(names) > 0 {
		out = append(out, corev1.HostAlias{IP: "127.0.0.1", Hostnames: names})
	}
	return append(out, configured...)
}

// podLabels are pod_labels with the job's own labels over them; the
// loader and podMetadata keep kuberunner's keys out of pod_labels, so
// nothing of config.toml or the job can change these.
func podLabels(spec *JobSpec, attempt int) map[string]string {
	out := make(map[string]string, len(spec.Labels)+5)
	for k, v := range spec.Labels {
		out[k] = v
	}
	out[ManagedByLabel] = ManagedByValue
	out[JobLabel] = spec.Key
	out[JobIDLabel] = strconv.FormatInt(spec.JobID, 10)
	out[RunnerLabel] = labelValue(spec.Runner)
	out[AttemptLabel] = strconv.Itoa(attempt)
	return out
}

// podAnnotations are pod_annotations and the expiry (objectAnnotations).
func podAnnotations(spec *JobSpec) map[string]string {
	own := objectAnnotations(spec)
	if len(spec.Annotations) == 0 {
		return own
	}
	out := make(map[string]string, len(spec.Annotations)+len(own))
	for k, v := range spec.Annotations {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// objectAnnotations mark the job's pods and secret with their expiry.
func objectAnnotations(spec *JobSpec) map[string]string {
	if spec.Expires.IsZero() {
		return nil
	}
	return map[string]string{ExpiresAnnotation: spec.Expires.UTC().Format(time.RFC3339)}
}

func NamePrefix(spec *JobSpec) string {
	return fmt.Sprintf("runner-%s-job-%d-", dnsLabel(spec.Runner, 20), spec.JobID)
}
