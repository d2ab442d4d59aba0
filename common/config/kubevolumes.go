package config

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// KubernetesVolumes is [runners.kubernetes.volumes]: GitLab Runner's
// lists of volumes, each mounted in the build, helper and service
// containers of every job.
type KubernetesVolumes struct {
	HostPaths  []HostPathVolume  `toml:"host_path"`
	PVCs       []PVCVolume       `toml:"pvc"`
	ConfigMaps []ConfigMapVolume `toml:"config_map"`
	Secrets    []SecretVolume    `toml:"secret"`
	EmptyDirs  []EmptyDirVolume  `toml:"empty_dir"`
	CSIs       []CSIVolume       `toml:"csi"`
}

// VolumeMount is what every kind of volume has: its name (the pod's
// volume name, and for pvc, config_map and secret the object's name too)
// and where it is mounted.
type VolumeMount struct {
	Name      string `toml:"name"`
	MountPath string `toml:"mount_path"`
	SubPath   string `toml:"sub_path"`
	ReadOnly  bool   `toml:"read_only"`
}

// HostPathVolume is [[runners.kubernetes.volumes.host_path]]. HostPath
// defaults to MountPath.
type HostPathVolume struct {
	VolumeMount
	HostPath         string `toml:"host_path"`
	MountPropagation string `toml:"mount_propagation"`
}

// PVCVolume is [[runners.kubernetes.volumes.pvc]]. Its name is the
// claim's and may use the job's variables ("build-$CI_CONCURRENT_ID").
type PVCVolume struct {
	VolumeMount
	MountPropagation string `toml:"mount_propagation"`
}

// ConfigMapVolume is [[runners.kubernetes.volumes.config_map]]. Items, when
// set, maps the keys to mount to their path under the mount; the others
// are left out.
type ConfigMapVolume struct {
	VolumeMount
	Items map[string]string `toml:"items"`
}

// SecretVolume is [[runners.kubernetes.volumes.secret]], with Items as for
// a config map.
type SecretVolume struct {
	VolumeMount
	Items map[string]string `toml:"items"`
}

// EmptyDirVolume is [[runners.kubernetes.volumes.empty_dir]]: Medium
// "Memory" is a tmpfs; SizeLimit is a quantity.
type EmptyDirVolume struct {
	VolumeMount
	Medium    string `toml:"medium"`
	SizeLimit string `toml:"size_limit"`
}

// CSIVolume is [[runners.kubernetes.volumes.csi]].
type CSIVolume struct {
	VolumeMount
	Driver           string            `toml:"driver"`
	FSType           string            `toml:"fs_type"`
	VolumeAttributes map[string]string `toml:"volume_attributes"`
}

// Values of empty_dir medium and of mount_propagation, as the pod API
// spells them.
var (
	EmptyDirMedia     = []string{"", "Memory", "HugePages"}
	MountPropagations = []string{"", "None", "HostToContainer", "Bidirectional"}
)

// ReservedVolumeName is the executor's own volume, /builds; no configured
// volume may take its name. A volume mounted at /builds takes its place.
const ReservedVolumeName = "builds"

// namedMount is one configured volume with where it is in the file.
type namedMount struct {
	list  string // host_path, pvc, ...
	index int
	VolumeMount
}

func (m namedMount) String() string { return fmt.Sprintf("%s[%d]", m.list, m.index) }

// mounts lists every volume, for the checks that look across lists: names
// and mount paths are unique in the pod.
func (v *KubernetesVolumes) mounts() []namedMount {
	var out []namedMount
	add := func(list string, i int, m VolumeMount) { out = append(out, namedMount{list, i, m}) }
	for i, x := range v.HostPaths {
		add("host_path", i, x.VolumeMount)
	}
	for i, x := range v.PVCs {
		add("pvc", i, x.VolumeMount)
	}
	for i, x := range v.ConfigMaps {
		add("config_map", i, x.VolumeMount)
	}
	for i, x := range v.Secrets {
		add("secret", i, x.VolumeMount)
	}
	for i, x := range v.EmptyDirs {
		add("empty_dir", i, x.VolumeMount)
	}
	for i, x := range v.CSIs {
		add("csi", i, x.VolumeMount)
	}
	return out
}

// volumes checks every list: each entry on its own, then names and mount
// paths across all of them.
func (d *decoder) volumes(p keyPath, k *KubernetesConfig) {
	v := &k.Volumes
	p = p.child("volumes")
	for i, x := range v.HostPaths {
		ep := p.child("host_path").at(i)
		d.volumeMount(ep, x.VolumeMount, true)
		if x.HostPath != "" && !path.IsAbs(x.HostPath) {
			d.fail(ep.child("host_path"), &Error{Value: x.HostPath, Msg: fmt.Sprintf("%q is not an absolute path", x.HostPath), Allowed: "an absolute path on the node; unset means mount_path"})
		}
		d.propagation(ep.child("mount_propagation"), x.MountPropagation, k)
	}
	for i, x := range v.PVCs {
		ep := p.child("pvc").at(i)
		// The claim's name may hold variables: it is checked once
		// expanded, when a job uses it.
		d.volumeMount(ep, x.VolumeMount, !strings.Contains(x.Name, "$"))
		d.propagation(ep.child("mount_propagation"), x.MountPropagation, k)
	}
	for i, x := range v.ConfigMaps {
		d.volumeMount(p.child("config_map").at(i), x.VolumeMount, true)
		d.items(p.child("config_map").at(i).child("items"), x.Items)
	}
	for i, x := range v.Secrets {
		d.volumeMount(p.child("secret").at(i), x.VolumeMount, true)
		d.items(p.child("secret").at(i).child("items"), x.Items)
	}
	for i, x := range v.EmptyDirs {
		d.emptyDir(p.child("empty_dir").at(i), x)
	}
	for i, x := range v.CSIs {
		d.csi(p.child("csi").at(i), x)
	}
	d.uniqueMounts(p, v)
}

