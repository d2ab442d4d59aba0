package ciyaml

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"kuberunner/common"
)

func fixture(name string) string { return filepath.Join("testdata", name) }

// vars builds public variables from key, value pairs.
func vars(kv ...string) common.JobVariables {
	var out common.JobVariables
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, common.JobVariable{Key: kv[i], Value: kv[i+1], Public: true})
	}
	return out
}

// steps builds the coordinator's step list.
func steps(script []string, after ...string) []common.Step {
	out := []common.Step{{Name: common.StepScript, Script: script, When: common.WhenOnSuccess}}
	if len(after) > 0 {
		out = append(out, common.Step{Name: common.StepAfterScript, Script: after, When: common.WhenAlways})
	}
	return out
}

func info(name, stage string) common.JobInfo { return common.JobInfo{Name: name, Stage: stage} }

func TestLoadJob(t *testing.T) {
	tests := []struct {
		file, job string
		want      *common.Job
	}{
		{"basic.yml", "strings", &common.Job{
			JobInfo:  info("strings", "build"),
			Image:    common.Image{Name: "alpine:3.20"},
			Services: []common.Image{{Name: "postgres:16"}, {Name: "redis:7"}},
			Steps:    steps([]string{"echo hello"}),
		}},
		{"basic.yml", "objects", &common.Job{
			JobInfo: info("objects", "test"),
			Image: common.Image{
				Name:         "registry.local/tools:1.0",
				Entrypoint:   []string{""},
				PullPolicies: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
			},
			Services: []common.Image{
				{
					Name:         "postgres:16",
					Alias:        "db",
					Entrypoint:   []string{"docker-entrypoint.sh"},
					Command:      []string{"postgres", "-c", "fsync=off"},
					PullPolicies: common.PullPolicies{common.PullPolicyIfNotPresent},
				},
				{Name: "redis:7"},
			},
			Steps: steps([]string{"echo before", "echo one", "echo two"}, "echo after"),
		}},
		{"image_options.yml", "users-and-service-variables", &common.Job{
			JobInfo: info("users-and-service-variables", "test"),
			Image: common.Image{Name: "alpine:3.20", ExecutorOptions: common.ImageExecutorOptions{
				Kubernetes: common.ImageUserOptions{User: "1234:1234"},
			}},
			Services: []common.Image{{
				Name:            "postgres:16",
				ExecutorOptions: common.ImageExecutorOptions{Docker: common.ImageUserOptions{User: "999"}},
				Variables: append(vars("POSTGRES_DB", "app"),
					common.JobVariable{Key: "RAW", Value: "$KEEP", Public: true, Raw: true}),
			}},
			Steps: steps([]string{"id -u"}),
		}},
		{"basic.yml", "no-image", &common.Job{
			JobInfo: info("no-image", "test"),
			Steps:   steps([]string{"true"}),
		}},
		{"variables.yml", "job", &common.Job{
			JobInfo: info("job", "test"),
			Image:   common.Image{Name: "${IMAGE_NAME}:${IMAGE_VERSION}"},
			Variables: append(vars(
				"IMAGE_NAME", "registry.local/busybox",
				"IMAGE_VERSION", "1.36",
				"DESCRIBED", "from-form",
				"SHARED", "job",
				"NUMBER", "1.50",
				"EMPTY", "",
			),
				common.JobVariable{Key: "RAW", Value: "$NOT_EXPANDED", Public: true, Raw: true},
				common.JobVariable{Key: "EXPANDED", Value: "$HOME", Public: true},
			),
			Steps: steps([]string{"echo Done"}),
		}},
		{"defaults.yml", "inherits", &common.Job{
			JobInfo:  info("inherits", "test"),
			Image:    common.Image{Name: "default:2"},
			Services: []common.Image{{Name: "svc:1"}},
			Steps:    steps([]string{"echo legacy before", "echo run"}, "echo legacy after"),
		}},
		{"defaults.yml", "overrides", &common.Job{
			JobInfo: info("overrides", "test"),
			Image:   common.Image{Name: "own:3"},
			Steps:   steps([]string{"echo own before", "echo run"}, "echo legacy after"),
		}},
		{"anchors.yml", "job", &common.Job{
			JobInfo:   info("job", "test"),
			Image:     common.Image{Name: "alpine:3.20"},
			Variables: vars("A", "1", "B", "overridden", "C", "3"),
			Steps:     steps([]string{"echo setup one", "echo setup two", "echo main"}),
		}},
		{"anchors.yml", "merge-list", &common.Job{
			JobInfo:   info("merge-list", "deploy"),
			Image:     common.Image{Name: "alpine:3.20"},
			Variables: vars("A", "1", "B", "2"),
			Steps:     steps([]string{"echo x"}),
		}},
		{"extends.yml", "multi-level", &common.Job{
			JobInfo:   info("multi-level", "test"),
			Image:     common.Image{Name: "base:1"},
			Variables: vars("LEVEL", "job", "KEEP", "base"),
			Steps:     steps([]string{"echo base before", "echo middle"}),
		}},
		{"extends.yml", "multi-parent", &common.Job{
			JobInfo:   info("multi-parent", "test"),
			Image:     common.Image{Name: "other:1"},
			Variables: vars("LEVEL", "middle", "KEEP", "base", "OTHER", "yes"),
			Steps:     steps([]string{"echo other before", "echo middle"}),
		}},
		{"extends.yml", "drop-before", &common.Job{
			JobInfo:   info("drop-before", "test"),
			Image:     common.Image{Name: "base:1"},
			Variables: vars("LEVEL", "base", "KEEP", "base"),
			Steps:     steps([]string{"echo base"}),
		}},
		{"extends.yml", "extends-job", &common.Job{
			JobInfo:   info("extends-job", "test"),
			Image:     common.Image{Name: "base:1"},
			Variables: vars("LEVEL", "job", "KEEP", "base"),
			Steps:     steps([]string{"echo base before", "echo from job"}),
		}},
		{"reference.yml", "job", &common.Job{
			JobInfo:   info("job", "test"),
			Variables: vars("FROM_REF", "yes"),
			Steps:     steps([]string{"echo setup", "echo extended", "echo job"}),
		}},
		{"spec_header.yml", "job", &common.Job{
			JobInfo: info("job", "test"),
			Steps:   steps([]string{"echo $[[ inputs.env ]]"}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.job, func(t *testing.T) {
			got, _, err := Load(fixture(tt.file), tt.job)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got\n%s\nwant\n%s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(j *common.Job) string {
	return fmt.Sprintf("info=%+v\nimage=%+v\nservices=%+v\nvariables=%+v\nsteps=%+v", j.JobInfo, j.Image, j.Services, j.Variables, j.Steps)
}

func TestJobs(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"basic.yml", []string{"strings", "objects", "no-image"}},
		{"defaults.yml", []string{"inherits", "overrides"}},
		{"spec_header.yml", []string{"job"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := mustRead(t, fixture(tt.file))
			got, err := Jobs(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("empty file", func(t *testing.T) {
		got, err := Jobs("empty.yml", nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("Jobs(empty) = %q, %v", got, err)
		}
	})
}
