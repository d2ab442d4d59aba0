package commands

import (
	"slices"

	"kuberunner/common/config"
)

// runnerKey is who a runner of config.toml is: a runner of that name with
// another token or URL, as another command may have written meanwhile, is
// another.
type runnerKey struct{ name, url, token string }

func keyOf(r *config.RunnerConfig) runnerKey { return runnerKey{r.Name, r.URL, r.Token} }

// selectByName is every runner of cfg, or the one named name (an error
// naming the known names when none is).
func selectByName(cfg *config.Config, path, name string) ([]*config.RunnerConfig, error) {
	if name == "" {
		return cfg.Runners, nil
	}
	r, err := cfg.Runner(path, name)
	if err != nil {
		return nil, err
	}
	return []*config.RunnerConfig{r}, nil
}

// removeFromFile removes the runners of keys from the config file at
// path, through the locked writer register uses, calling removed for each
// that went. It returns the keys that stayed: all of them with the error
// when the file could not be changed, or those the file no longer holds
// as they were (another command changed them meanwhile).
func removeFromFile(path string, keys []runnerKey, removed func(*config.RunnerConfig)) (stayed []runnerKey, err error) {
	gone, err := config.RemoveRunners(path, func(r *config.RunnerConfig) bool { return slices.Contains(keys, keyOf(r)) })
	for _, r := range gone {
		removed(r)
	}
	for _, k := range keys {
		if !slices.ContainsFunc(gone, func(r *config.RunnerConfig) bool { return keyOf(r) == k }) {
			stayed = append(stayed, k)
		}
	}
	return stayed, err
}
