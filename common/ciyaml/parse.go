package ciyaml

import (
	"fmt"
	"os"

	"kuberunner/common"
)

// Load reads one job from a .gitlab-ci.yml and returns it as the job model.
func Load(path string, jobName string) (*common.Job, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read CI configuration: %w", err)
	}
	return Parse(path, data, jobName)
}

// Parse is Load for data already in memory; name is the file name used in
// errors and warnings. On error the warnings found so far are returned too,
// since they often explain the error.
func Parse(name string, data []byte, jobName string) (*common.Job, []Warning, error) {
	warn := &warnings{file: name}
	top, err := readTop(name, data, warn)
	if err != nil {
		return nil, warn.sorted(), err
	}
	if err := checkJobName(name, top, jobName); err != nil {
		return nil, warn.sorted(), err
	}
	job, err := newConfig(name, top, warn).buildJob(jobName)
	if err != nil {
		return nil, warn.sorted(), err
	}
	return job, warn.sorted(), nil
}

// Jobs returns the names of the jobs that can be run, in file order: hidden
// jobs (".name") and top-level keywords are not jobs.
func Jobs(name string, data []byte) ([]string, error) {
	top, err := readTop(name, data, &warnings{file: name})
	if err != nil {
		return nil, err
	}
	return jobNames(top), nil
}
