package ciyaml

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// config is one parsed file: its top-level mapping and the jobs resolved
// from it so far.
type config struct {
	file string
	top  *node
	warn *warnings
	// extended memoises jobs with extends applied: a template extended by
	// many jobs is merged once.
	extended map[string]*node
	// expanded memoises nodes with !reference tags expanded.
	expanded map[*node]*node
	// merged memoises deepMerge. Nodes are shared wherever an alias is used,
	// so without it a few lines of nested aliases on both sides of an
	// extends would take billions of steps to merge.
	merged map[[2]*node]*node
	// budget bounds the keys deepMerge copies, together with the merge keys
	// read before.
	budget *mergeBudget
	// index memoises the key index of large mappings (see get).
	index map[*node]map[string]int
	// path is the chain of extends being resolved, for cycle errors.
	path []string
}

func newConfig(file string, top *node, warn *warnings, budget *mergeBudget) *config {
	return &config{
		file: file, top: top, warn: warn,
		extended: map[string]*node{}, expanded: map[*node]*node{}, merged: map[[2]*node]*node{},
		budget: budget, index: map[*node]map[string]int{},
	}
}

// job returns the top-level entry key with extends applied, as GitLab
// documents it: each parent is resolved first, parents are merged in the
// order listed (a later parent wins), then the job itself wins over all of
// them. Mappings merge key by key at every depth; any other value,
// including a list or null, replaces what it overrides. from is the extends
// entry that named key, for the line of a cycle error; nil for the job asked
// for.
func (c *config) job(key string, from *node) (*node, error) {
	if n, ok := c.extended[key]; ok {
		return n, nil
	}
	for i, k := range c.path {
		if k == key {
			cycle := append(append([]string(nil), c.path[i:]...), key)
			return nil, errorAt(c.file, from, "extends", fmt.Errorf("%w: %s", ErrExtendsCycle, strings.Join(cycle, " -> ")))
		}
	}
	entry, _ := c.get(c.top, key)
	if !entry.val.isMap() {
		return nil, errorAt(c.file, entry.val, key, invalid("a mapping of job keywords", entry.val))
	}
	ext, ok := entry.val.get("extends")
	if !ok || ext.val.isNull() {
		c.extended[key] = entry.val
		return entry.val, nil
	}
	parents, err := c.extendsNames(ext.val)
	if err != nil {
		return nil, err
	}
	c.path = append(c.path, key)
	defer func() { c.path = c.path[:len(c.path)-1] }()

	var merged *node
	for _, parent := range parents {
		if _, ok := c.get(c.top, parent.value); !ok || topLevelKeywords[parent.value] {
			return nil, errorAt(c.file, parent, "extends", fmt.Errorf("%w %q", ErrUnknownExtends, parent.value))
		}
		p, err := c.job(parent.value, parent)
		if err != nil {
			return nil, err
		}
		if merged, err = c.deepMerge(merged, p); err != nil {
			return nil, err
		}
	}
	if merged, err = c.deepMerge(merged, entry.val); err != nil {
		return nil, err
	}
	merged = withoutKey(merged, "extends")
	c.extended[key] = merged
	return merged, nil
}

// extendsNames reads extends: one name or a list of names.
func (c *config) extendsNames(v *node) ([]*node, error) {
	if v.kind == yaml.ScalarNode {
		return []*node{v}, nil
	}
	if v.kind != yaml.SequenceNode {
		return nil, errorAt(c.file, v, "extends", invalid("a job name or a list of job names", v))
	}
	for _, it := range v.items {
		if it.kind != yaml.ScalarNode || it.isNull() {
			return nil, errorAt(c.file, it, "extends", invalid("a job name", it))
		}
	}
	return v.items, nil
}

// deepMerge returns over merged onto base without modifying either: both
// mappings merge key by key, otherwise over replaces base. The keys it
// copies count against the merge budget, and keys are found through an index:
// scanning for each would be quadratic in the size of the mappings.
func (c *config) deepMerge(base, over *node) (*node, error) {
	if base == nil || base == over || !base.isMap() || !over.isMap() {
		return over, nil
	}
	key := [2]*node{base, over}
	if out, ok := c.merged[key]; ok {
		return out, nil
	}
	if err := c.budget.spend(len(base.pairs)+len(over.pairs), over.line); err != nil {
		return nil, err
	}
	out := &node{kind: yaml.MappingNode, tag: over.tag, line: over.line}
	c.merged[key] = out
	out.pairs = append(make([]pair, 0, len(base.pairs)+len(over.pairs)), base.pairs...)
	index := make(map[string]int, len(out.pairs))
	for i, q := range out.pairs {
		index[q.key] = i
	}
	for _, p := range over.pairs {
		i, ok := index[p.key]
		if !ok {
			index[p.key] = len(out.pairs)
			out.pairs = append(out.pairs, p)
			continue
		}
		val, err := c.deepMerge(out.pairs[i].val, p.val)
		if err != nil {
			return nil, err
		}
		out.pairs[i] = pair{key: p.key, keyLine: p.keyLine, val: val}
	}
	return out, nil
}

// withoutKey returns the mapping n without key; n itself is not modified.
func withoutKey(n *node, key string) *node {
	if _, ok := n.get(key); !ok {
		return n
	}
	out := *n
	out.pairs = nil
	for _, p := range n.pairs {
		if p.key != key {
			out.pairs = append(out.pairs, p)
		}
	}
	return &out
}
