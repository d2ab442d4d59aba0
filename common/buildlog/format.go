package buildlog

import (
	"errors"
	"fmt"
	"strings"
)

// Format picks how the build log renders sections. Colours are the same
// in both formats because GitLab's job log renders ANSI colours too.
type Format string

const (
	// LogFormatTerminal is for a person at a terminal: sections are headers.
	LogFormatTerminal Format = "terminal"
	// LogFormatGitLab adds GitLab's section markers, so that the same output
	// pasted into (or sent as) a GitLab job log has collapsible sections.
	LogFormatGitLab Format = "gitlab"
)

// ErrUnknownLogFormat is wrapped by ParseFormat for a name it does not know.
var ErrUnknownLogFormat = errors.New("unknown log format")

// ParseFormat reads a --log-format value. The empty string is the default,
// terminal, so that an unset flag needs no special case at the caller.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", LogFormatTerminal:
		return LogFormatTerminal, nil
	case LogFormatGitLab:
		return LogFormatGitLab, nil
	}
	return "", fmt.Errorf("%w %q: want %q or %q", ErrUnknownLogFormat, s, LogFormatTerminal, LogFormatGitLab)
}

// The escape sequences GitLab Runner writes into job logs, so that our output
// looks the same in GitLab's log view and in a terminal.
const (
	ansiBoldRed   = "\x1b[31;1m"
	ansiBoldGreen = "\x1b[32;1m"
	ansiBoldCyan  = "\x1b[36;1m"
	ansiYellow    = "\x1b[0;33m"
	ansiReset     = "\x1b[0;m"
	// ansiClear erases to the end of the line; GitLab's section markers end
	// with it so that a terminal hides the marker text behind the header.
	ansiClear = "\x1b[0K"
)

// sectionStartLine renders the start of a section. GitLab Runner's own form
// is used ("section_start:<ts>:<name>\r\x1b[0K<header>"); GitLab's docs for
// hand-written markers also prepend \x1b[0K, which the parser does not need.
func sectionStartLine(format Format, unix int64, name, header string) string {
	colored := ansiBoldCyan + header + ansiReset + "\n"
	if format != LogFormatGitLab {
		return colored
	}
	return fmt.Sprintf("section_start:%d:%s\r%s", unix, sanitizeSectionName(name), ansiClear) + colored
}

// sectionEndLine renders the end of a section; a terminal shows nothing.
func sectionEndLine(format Format, unix int64, name string) string {
	if format != LogFormatGitLab {
		return ""
	}
	return fmt.Sprintf("section_end:%d:%s\r%s\n", unix, sanitizeSectionName(name), ansiClear)
}

// sanitizeSectionName keeps the characters GitLab allows in a section name
// (letters, digits, '_', '.', '-') and turns every other one into '_': GitLab
// does not recognise a marker with any other character, and would show it as
// plain text instead of a section.
func sanitizeSectionName(name string) string {
	if name == "" {
		return "section"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '_'
	}, name)
}
