package config

// RunnerScripts are a runner's own scripts, each "" when unset. GitLab
// Runner runs PreGetSources before the job's hooks:pre_get_sources_script
// and PostGetSources after its post_get_sources_script, and PreBuild and
// PostBuild around before_script and script, in the same shell.
type RunnerScripts struct {
	PreGetSources, PostGetSources string
	PreBuild, PostBuild           string
}

// Scripts are r's scripts: a get_sources script under its current name,
// else under its old one (the loader warns when both are set).
func (r *RunnerConfig) Scripts() RunnerScripts {
	return RunnerScripts{
		PreGetSources:  firstSet(r.PreGetSourcesScript, r.PreCloneScript),
		PostGetSources: firstSet(r.PostGetSourcesScript, r.PostCloneScript),
		PreBuild:       r.PreBuildScript,
		PostBuild:      r.PostBuildScript,
	}
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// warnOldScriptNames warns about a get_sources script set under both of
// its names: the old one is not run.
func (d *decoder) warnOldScriptNames(p keyPath, r *RunnerConfig) {
	for _, n := range []struct{ name, old, oldValue, value string }{
		{"pre_get_sources_script", "pre_clone_script", r.PreCloneScript, r.PreGetSourcesScript},
		{"post_get_sources_script", "post_clone_script", r.PostCloneScript, r.PostGetSourcesScript},
	} {
		if n.oldValue != "" && n.value != "" {
			d.warn(p.child(n.old), n.old+" is the old name of "+n.name+", which is set too: only "+n.name+" runs")
		}
	}
}
