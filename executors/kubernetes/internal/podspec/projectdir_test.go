package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestProjectDir(t *testing.T) {
	path := func(p string) common.JobVariables {
		return common.JobVariables{{Key: "CI_PROJECT_PATH", Value: p, Public: true}}
	}
	tests := []struct {
		name      string
		job       common.Job
		sourceDir string
		want      string
	}{
		{name: "CI_PROJECT_PATH", job: common.Job{Variables: path("group/sub/project")}, want: "/builds/group/sub/project"},
		{name: "CI_PROJECT_PATH wins over the URL", job: common.Job{Variables: path("group/project"),
			GitInfo: common.GitInfo{RepoURL: "https://gitlab.example.com/gitlab/group/project.git"}}, want: "/builds/group/project"},
		{name: "the last CI_PROJECT_PATH", job: common.Job{Variables: append(path("a/b"), path("c/d")...)}, want: "/builds/c/d"},
		{name: "repository URL", job: common.Job{GitInfo: common.GitInfo{RepoURL: "https://gitlab-ci-token:tok@gitlab.example.com/group/project.git"}}, want: "/builds/group/project"},
		{name: "dots in names", job: common.Job{Variables: path("my.group/my_project-2.0")}, want: "/builds/my.group/my_project-2.0"},
		{name: "exec: the source directory's name", job: common.Job{JobInfo: common.JobInfo{ProjectName: "myrepo"}}, sourceDir: "/home/me/myrepo", want: "/builds/myrepo"},
		{name: "exec: a name with spaces", sourceDir: "/home/me/my repo", want: "/builds/my-repo"},
		{name: "dot-dot in CI_PROJECT_PATH is skipped", job: common.Job{Variables: path("../../etc"), JobInfo: common.JobInfo{ProjectID: 7}}, want: "/builds/project-7"},
		{name: "dot-dot in the URL is skipped", job: common.Job{GitInfo: common.GitInfo{RepoURL: "https://h/g/../../x.git"}, JobInfo: common.JobInfo{ProjectID: 7}}, want: "/builds/project-7"},
		{name: "odd characters are skipped", job: common.Job{Variables: path("group/pro ject"), GitInfo: common.GitInfo{RepoURL: "https://h/group/project.git"}}, want: "/builds/group/project"},
		{name: "an empty part is skipped", job: common.Job{Variables: path("group//project"), JobInfo: common.JobInfo{ProjectID: 1}}, want: "/builds/project-1"},
		{name: "not a URL", job: common.Job{GitInfo: common.GitInfo{RepoURL: "group/project"}, JobInfo: common.JobInfo{ProjectID: 3}}, want: "/builds/project-3"},
		{name: "nothing to go by", want: "/builds/project-0"},
		{name: "root source dir", sourceDir: "/", want: "/builds/project-0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ProjectDir(&tt.job, tt.sourceDir))
		})
	}
}
