package ciyaml

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// node is a YAML value with aliases followed and merge keys applied, so that
// the rest of the package never meets either. Nodes are shared between the
// places an alias is used and must not be modified once built; merging
// builds new nodes.
type node struct {
	kind yaml.Kind // ScalarNode, SequenceNode or MappingNode
	// tag is yaml's short tag ("!!str", "!!null", ...) or a custom one
	// ("!reference").
	tag   string
	value string // scalars only
	line  int
	items []*node // sequences
	pairs []pair  // mappings, in file order
}

type pair struct {
	key     string
	keyLine int
	val     *node
}

func (n *node) isNull() bool { return n == nil || (n.kind == yaml.ScalarNode && n.tag == "!!null") }

func (n *node) isMap() bool { return n != nil && n.kind == yaml.MappingNode }

// get returns the value of key in a mapping.
func (n *node) get(key string) (pair, bool) {
	if !n.isMap() {
		return pair{}, false
	}
	for _, p := range n.pairs {
		if p.key == key {
			return p, true
		}
	}
	return pair{}, false
}

// describe names the node's shape for error messages.
func (n *node) describe() string {
	switch {
	case n.isNull():
		return "nothing"
	case n.kind == yaml.MappingNode:
		return "a mapping"
	case n.kind == yaml.SequenceNode:
		return "a list"
	}
	return quoteShort(n.value)
}

// maxQuoted is how much of a value an error message shows.
const maxQuoted = 64

// quoteShort quotes s for a message, cut to maxQuoted bytes: a value can be
// megabytes on one line, and the message only needs enough to find it.
func quoteShort(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// builder turns yaml.Nodes into nodes. It remembers what it built so that an
// anchor used a thousand times is built once, and what it is building so that
// an alias inside its own anchor is an error rather than endless recursion.
type builder struct {
	file     string
	warn     *warnings
	done     map[*yaml.Node]*node
	building map[*yaml.Node]bool
	budget   *mergeBudget
}

func newBuilder(file string, warn *warnings, budget *mergeBudget) *builder {
	return &builder{file: file, warn: warn, done: map[*yaml.Node]*node{}, building: map[*yaml.Node]bool{}, budget: budget}
}

func (b *builder) build(y *yaml.Node) (*node, error) {
	if y.Kind == yaml.AliasNode {
		if b.building[y.Alias] {
			return nil, &Error{File: b.file, Line: y.Line, Err: fmt.Errorf("%w: *%s", ErrAliasCycle, y.Value)}
		}
		return b.build(y.Alias)
	}
	if n, ok := b.done[y]; ok {
		return n, nil
	}
	b.building[y] = true
	defer delete(b.building, y)

	n := &node{kind: y.Kind, tag: y.ShortTag(), value: y.Value, line: y.Line}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: yaml.MappingNode, line: y.Line}, nil
		}
		return b.build(y.Content[0])
	case yaml.SequenceNode:
		for _, c := range y.Content {
			item, err := b.build(c)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, item)
		}
	case yaml.MappingNode:
		if err := b.buildMapping(n, y); err != nil {
			return nil, err
		}
	case yaml.ScalarNode:
	default:
		return nil, &Error{File: b.file, Line: y.Line, Err: fmt.Errorf("%w: unexpected YAML node kind %d", ErrInvalid, y.Kind)}
	}
	b.done[y] = n
	return n, nil
}

// buildMapping fills n from y, applying merge keys as YAML 1.1 defines them:
// a key written in the mapping wins over a merged one, and among several
// merged mappings the earlier wins. A key written twice keeps the later
// value, as GitLab's parser does, with a warning because it is usually a
// mistake. Merging the same mapping twice adds nothing, so a repeat is
// skipped; the keys merged count against the merge budget.
func (b *builder) buildMapping(n *node, y *yaml.Node) error {
	explicit := map[string]bool{}
	for i := 0; i+1 < len(y.Content); i += 2 {
		if k := y.Content[i]; k.ShortTag() != "!!merge" {
			explicit[k.Value] = true
		}
	}
	index := map[string]int{}
	var mergedFrom map[*node]bool // made on the first merge key
	set := func(p pair, fromMerge bool) {
		i, seen := index[p.key]
		switch {
		case seen && fromMerge:
			// An earlier merge or the mapping itself already set it.
		case seen:
			b.warn.add(p.keyLine, p.key, fmt.Sprintf("defined twice (also on line %d); the later value is used", n.pairs[i].keyLine))
			n.pairs[i] = p
		default:
			index[p.key] = len(n.pairs)
			n.pairs = append(n.pairs, p)
		}
	}
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		val, err := b.build(v)
		if err != nil {
			return err
		}
		if k.ShortTag() == "!!merge" {
			merged, err := b.mergeSources(val, k.Line)
			if err != nil {
				return err
			}
			for _, m := range merged {
				if mergedFrom[m] {
					continue
				}
				if mergedFrom == nil {
					mergedFrom = map[*node]bool{}
				}
				mergedFrom[m] = true
				if err := b.budget.spend(len(m.pairs), k.Line); err != nil {
					return err
				}
				for _, p := range m.pairs {
					if !explicit[p.key] {
						set(p, true)
					}
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return &Error{File: b.file, Line: k.Line, Err: fmt.Errorf("%w: mapping keys must be strings", ErrInvalid)}
		}
		set(pair{key: k.Value, keyLine: k.Line, val: val}, false)
	}
	return nil
}

// mergeSources is the value of "<<": one mapping or a list of them.
func (b *builder) mergeSources(val *node, line int) ([]*node, error) {
	if val.isMap() {
		return []*node{val}, nil
	}
	if val.kind == yaml.SequenceNode {
		for _, it := range val.items {
			if !it.isMap() {
				return nil, &Error{File: b.file, Line: it.line, Keyword: "<<", Err: invalid("a mapping to merge", it)}
			}
		}
		return val.items, nil
	}
	return nil, &Error{File: b.file, Line: line, Keyword: "<<", Err: invalid("a mapping or a list of mappings to merge", val)}
}
