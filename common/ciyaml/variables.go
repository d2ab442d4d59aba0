package ciyaml

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"kuberunner/common"
)

// variables reads a variables: mapping, each entry `KEY: value` or
// `KEY: {value, description, expand, options}`. description and options
// only describe the variable in GitLab's "Run pipeline" form, so they are
// read without a warning; expand: false becomes a raw variable.
func (c *config) variables(v *node, keyword string) (common.JobVariables, error) {
	if v.isNull() {
		return nil, nil
	}
	if !v.isMap() {
		return nil, errorAt(c.file, v, keyword, invalid("a mapping of variable names to values", v))
	}
	out := make(common.JobVariables, 0, len(v.pairs))
	for _, p := range v.pairs {
		kw := keyword + ":" + p.key
		if err := common.ValidateVariableName(p.key); err != nil {
			return nil, &Error{File: c.file, Line: p.keyLine, Keyword: kw, Err: err}
		}
		jv := common.JobVariable{Key: p.key, Public: true}
		switch {
		case p.val.isNull():
		case p.val.kind == yaml.ScalarNode:
			jv.Value = p.val.value
		case p.val.isMap():
			if err := c.variableMap(p.val, kw, &jv); err != nil {
				return nil, err
			}
		default:
			return nil, errorAt(c.file, p.val, kw, invalid("a value or a mapping with value", p.val))
		}
		out = append(out, jv)
	}
	return out, nil
}

func (c *config) variableMap(v *node, keyword string, jv *common.JobVariable) error {
	for _, p := range v.pairs {
		var err error
		switch p.key {
		case "value":
			if !p.val.isNull() {
				jv.Value, err = c.text(p.val, keyword+":value")
			}
		case "expand":
			if p.val.tag != "!!bool" {
				return errorAt(c.file, p.val, keyword+":expand", invalid("true or false", p.val))
			}
			jv.Raw = strings.EqualFold(p.val.value, "false")
		case "description", "options":
		default:
			c.warn.add(p.keyLine, keyword+":"+p.key, "not a variable option; ignored")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mergeVariables puts the job's variables after the top-level ones, and drops
// a top-level entry the job overrides so that each key appears once.
func mergeVariables(top, job common.JobVariables) common.JobVariables {
	own := make(map[string]bool, len(job))
	for _, v := range job {
		own[v.Key] = true
	}
	var out common.JobVariables
	for _, v := range top {
		if !own[v.Key] {
			out = append(out, v)
		}
	}
	return append(out, job...)
}
