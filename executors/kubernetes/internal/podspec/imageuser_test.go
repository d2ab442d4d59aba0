package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common"
)

func TestImageUser(t *testing.T) {
	vars := common.JobVariables{{Key: "APP_UID", Value: "1500"}}
	k8s := func(u string) common.Image {
		return common.Image{ExecutorOptions: common.ImageExecutorOptions{Kubernetes: common.ImageUserOptions{User: common.ImageUser(u)}}}
	}
	docker := func(u string) common.Image {
		return common.Image{ExecutorOptions: common.ImageExecutorOptions{Docker: common.ImageUserOptions{User: common.ImageUser(u)}}}
	}
	tests := []struct {
		name        string
		img         common.Image
		user, group *int64
		wantErr     string
	}{
		{name: "none", img: common.Image{}},
		{name: "kubernetes uid", img: k8s("1234"), user: ptr.To[int64](1234)},
		{name: "kubernetes uid:gid", img: k8s("1234:5678"), user: ptr.To[int64](1234), group: ptr.To[int64](5678)},
		{name: "root", img: k8s("0:0"), user: ptr.To[int64](0), group: ptr.To[int64](0)},
		{name: "docker uid", img: docker("1000"), user: ptr.To[int64](1000)},
		{name: "kubernetes wins over docker", img: common.Image{ExecutorOptions: common.ImageExecutorOptions{
			Kubernetes: common.ImageUserOptions{User: "7"}, Docker: common.ImageUserOptions{User: "ubuntu"}}}, user: ptr.To[int64](7)},
		{name: "expanded", img: k8s("${APP_UID}:$APP_UID"), user: ptr.To[int64](1500), group: ptr.To[int64](1500)},
		{name: "a name", img: docker("ubuntu"), wantErr: `image: docker:user "ubuntu": allowed: a numeric user ID, uid or uid:gid`},
		{name: "a name as group", img: k8s("1000:staff"), wantErr: `image: kubernetes:user "1000:staff": allowed`},
		{name: "negative", img: k8s("-1"), wantErr: `kubernetes:user "-1"`},
		{name: "too large", img: k8s("2147483648"), wantErr: `kubernetes:user "2147483648"`},
		{name: "empty group", img: k8s("1000:"), wantErr: `kubernetes:user "1000:"`},
		{name: "unknown variable", img: k8s("$NOPE"), wantErr: `kubernetes:user ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := imageUser("image", tt.img, vars)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var ce *ConfigError
				require.ErrorAs(t, err, &ce)
				return
			}
			require.NoError(t, err)
			require.Equal(t, runAs{user: tt.user, group: tt.group}, got)
		})
	}
}

func TestRunAsApply(t *testing.T) {
	base := &corev1.SecurityContext{RunAsUser: ptr.To[int64](1), RunAsGroup: ptr.To[int64](2), AllowPrivilegeEscalation: ptr.To(false)}
	require.Same(t, base, runAs{}.apply(base), "nothing asked, nothing changed")
	got := runAs{user: ptr.To[int64](1234)}.apply(base)
	require.Equal(t, &corev1.SecurityContext{RunAsUser: ptr.To[int64](1234), RunAsGroup: ptr.To[int64](2), AllowPrivilegeEscalation: ptr.To(false)}, got)
	require.Equal(t, int64(1), *base.RunAsUser, "the shared context is not changed")
	both := runAs{user: ptr.To[int64](5), group: ptr.To[int64](6)}.apply(nil)
	require.Equal(t, &corev1.SecurityContext{RunAsUser: ptr.To[int64](5), RunAsGroup: ptr.To[int64](6)}, both)
}