// VolumeNameRule is what a volume's name must be, for "allowed:".
const VolumeNameRule = "a DNS label (lowercase letters, digits and '-', at most 63 characters), other than \"builds\""

// volumeMount checks the keys every kind has. checkName is false for a
// name still to be expanded.
func (d *decoder) volumeMount(p keyPath, m VolumeMount, checkName bool) {
	switch {
	case m.Name == "":
		d.fail(p.child("name"), &Error{Msg: "a volume needs a name", Allowed: VolumeNameRule})
	case m.Name == ReservedVolumeName:
		d.fail(p.child("name"), &Error{Value: m.Name, Msg: `"builds" is the executor's own volume; mount yours at /builds to replace it`, Allowed: VolumeNameRule})
	case checkName:
		d.check(p.child("name"), m.Name, "a volume name", validation.IsDNS1123Label(m.Name))
	}
	if !path.IsAbs(m.MountPath) {
		d.fail(p.child("mount_path"), &Error{Value: m.MountPath, Msg: fmt.Sprintf("%q is not an absolute path", m.MountPath), Allowed: "an absolute path in the container, such as \"/cache\""})
	}
	if m.SubPath != "" {
		d.relativePath(p.child("sub_path"), m.SubPath)
	}
}

// relativePath is a path inside a volume: relative, and never out of it.
func (d *decoder) relativePath(p keyPath, s string) {
	if path.IsAbs(s) || slices.Contains(strings.Split(s, "/"), "..") {
		d.fail(p, &Error{Value: s, Msg: fmt.Sprintf("%q is not a path inside the volume", s), Allowed: "a relative path without \"..\""})
	}
}

func (d *decoder) items(p keyPath, items map[string]string) {
	for key, to := range items {
		d.check(p.child(key), key, "a config map or secret key", validation.IsConfigMapKey(key))
		d.relativePath(p.child(key), to)
	}
}

// propagation checks mount_propagation; Bidirectional needs privileged
// containers, which the API server would otherwise refuse at the pod.
func (d *decoder) propagation(p keyPath, v string, k *KubernetesConfig) {
	d.oneOf(p, v, MountPropagations)
	if v == "Bidirectional" && (k.Privileged == nil || !*k.Privileged) {
		d.fail(p, &Error{Value: v, Msg: "Bidirectional propagation needs privileged containers", Allowed: "None or HostToContainer, or set privileged = true"})
	}
}

func (d *decoder) emptyDir(p keyPath, x EmptyDirVolume) {
	d.volumeMount(p, x.VolumeMount, true)
	if !slices.Contains(EmptyDirMedia, x.Medium) && !strings.HasPrefix(x.Medium, "HugePages-") {
		d.oneOf(p.child("medium"), x.Medium, EmptyDirMedia)
	}
	if x.SizeLimit == "" {
		return
	}
	if q, err := resource.ParseQuantity(x.SizeLimit); err != nil || q.Sign() <= 0 {
		d.fail(p.child("size_limit"), &Error{Value: x.SizeLimit, Msg: fmt.Sprintf("%q is not a positive quantity", x.SizeLimit), Allowed: `a quantity such as "1Gi" or "500M"`})
	}
}

func (d *decoder) csi(p keyPath, x CSIVolume) {
	d.volumeMount(p, x.VolumeMount, true)
	if x.Driver == "" {
		d.fail(p.child("driver"), &Error{Msg: "a csi volume needs a driver", Allowed: "the name of a CSI driver installed in the cluster"})
		return
	}
	d.dnsSubdomain(p.child("driver"), x.Driver, "a CSI driver name")
}

// uniqueMounts reports a second volume with a name or a mount path that
// an earlier one has: the pod would be refused.
func (d *decoder) uniqueMounts(p keyPath, v *KubernetesVolumes) {
	names, paths := map[string]namedMount{}, map[string]namedMount{}
	for _, m := range v.mounts() {
		ep := p.child(m.list).at(m.index)
		if first, dup := names[m.Name]; dup && m.Name != "" {
			d.fail(ep.child("name"), &Error{Value: m.Name, Msg: fmt.Sprintf("volume name %q is already used by volumes.%s", m.Name, first), Allowed: "a name no other volume has"})
		} else {
			names[m.Name] = m
		}
		mp := path.Clean(m.MountPath)
		if first, dup := paths[mp]; dup && path.IsAbs(mp) {
			d.fail(ep.child("mount_path"), &Error{Value: m.MountPath, Msg: fmt.Sprintf("%q is already the mount path of volumes.%s", m.MountPath, first), Allowed: "a path no other volume is mounted at"})
		} else {
			paths[mp] = m
		}
	}
}
