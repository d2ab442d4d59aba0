package config

import (
	"bytes"
	"errors"

	"github.com/BurntSushi/toml"
)

// syntaxError words a TOML parse error at its line. The parser's message
// quotes the input where it stopped, so on a line that sets a secret (or a
// URL) only the line is given: see secretLine.
func syntaxError(name string, data []byte, err error) *Error {
	e := &Error{File: name, Msg: err.Error(), Err: err}
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return e
	}
	e.Line, e.Msg = pe.Position.Line, "invalid TOML: "+pe.Message
	if secretLine(lineText(data, pe.Position.Line), pe.LastKey) {
		e.Msg = "invalid TOML (the details are not shown: the line sets a secret or a URL)"
		e.Err = ErrSecretRedacted
	}
	return e
}

// lineText returns line n (1-based) of data, without its newline.
func lineText(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return string(data)
}
