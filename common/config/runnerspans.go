package config

import "bytes"

// span is a byte range [start, end) of a config file's text.
type span struct{ start, end int }

// runnerSpans finds the text of each [[runners]] entry in data, which the
// TOML parser has accepted: from its header to the next header that
// starts another entry or a table outside runners ([session_server]), or
// to the end of the file. Its subtables ([runners.kubernetes] and deeper)
// are inside. The comment lines right above a header go with that header,
// so a comment that introduces an entry leaves with it and one that
// introduces the next table stays.
//
// It walks the file with cursor's moves, as the line index does, so a
// "[[runners]]" inside a multi-line string is not taken for a header. ok
// is false when a header could not be read; the caller must then not
// edit the file.
func runnerSpans(data []byte) (spans []span, ok bool) {
	s := &spanScanner{cursor: newCursor(data), ok: true}
	s.pos = len(data) - len(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	s.stmtEnd = s.pos
	s.statements(s.header, s.keyValue)
	s.close(len(data))
	return s.spans, s.ok
}

type spanScanner struct {
	cursor
	spans []span
	open  bool // the last span has no end yet
	// stmtEnd is where the last statement ended: between it and the next
	// statement there are only blank lines and comments.
	stmtEnd int
	ok      bool
}

func (s *spanScanner) keyValue() bool {
	if _, ok := s.key(nil); ok && s.peek() == '=' {
		s.pos++
		s.skipValue(nil)
	} else {
		s.skipLine()
	}
	s.stmtEnd = s.pos
	return true
}

func (s *spanScanner) header() bool {
	start := s.attachedComments(s.pos)
	s.pos++
	array := s.peek() == '['
	if array {
		s.pos++
	}
	var keys []string
	_, ok := s.key(func(raw []byte) { keys = append(keys, keyName(raw)) })
	s.skipLine()
	s.stmtEnd = s.pos
	if !ok {
		s.ok = false
		return false
	}
	switch {
	case array && len(keys) == 1 && keys[0] == "runners":
		s.close(start)
		s.spans = append(s.spans, span{start: start})
		s.open = true
	case keys[0] != "runners":
		s.close(start)
	}
	return true
}

// close ends the open span, if any, at end.
func (s *spanScanner) close(end int) {
	if s.open {
		s.spans[len(s.spans)-1].end = end
		s.open = false
	}
}

// attachedComments is where the header at pos begins with the comment
// lines right above it (no blank line between), searched back no further
// than the end of the last statement.
func (s *spanScanner) attachedComments(pos int) int {
	start := lineStart(s.src, s.stmtEnd, pos)
	for start > s.stmtEnd {
		prev := lineStart(s.src, s.stmtEnd, start-1)
		if line := bytes.TrimSpace(s.src[prev:start]); len(line) == 0 || line[0] != '#' {
			break
		}
		start = prev
	}
	return start
}

// lineStart is the start of the line that holds pos, but not before floor.
func lineStart(src []byte, floor, pos int) int {
	i := bytes.LastIndexByte(src[floor:pos], '\n')
	if i < 0 {
		return floor
	}
	return floor + i + 1
}
