package ciyaml

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"kuberunner/common"
)

// image reads image: a name, or {name, entrypoint, pull_policy, docker,
// kubernetes}.
func (c *config) image(v *node, keyword string) (common.Image, error) {
	switch {
	case v.isNull():
		return common.Image{}, nil
	case v.kind == yaml.ScalarNode:
		return common.Image{Name: v.value}, nil
	case v.isMap():
		return c.imageMap(v, keyword, imageKeywords)
	}
	return common.Image{}, errorAt(c.file, v, keyword, invalid("an image name or a mapping with name", v))
}

// services reads services: a list of names or of {name, alias, entrypoint,
// command, pull_policy, docker, kubernetes, variables}.
func (c *config) services(v *node, keyword string) ([]common.Image, error) {
	if v.isNull() {
		return nil, nil
	}
	if v.kind != yaml.SequenceNode {
		return nil, errorAt(c.file, v, keyword, invalid("a list of services", v))
	}
	out := make([]common.Image, 0, len(v.items))
	for _, it := range v.items {
		switch {
		case it.kind == yaml.ScalarNode && !it.isNull():
			out = append(out, common.Image{Name: it.value})
		case it.isMap():
			svc, err := c.imageMap(it, keyword, serviceKeywords)
			if err != nil {
				return nil, err
			}
			out = append(out, svc)
		default:
			return nil, errorAt(c.file, it, keyword, invalid("a service name or a mapping with name", it))
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// imageMap reads the mapping form of an image or a service; allowed says
// which keys apply, the others are warned about.
func (c *config) imageMap(v *node, keyword string, allowed map[string]bool) (common.Image, error) {
	var img common.Image
	var err error
	for _, p := range v.pairs {
		kw := keyword + ":" + p.key
		if !allowed[p.key] {
			c.warn.add(p.keyLine, kw, ignoredMessage(p.key))
			continue
		}
		switch p.key {
		case "name":
			img.Name, err = c.text(p.val, kw)
		case "alias":
			img.Alias, err = c.text(p.val, kw)
		case "entrypoint":
			img.Entrypoint, err = c.stringList(p.val, kw)
		case "command":
			img.Command, err = c.stringList(p.val, kw)
		case "pull_policy":
			img.PullPolicies, err = c.pullPolicies(p.val, kw)
		case "docker":
			img.ExecutorOptions.Docker, err = c.userOptions(p.val, kw)
		case "kubernetes":
			img.ExecutorOptions.Kubernetes, err = c.userOptions(p.val, kw)
		case "variables":
			img.Variables, err = c.variables(p.val, kw)
		}
		if err != nil {
			return common.Image{}, err
		}
	}
	if img.Name == "" {
		return common.Image{}, errorAt(c.file, v, keyword, fmt.Errorf("%w: name is required", ErrInvalid))
	}
	return img, nil
}

// pullPolicies reads pull_policy: one name or a list. The YAML shape is
// turned into the plain value common.DecodePullPolicies takes, so the rules
// are the ones config.toml and the job payload follow; each bad entry is
// reported at its own line, before anything runs.
func (c *config) pullPolicies(v *node, keyword string) (common.PullPolicies, error) {
	var value any
	items := []*node{v}
	switch {
	case v.isNull():
		return nil, nil
	case v.kind == yaml.SequenceNode:
		items = v.items
		list := make([]any, len(items))
		for i, it := range items {
			s, err := c.text(it, keyword)
			if err != nil {
				return nil, err
			}
			list[i] = s
		}
		value = list
	case v.kind == yaml.ScalarNode:
		value = v.value
	default:
		return nil, errorAt(c.file, v, keyword, invalid("a pull policy or a list of them", v))
	}
	list, errs := common.DecodePullPolicies(value)
	if len(errs) > 0 {
		at := v
		if i := errs[0].Index; i >= 0 {
			at = items[i]
		}
		return nil, errorAt(c.file, at, keyword, errs[0].Err)
	}
	return list, nil
}

// userOptions reads image:docker: or image:kubernetes:, of which user is
// applied (who the container runs as; the executor checks the value) and
// anything else is warned about.
func (c *config) userOptions(v *node, keyword string) (common.ImageUserOptions, error) {
	var out common.ImageUserOptions
	if v.isNull() {
		return out, nil
	}
	if !v.isMap() {
		return out, errorAt(c.file, v, keyword, invalid("a mapping with user", v))
	}
	for _, p := range v.pairs {
		if p.key != "user" {
			c.warn.add(p.keyLine, keyword+":"+p.key, "not applied; only user is")
			continue
		}
		user, err := c.text(p.val, keyword+":user")
		if err != nil {
			return out, err
		}
		out.User = common.ImageUser(user)
	}
	return out, nil
}
