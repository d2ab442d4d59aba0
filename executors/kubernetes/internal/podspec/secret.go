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
	labels := podLabels(spec, 0)
	delete(labels, AttemptLabel)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: NamePrefix(spec),
			Namespace:    spec.Namespace,
			Labels:       labels,
			Annotations:  objectAnnotations(spec),
		},
		Type: corev1.SecretTypeOpaque,
		Data: secretData(vars),
	}
}
