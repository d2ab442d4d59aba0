package config

import (
	"errors"
	"io/fs"
	"reflect"

	"github.com/BurntSushi/toml"

	"kuberunner/helpers/namedfile"
)

// Load reads and checks config.toml at path. See Parse. A path that is
// missing, unreadable, not a regular file or over MaxFileSize is an *Error
// naming it; the caller decides nothing from it but to stop, because a
// named file that cannot be read must never turn into built-in defaults.
func Load(path string) (*Config, []Warning, error) {
	data, err := namedfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, nil, errors.Join(readError(path, err))
	}
	return Parse(path, data)
}

// readError words a namedfile.Read failure; the path is already in File.
func readError(path string, err error) *Error {
	e := &Error{File: path, Err: err}
	var pe *fs.PathError
	var nr *namedfile.NotRegularError
	var tl *namedfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		e.Msg = "not a regular file (it is " + namedfile.Kind(nr.Mode) + ")"
	case errors.As(err, &tl):
		return tooLargeError(path, tl)
	case errors.As(err, &pe):
		e.Msg = "cannot read the file: " + pe.Err.Error()
	default:
		e.Msg = "cannot read the file: " + err.Error()
	}
	return e
}

// Parse decodes config.toml from data; name is used in messages.
//
// Keys kuberunner does not support become warnings, one per key (a whole
// unsupported table counts as one key). Every other problem is a
// *Error; all of them are collected and returned joined with
// errors.Join, in file order. On error the Config is nil, but the warnings
// are still returned so a caller can show everything at once.
func Parse(name string, data []byte) (*Config, []Warning, error) {
	if e := checkLimits(name, data); e != nil {
		return nil, nil, errors.Join(e)
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, nil, errors.Join(syntaxError(name, data, err))
	}

	d := &decoder{file: name, lines: indexLines(data)}
	cfg := &Config{}
	d.decodeTable(raw, reflect.ValueOf(cfg).Elem(), nil)
	cfg.applyDefaults()
	d.validate(cfg)

	warnings, err := d.sorted()
	if err != nil {
		return nil, warnings, err
	}
	return cfg, warnings, nil
}
