package commands

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"kuberunner/common"
	"kuberunner/common/ciyaml"
	"kuberunner/common/config"
	"kuberunner/helpers/namedfile"
	"kuberunner/helpers/safetext"
)

// loadExec reads everything exec runs with and refuses what fails closed:
// a named file that is missing or unreadable, a variable that breaks a
// rule, a config without the runner asked for. Warnings go to stderr with
// their file and line, so they never mix with the build log.
func loadExec(f execFlags, stderr io.Writer) (*common.Job, *config.RunnerConfig, error) {
	if f.kubeconfig != "" {
		// client-go would fall back to in-cluster config and then say "try
		// setting KUBERNETES_MASTER": check the named file here instead.
		if err := namedfile.Check(f.kubeconfig); err != nil {
			return nil, nil, fmt.Errorf("--kubeconfig: %w", err)
		}
	}
	job, err := loadJob(f, stderr)
	if err != nil {
		return nil, nil, err
	}
	runner, err := pickRunner(f.config, f.runner, stderr)
	if err != nil {
		return nil, nil, err
	}
	return job, runner, nil
}

// loadJob reads the job from the pipeline file and adds the --env and
// --masked-env variables. Every variable, from the file or a flag, passes
// common's rules (JobVariables.Validate) before anything runs.
func loadJob(f execFlags, stderr io.Writer) (*common.Job, error) {
	data, err := namedfile.Read(f.file, namedfile.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("--file: %w", err)
	}
	job, warnings, err := ciyaml.Parse(f.file, data, f.job)
	printWarnings(stderr, warnings)
	if err != nil {
		return nil, err
	}
	for _, fv := range append(append([]flagVariable(nil), f.env...), f.masked...) {
		v := common.JobVariable{Key: fv.key, Value: fv.value, Masked: fv.flag == "--masked-env"}
		v.Public = !v.Masked
		if err := (common.JobVariables{v}).Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", fv.flag, err)
		}
		job.Variables = append(job.Variables, v)
	}
	if err := job.Variables.Validate(); err != nil {
		return nil, fmt.Errorf("%s: job %q: %w", f.file, f.job, err)
	}
	return job, nil
}

func printWarnings[W fmt.Stringer](w io.Writer, warnings []W) {
	for _, warning := range warnings {
		fmt.Fprintln(w, "WARNING:", safetext.Escape(warning.String()))
	}
}

// pickRunner finds the runner to run with in the file at loc. Built-in
// defaults are used only when nobody named a config file (neither --config
// nor its variables) and nothing is at the default path: a named file that
// is missing is an error, because the defaults would bypass the operator's
// namespace and allowed_pull_policies.
func pickRunner(loc config.Location, name string, stderr io.Writer) (*config.RunnerConfig, error) {
	absent, err := loc.Absent()
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", loc.Path, err)
	}
	if absent {
		if name != "" {
			return nil, fmt.Errorf("--runner %q needs a config file: neither --config, $%s nor $CONFIG_FILE names one, and there is none at %s", name, config.EnvVar, loc.Path)
		}
		fmt.Fprintf(stderr, "No config file (none named, none at %s): using a kubernetes runner with built-in defaults\n", loc.Path)
		return config.BuiltinRunner(), nil
	}
	cfg, warnings, err := config.Load(loc.Path)
	printWarnings(stderr, warnings)
	if err != nil {
		if loc.Named() && unreadable(err) {
			return nil, fmt.Errorf("config file named by %s: %w", loc.By(), err)
		}
		return nil, err
	}
	runner, err := cfg.Runner(loc.Path, name)
	if errors.Is(err, config.ErrRunnerNotChosen) {
		return nil, fmt.Errorf("%w (pick one with --runner NAME)", err)
	}
	return runner, err
}

// unreadable reports whether a config.Load error is about the file itself
// rather than its contents.
func unreadable(err error) bool {
	var pe *fs.PathError
	var nr *namedfile.NotRegularError
	var tl *namedfile.TooLargeError
	return errors.As(err, &pe) || errors.As(err, &nr) || errors.As(err, &tl)
}
