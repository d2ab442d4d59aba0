package podspec

import (
	"fmt"
	"path"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"kuberunner/common"
	"kuberunner/common/config"
)

// volumes are config.toml's [runners.kubernetes.volumes] as the pod's
// volumes and the mounts every container gets (build, helper and
// services, as on GitLab Runner). A pvc's claim name is expanded with the
// job's variables (build-$CI_CONCURRENT_ID) and checked once expanded.
func volumes(v config.KubernetesVolumes, vars common.JobVariables) ([]corev1.Volume, []corev1.VolumeMount, error) {
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	add := func(m config.VolumeMount, src corev1.VolumeSource, propagation string) {
		vols = append(vols, corev1.Volume{Name: m.Name, VolumeSource: src})
		mounts = append(mounts, volumeMount(m, propagation))
	}
	for _, x := range v.HostPaths {
		add(x.VolumeMount, corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: firstNonEmpty(x.HostPath, x.MountPath)}}, x.MountPropagation)
	}
	for _, x := range v.PVCs {
		m, err := claim(x.VolumeMount, vars)
		if err != nil {
			return nil, nil, err
		}
		add(m, corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: m.Name, ReadOnly: m.ReadOnly}}, x.MountPropagation)
	}
	for _, x := range v.ConfigMaps {
		add(x.VolumeMount, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: x.Name}, Items: keyPaths(x.Items)}}, "")
	}
	for _, x := range v.Secrets {
		add(x.VolumeMount, corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: x.Name, Items: keyPaths(x.Items)}}, "")
	}
	for _, x := range v.EmptyDirs {
		add(x.VolumeMount, corev1.VolumeSource{EmptyDir: emptyDir(x)}, "")
	}
	for _, x := range v.CSIs {
		add(x.VolumeMount, corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{
			Driver: x.Driver, FSType: optional(x.FSType), ReadOnly: optionalBool(x.ReadOnly), VolumeAttributes: x.VolumeAttributes}}, "")
	}
	return vols, mounts, nil
}

func volumeMount(m config.VolumeMount, propagation string) corev1.VolumeMount {
	out := corev1.VolumeMount{Name: m.Name, MountPath: m.MountPath, SubPath: m.SubPath, ReadOnly: m.ReadOnly}
	if propagation != "" {
		p := corev1.MountPropagationMode(propagation)
		out.MountPropagation = &p
	}
	return out
}

// claim is a pvc volume with its name expanded, with the job's public
// variables (the name is in the pod spec), and checked: the volume and the
// claim share it.
func claim(m config.VolumeMount, vars common.JobVariables) (config.VolumeMount, error) {
	name := ExpandValue(m.Name, publicVariables(vars))
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 || name == config.ReservedVolumeName {
		return m, &ConfigError{Msg: fmt.Sprintf("volumes.pvc name %q is %q with the job's variables, which is not a usable claim and volume name; allowed: %s", m.Name, name, config.VolumeNameRule)}
	}
	m.Name = name
	return m, nil
}

// keyPaths are a config map's or secret's items in key order, so the pod
// does not depend on Go's map order.
func keyPaths(items map[string]string) []corev1.KeyToPath {
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []corev1.KeyToPath
	for _, k := range keys {
		out = append(out, corev1.KeyToPath{Key: k, Path: items[k]})
	}
	return out
}

func emptyDir(x config.EmptyDirVolume) *corev1.EmptyDirVolumeSource {
	out := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMedium(x.Medium)}
	if q, err := resource.ParseQuantity(x.SizeLimit); x.SizeLimit != "" && err == nil {
		out.SizeLimit = &q
	}
	return out
}

// mountsBuilds says whether a configured volume takes the place of the
// executor's /builds emptyDir, as a GitLab Runner volume mounted at the
// builds directory does.
func mountsBuilds(mounts []corev1.VolumeMount) bool {
	for _, m := range mounts {
		if path.Clean(m.MountPath) == BuildsDir {
			return true
		}
	}
	return false
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}
