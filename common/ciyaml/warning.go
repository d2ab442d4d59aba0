package ciyaml

import (
	"fmt"
	"sort"
)

// Warning is a keyword that is read but not acted on: the job still runs,
// but not exactly as GitLab would run it.
type Warning struct {
	File    string
	Line    int
	Keyword string
	Message string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", w.File, w.Line, w.Keyword, w.Message)
}

// warnings collects Warnings once per keyword and place: through anchors and
// extends the same key can be reached more than once.
type warnings struct {
	file string
	list []Warning
	seen map[Warning]bool
}

func (w *warnings) add(line int, keyword, message string) {
	wr := Warning{File: w.file, Line: line, Keyword: keyword, Message: message}
	if w.seen == nil {
		w.seen = map[Warning]bool{}
	}
	if w.seen[wr] {
		return
	}
	w.seen[wr] = true
	w.list = append(w.list, wr)
}

// sorted returns the warnings in file order, so that output reads top down.
func (w *warnings) sorted() []Warning {
	out := append([]Warning(nil), w.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
