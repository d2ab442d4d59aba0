package ciyaml

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxReferenceDepth is GitLab's limit on !reference tags nested inside
// what another !reference points at; it also ends reference cycles.
const maxReferenceDepth = 10

// expandRefs returns n with every !reference tag replaced by the value it
// points at. They are expanded after extends, as GitLab does, so a reference
// to a job sees that job's extended form. n is not modified.
func (c *config) expandRefs(n *node, depth int) (*node, error) {
	if n == nil {
		return nil, nil
	}
	if x, ok := c.expanded[n]; ok {
		return x, nil
	}
	x, err := c.expandNode(n, depth)
	if err != nil {
		return nil, err
	}
	c.expanded[n] = x
	return x, nil
}

// expandNode is expandRefs without the memo. The memo matters because
// nodes are shared wherever an alias is used: without it, a small file of
// nested aliases would be walked billions of times.
func (c *config) expandNode(n *node, depth int) (*node, error) {
	if n.tag == "!reference" {
		if depth >= maxReferenceDepth {
			return nil, errorAt(c.file, n, "", fmt.Errorf("%w: nested more than %d deep (a cycle?)", ErrBadReference, maxReferenceDepth))
		}
		target, err := c.lookupRef(n)
		if err != nil {
			return nil, err
		}
		return c.expandRefs(target, depth+1)
	}
	switch n.kind {
	case yaml.SequenceNode:
		var items []*node
		for i, it := range n.items {
			x, err := c.expandRefs(it, depth)
			if err != nil {
				return nil, err
			}
			if x != it && items == nil {
				items = append([]*node(nil), n.items...)
			}
			if items != nil {
				items[i] = x
			}
		}
		if items != nil {
			out := *n
			out.items = items
			return &out, nil
		}
	case yaml.MappingNode:
		var pairs []pair
		for i, p := range n.pairs {
			x, err := c.expandRefs(p.val, depth)
			if err != nil {
				return nil, err
			}
			if x != p.val && pairs == nil {
				pairs = append([]pair(nil), n.pairs...)
			}
			if pairs != nil {
				pairs[i].val = x
			}
		}
		if pairs != nil {
			out := *n
			out.pairs = pairs
			return &out, nil
		}
	}
	return n, nil
}

// lookupRef follows one !reference [key, subkey, ...] from the top level.
func (c *config) lookupRef(ref *node) (*node, error) {
	if ref.kind != yaml.SequenceNode || len(ref.items) == 0 {
		return nil, errorAt(c.file, ref, "", fmt.Errorf("%w: want a list of keys, such as [.setup, script]", ErrBadReference))
	}
	keys := make([]string, len(ref.items))
	for i, it := range ref.items {
		if it.kind != yaml.ScalarNode || it.isNull() {
			return nil, errorAt(c.file, it, "", fmt.Errorf("%w: keys must be strings", ErrBadReference))
		}
		keys[i] = it.value
	}
	path := "[" + strings.Join(keys, ", ") + "]"
	entry, ok := c.get(c.top, keys[0])
	if !ok {
		return nil, errorAt(c.file, ref, "", fmt.Errorf("%w %s: no top-level key %q", ErrBadReference, path, keys[0]))
	}
	cur := entry.val
	if cur.isMap() && !topLevelKeywords[keys[0]] {
		var err error
		if cur, err = c.job(keys[0], ref); err != nil {
			return nil, err
		}
	}
	for _, k := range keys[1:] {
		p, ok := c.get(cur, k)
		if !ok {
			return nil, errorAt(c.file, ref, "", fmt.Errorf("%w %s: no key %q", ErrBadReference, path, k))
		}
		cur = p.val
	}
	return cur, nil
}
