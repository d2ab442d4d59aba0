package config

import (
	"errors"
	"io/fs"
	"os"
	"reflect"

	"github.com/BurntSushi/toml"
)

// Load reads and checks config.toml at path. See Parse.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error() // the path is already in File
		}
		return nil, nil, errors.Join(&Error{File: path, Msg: "cannot read the file: " + msg, Err: err})
	}
	return Parse(path, data)
}

// Parse decodes config.toml from data; name is used in messages.
//
// Keys kuberunner does not support become warnings, one per key (a whole
// unsupported table counts as one key). Every other problem is a
// *Error; all of them are collected and returned joined with
// errors.Join, in file order. On error the Config is nil, but the warnings
// are still returned so a caller can show everything at once.
func Parse(name string, data []byte) (*Config, []Warning, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		e := &Error{File: name, Msg: err.Error(), Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Msg = pe.Position.Line, "invalid TOML: "+pe.Message
		}
		return nil, nil, errors.Join(e)
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
