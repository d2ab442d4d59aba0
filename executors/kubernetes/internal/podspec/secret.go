package podspec

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
)

// BuildSecret is the job's variables as a Secret that the build container
// reads with envFrom, so that masked and other secret values never appear
// in the pod spec, where anyone who may read pods would see them. Services
// never read it: they get public values only, as plain env (serviceEnv).
// It is pure, like BuildPod; the API server names it from GenerateName.
func BuildSecret(spec *JobSpec, vars common.JobVariables) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: secretMeta(spec, NamePrefix(spec)),
		Type:       corev1.SecretTypeOpaque,
		Data:       secretData(vars),
	}
}

// BuildRegistrySecret is the job's registry credentials as the
// kubernetes.io/dockerconfigjson Secret its pods name in imagePullSecrets;
// data is registryauth.DockerConfigJSON's. It carries the job's labels and
// expiry like every object of the job, so cleanup and the sweep remove it
// with them.
func BuildRegistrySecret(spec *JobSpec, data []byte) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: secretMeta(spec, NamePrefix(spec)+"registry-"),
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: data},
	}
}

// secretMeta is what every Secret of the job carries: the pod's labels but
// the attempt (a Secret serves every attempt), and the expiry.
func secretMeta(spec *JobSpec, generateName string) metav1.ObjectMeta {
	labels := podLabels(spec, 0)
	delete(labels, AttemptLabel)
	return metav1.ObjectMeta{
		GenerateName: generateName,
		Namespace:    spec.Namespace,
		Labels:       labels,
		Annotations:  objectAnnotations(spec),
	}
}
