package ciyaml

import "kuberunner/common"

// Load reads one job from a .gitlab-ci.yml and returns it as the job model.
// A file over 8 MiB (maxFileSize) is refused with ErrFileTooLarge before it
// is read in full.
func Load(path string, jobName string) (*common.Job, []Warning, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	return Parse(path, data, jobName)
}

// Parse is Load for data already in memory; name is the file name used in
// errors and warnings. On error the warnings found so far are returned too,
// since they often explain the error. Data over 8 MiB is refused with
// ErrFileTooLarge, as Load refuses such a file.
func Parse(name string, data []byte, jobName string) (*common.Job, []Warning, error) {
	warn := &warnings{file: name}
	budget := newMergeBudget(name, len(data))
	top, err := readTop(name, data, warn, budget)
	if err != nil {
		return nil, warn.sorted(), err
	}
	if err := checkJobName(name, top, jobName); err != nil {
		return nil, warn.sorted(), err
	}
	job, err := newConfig(name, top, warn, budget).buildJob(jobName)
	if err != nil {
		return nil, warn.sorted(), err
	}
	return job, warn.sorted(), nil
}

// Jobs returns the names of the jobs that can be run, in file order: hidden
// jobs (".name") and top-level keywords are not jobs.
func Jobs(name string, data []byte) ([]string, error) {
	top, err := readTop(name, data, &warnings{file: name}, newMergeBudget(name, len(data)))
	if err != nil {
		return nil, err
	}
	return jobNames(top), nil
}
