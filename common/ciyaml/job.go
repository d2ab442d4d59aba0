package ciyaml

import "kuberunner/common"

// defaultStage is GitLab's stage for a job that names none.
const defaultStage = "test"

// setting is a value that applies to the job, with the keyword to name in
// messages: "image" when the job sets it, "default:image" when inherited.
type setting struct {
	val     *node
	keyword string
}

// buildJob turns the job named name into the job model.
func (c *config) buildJob(name string) (*common.Job, error) {
	entry, _ := c.get(c.top, name)
	raw, err := c.job(name, nil)
	if err != nil {
		return nil, err
	}
	jn, err := c.expandRefs(raw, 0)
	if err != nil {
		return nil, err
	}
	settings, err := c.defaults()
	if err != nil {
		return nil, err
	}
	c.warnTopLevel()

	job := &common.Job{JobInfo: common.JobInfo{Name: name, Stage: defaultStage}}
	for _, p := range jn.pairs {
		switch {
		case p.key == "stage":
			if !p.val.isNull() {
				if job.JobInfo.Stage, err = c.text(p.val, "stage"); err != nil {
					return nil, err
				}
			}
		case jobKeywords[p.key]:
			// A null value (often from extends, to drop a parent's value)
			// leaves the default in place, as an absent key would.
			if !p.val.isNull() {
				settings[p.key] = setting{val: p.val, keyword: p.key}
			}
		default:
			c.warn.add(p.keyLine, p.key, ignoredMessage(p.key))
		}
	}
	if err := c.fill(job, settings); err != nil {
		return nil, err
	}
	if len(job.Steps) == 0 || len(job.Steps[0].Script) == 0 {
		return nil, &Error{File: c.file, Line: entry.keyLine, Keyword: name, Err: ErrNoScript}
	}
	return job, nil
}

// fill sets the job's image, services, variables and steps from settings.
func (c *config) fill(job *common.Job, settings map[string]setting) error {
	var err error
	if s, ok := settings["image"]; ok {
		if job.Image, err = c.image(s.val, s.keyword); err != nil {
			return err
		}
	}
	if s, ok := settings["services"]; ok {
		if job.Services, err = c.services(s.val, s.keyword); err != nil {
			return err
		}
	}
	var topVars, jobVars common.JobVariables
	if p, ok := c.get(c.top, "variables"); ok {
		v, err := c.expandRefs(p.val, 0)
		if err != nil {
			return err
		}
		if topVars, err = c.variables(v, "variables"); err != nil {
			return err
		}
	}
	if s, ok := settings["variables"]; ok {
		if jobVars, err = c.variables(s.val, s.keyword); err != nil {
			return err
		}
	}
	job.Variables = mergeVariables(topVars, jobVars)

	scripts := map[string][]string{}
	for _, k := range []string{"before_script", "script", "after_script"} {
		if s, ok := settings[k]; ok {
			if scripts[k], err = c.scriptLines(s.val, s.keyword); err != nil {
				return err
			}
		}
	}
	// As the coordinator sends it: before_script joins script in one step,
	// after_script is its own step that runs whatever happened.
	var script []string
	if len(scripts["script"]) > 0 {
		script = append(append(script, scripts["before_script"]...), scripts["script"]...)
	}
	job.Steps = []common.Step{{Name: common.StepScript, Script: script, When: common.WhenOnSuccess}}
	if after := scripts["after_script"]; len(after) > 0 {
		job.Steps = append(job.Steps, common.Step{Name: common.StepAfterScript, Script: after, When: common.WhenAlways})
	}
	return nil
}

// defaults returns what a job inherits when it does not set the keyword:
// default: entries, else the legacy top-level ones.
func (c *config) defaults() (map[string]setting, error) {
	out := map[string]setting{}
	for k := range defaultKeywords {
		if p, ok := c.get(c.top, k); ok && !p.val.isNull() {
			v, err := c.expandRefs(p.val, 0)
			if err != nil {
				return nil, err
			}
			out[k] = setting{val: v, keyword: k}
		}
	}
	p, ok := c.get(c.top, "default")
	if !ok || p.val.isNull() {
		return out, nil
	}
	d, err := c.expandRefs(p.val, 0)
	if err != nil {
		return nil, err
	}
	if !d.isMap() {
		return nil, errorAt(c.file, d, "default", invalid("a mapping of keywords", d))
	}
	for _, q := range d.pairs {
		kw := "default:" + q.key
		switch {
		case defaultKeywords[q.key]:
			if !q.val.isNull() {
				out[q.key] = setting{val: q.val, keyword: kw}
			}
		case q.key == "variables":
			c.warn.add(q.keyLine, kw, "GitLab has no default variables; use top-level variables:")
		default:
			c.warn.add(q.keyLine, kw, ignoredMessage(q.key))
		}
	}
	return out, nil
}

// warnTopLevel warns about top-level keywords that affect every job and are
// not applied.
func (c *config) warnTopLevel() {
	for _, p := range c.top.pairs {
		if msg, ok := topLevelIgnored[p.key]; ok {
			c.warn.add(p.keyLine, p.key, msg)
		}
	}
}

// jobNames lists the runnable jobs of the file in order: every top-level key
// that is neither a keyword nor hidden.
func jobNames(top *node) []string {
	var out []string
	for _, p := range top.pairs {
		if !topLevelKeywords[p.key] && !hidden(p.key) {
			out = append(out, p.key)
		}
	}
	return out
}

// checkJobName returns an *UnknownJobError unless name is a runnable job.
func checkJobName(file string, top *node, name string) error {
	for _, j := range jobNames(top) {
		if j == name {
			return nil
		}
	}
	return &UnknownJobError{File: file, Job: name, Jobs: jobNames(top)}
}
