package podspec

import (
	"kuberunner/common"
	"kuberunner/common/config"
)

// imagesAllowed checks the build image against allowed_images and every
// service against allowed_services, before anything is created. The
// runner's own image and helper image are always allowed; the runner's
// configured services are checked like the job's, as on GitLab Runner.
func imagesAllowed(spec *JobSpec, cfg *config.KubernetesConfig, vars common.JobVariables) error {
	internal := []string{ExpandValue(cfg.Image, vars), firstNonEmpty(cfg.HelperImage, DefaultHelperImage)}
	for _, c := range spec.Containers {
		if c.Name == HelperContainer {
			continue
		}
		if err := cfg.ImageAllowed(c.Image, c.Name != BuildContainer, internal...); err != nil {
			return err
		}
	}
	return nil
}

// usersAllowed checks the user and group a pipeline asks a container to
// run as against allowed_users and allowed_groups.
func usersAllowed(what string, r runAs, cfg *config.KubernetesConfig) error {
	for _, id := range []struct {
		v     *int64
		group bool
	}{{r.user, false}, {r.group, true}} {
		if id.v == nil {
			continue
		}
		if err := cfg.IDAllowed(*id.v, id.group); err != nil {
			return &ConfigError{Msg: what + ": " + err.Error()}
		}
	}
	return nil
}
