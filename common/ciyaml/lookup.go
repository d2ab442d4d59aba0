package ciyaml

// smallMapping is the size up to which scanning a mapping for a key is
// cheaper than building an index of it.
const smallMapping = 8

// get is n.get with an index for large mappings, built on first use and
// kept. A file can hold thousands of top-level keys and name them in as many
// !reference tags or extends entries; scanning for each would make reading
// it quadratic. Nodes are not modified once built, so an index stays valid.
func (c *config) get(n *node, key string) (pair, bool) {
	if !n.isMap() || len(n.pairs) <= smallMapping {
		return n.get(key)
	}
	idx, ok := c.index[n]
	if !ok {
		idx = make(map[string]int, len(n.pairs))
		for i := len(n.pairs) - 1; i >= 0; i-- {
			idx[n.pairs[i].key] = i // the first of a repeated key wins, as in n.get
		}
		c.index[n] = idx
	}
	i, ok := idx[key]
	if !ok {
		return pair{}, false
	}
	return n.pairs[i], true
}
