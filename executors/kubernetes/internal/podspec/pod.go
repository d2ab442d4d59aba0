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
			Annotations:  objectAnnotations(spec),
		},
		Spec: corev1.PodSpec{
			RestartPolicy:                corev1.RestartPolicyNever,
			ServiceAccountName:           spec.ServiceAccount,
			AutomountServiceAccountToken: ptr.To(spec.AutomountToken),
			SecurityContext:              spec.PodSecurity,
			NodeSelector:                 spec.NodeSelector,
			Tolerations:                  spec.Tolerations,
			EnableServiceLinks:           ptr.To(false),
			HostAliases:                  hostAliases(spec.Containers),
			ImagePullSecrets:             secrets.Pull,
			Volumes: []corev1.Volume{{
				Name:         buildsVolume,
				VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
			}},
		},
	}
	for _, c := range spec.Containers {
		pod.Spec.Containers = append(pod.Spec.Containers, podContainer(c, secrets.Variables, policyFor(c.Image)))
	}
	return pod
}

func podContainer(c ContainerSpec, secret string, policy common.PullPolicy) corev1.Container {
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
	if c.MountBuild {
		out.VolumeMounts = []corev1.VolumeMount{{Name: buildsVolume, MountPath: BuildsDir}}
	}
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
// is localhost.
func hostAliases(cs []ContainerSpec) []corev1.HostAlias {
	var names []string
	for _, c := range cs {
		names = append(names, c.Aliases...)
	}
	if len(names) == 0 {
		return nil
	}
	return []corev1.HostAlias{{IP: "127.0.0.1", Hostnames: names}}
}

func podLabels(spec *JobSpec, attempt int) map[string]string {
	return map[string]string{
		ManagedByLabel: ManagedByValue,
		JobLabel:       spec.Key,
		JobIDLabel:     strconv.FormatInt(spec.JobID, 10),
		RunnerLabel:    labelValue(spec.Runner),
		AttemptLabel:   strconv.Itoa(attempt),
	}
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
