package ciyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// readTop parses data and returns its top-level mapping. A file may start
// with a `spec:` header document (CI/CD inputs) before the pipeline; that is
// the only multi-document form GitLab accepts. Merge keys spend budget.
func readTop(file string, data []byte, warn *warnings, budget *mergeBudget) (*node, error) {
	if err := checkSize(file, len(data)); err != nil {
		return nil, err
	}
	var docs []*yaml.Node
	lines := &lineReader{data: data}
	dec := yaml.NewDecoder(lines)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(file, err, lines.read)
		}
		docs = append(docs, &doc)
	}
	b := newBuilder(file, warn, budget)
	if len(docs) == 0 {
		return &node{kind: yaml.MappingNode, line: 1}, nil
	}
	if len(docs) == 2 {
		header, err := b.build(docs[0])
		if err != nil {
			return nil, err
		}
		if p, ok := header.get("spec"); ok && len(header.pairs) == 1 {
			warn.add(p.keyLine, "spec", "CI/CD inputs are not supported; $[[ inputs.* ]] are left as written")
			docs = docs[1:]
		}
	}
	if len(docs) > 1 {
		return nil, &Error{File: file, Line: docs[1].Line, Err: fmt.Errorf("%w: more than one YAML document", ErrInvalid)}
	}
	top, err := b.build(docs[0])
	if err != nil {
		return nil, err
	}
	if top.isNull() {
		return &node{kind: yaml.MappingNode, line: top.line}, nil
	}
	if !top.isMap() {
		return nil, errorAt(file, top, "", invalid("a mapping of jobs and keywords at the top level", top))
	}
	return top, nil
}

// yamlPosition matches the position yaml.v3 writes into its messages.
var yamlPosition = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError extracts the line from a yaml.v3 parse error. yaml.v3 has no
// structured error for syntax problems; its message is the only place the
// line exists, so this is the one place the package reads error text, and it
// only extracts data from it, it does not branch on it.
func syntaxError(file string, err error, stoppedAt int) error {
	e := &SyntaxError{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: "), StoppedAt: stoppedAt, Err: err}
	if m := yamlPosition.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Message = m[2]
	}
	return e
}

// lineReader hands the YAML parser one line per Read and counts them. The
// parser cannot report a problem in text it has not read, so the count when
// it fails is a line the problem is on or before. yaml.v3 names the line
// where the enclosing block starts for structure errors, which can be far
// above the mistake; the two together bracket it.
//
// yaml.v3 reads at most 512 bytes at a time, so a line longer than that
// takes many Reads. The end of the line is therefore searched for once, when
// the line starts, and remembered in left: searching from the current
// position on every Read would scan the rest of the line again each time,
// which made a single long line quadratic: 16 MiB took over 20 seconds.
type lineReader struct {
	data []byte
	read int
	// left is how much of the current line, newline included, has not been
	// handed out yet; 0 when the next Read starts a new line.
	left int
	// scanned counts the bytes searched for a newline, so that a test can
	// check that each byte is searched once.
	scanned int
}

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.left == 0 {
		r.left = len(r.data)
		if i := bytes.IndexByte(r.data, '\n'); i >= 0 {
			r.left = i + 1
		}
		r.scanned += r.left
	}
	n := copy(p, r.data[:r.left])
	r.data = r.data[n:]
	r.left -= n
	if r.left == 0 {
		r.read++
	}
	return n, nil
}
