package ciyaml

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxScriptDepth is GitLab's limit on arrays nested in a script, which
// anchors produce (`- *setup` inside a script list).
const maxScriptDepth = 10

// maxScriptItems bounds what nested aliases may expand to; it counts the
// nested lists too, since aliases of empty lists expand to nothing but still
// take time to walk.
const maxScriptItems = 100000

// text reads a scalar as written. Numbers and booleans are kept as their
// source text ("1.50" stays "1.50"), which is what a shell script wants.
func (c *config) text(v *node, keyword string) (string, error) {
	if v.kind != yaml.ScalarNode || v.isNull() {
		return "", errorAt(c.file, v, keyword, invalid("a string", v))
	}
	return v.value, nil
}

// stringList reads a list of strings, as entrypoint and command are.
func (c *config) stringList(v *node, keyword string) ([]string, error) {
	if v.isNull() {
		return nil, nil
	}
	if v.kind != yaml.SequenceNode {
		return nil, errorAt(c.file, v, keyword, invalid("a list of strings", v))
	}
	out := make([]string, 0, len(v.items))
	for _, it := range v.items {
		s, err := c.text(it, keyword)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// scriptLines reads a script: one string, or a list of strings and of
// nested lists, flattened in order.
func (c *config) scriptLines(v *node, keyword string) ([]string, error) {
	if v.isNull() {
		return nil, nil
	}
	if v.kind == yaml.ScalarNode {
		return []string{v.value}, nil
	}
	if v.kind != yaml.SequenceNode {
		return nil, errorAt(c.file, v, keyword, invalid("a string or a list of strings", v))
	}
	var out []string
	visited := 0
	if err := c.flattenScript(v, keyword, 1, &out, &visited); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *config) flattenScript(v *node, keyword string, depth int, out *[]string, visited *int) error {
	if depth > maxScriptDepth {
		return errorAt(c.file, v, keyword, fmt.Errorf("%w: lists nested more than %d deep", ErrInvalid, maxScriptDepth))
	}
	for _, it := range v.items {
		*visited++
		if *visited > maxScriptItems {
			return errorAt(c.file, it, keyword, fmt.Errorf("%w: more than %d script entries", ErrTooLarge, maxScriptItems))
		}
		if it.kind == yaml.SequenceNode {
			if err := c.flattenScript(it, keyword, depth+1, out, visited); err != nil {
				return err
			}
			continue
		}
		s, err := c.text(it, keyword)
		if err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return nil
}
