package config

import (
	"errors"
	"fmt"

	"kuberunner/helpers/namedfile"
)

// Limits checked before the TOML library sees the input. The library is
// recursive and builds a map per table, so an inline table nested a few
// thousand levels deep, which fits in a few kilobytes, costs it gigabytes.
// Real files are a few kilobytes and nest about six levels
// (runners[0].kubernetes.services[0].pull_policy[0]).
const (
	// MaxFileSize is the cap on config.toml, the same as on every other
	// file a person names.
	MaxFileSize = namedfile.MaxSize
	// MaxDepth is how deep tables, arrays and inline tables may nest,
	// counting each part of a dotted key or header as a table.
	MaxDepth = 64
	// MaxWeight bounds the keys, tables and arrays of a file, each
	// weighted by its depth+1 (see scanShape): what the TOML library's
	// memory grows with, up to about 800 bytes per unit. A typical runner
	// weighs 100 to 150, one with every key, services and security tables
	// about 320, so this allows 150 to 500 runners and caps loading at
	// about 40 MB of allocation.
	MaxWeight = 50_000
)

// ErrTooDeep and ErrTooHeavy are the causes of an *Error for input nested
// over MaxDepth or weighing over MaxWeight.
var (
	ErrTooDeep  = errors.New("nested too deeply")
	ErrTooHeavy = errors.New("too many keys, tables and arrays")
)

// checkLimits refuses data over MaxFileSize, nested over MaxDepth or
// weighing over MaxWeight, with the file, the line where the limit was
// passed, and the limit.
func checkLimits(name string, data []byte) *Error {
	if len(data) > MaxFileSize {
		return tooLargeError(name, &namedfile.TooLargeError{Path: name, Size: int64(len(data)), Limit: MaxFileSize})
	}
	switch line, over := scanShape(data, MaxDepth, MaxWeight); over {
	case errDepth:
		return &Error{
			File: name, Line: line,
			Msg: fmt.Sprintf("tables, arrays and inline tables nest deeper than the limit of %d levels", MaxDepth),
			Err: ErrTooDeep,
		}
	case errWeight:
		return &Error{
			File: name, Line: line,
			Msg: fmt.Sprintf("the keys, tables and arrays up to here, each counted by its depth, pass the limit of %d", MaxWeight),
			Err: ErrTooHeavy,
		}
	}
	return nil
}

// tooLargeError words a file over MaxFileSize, whether Load found it on disk
// or Parse was handed the bytes.
func tooLargeError(name string, tl *namedfile.TooLargeError) *Error {
	return &Error{
		File: name,
		Msg:  fmt.Sprintf("the file is %d bytes, over the limit of %s", tl.Size, namedfile.FormatSize(tl.Limit)),
		Err:  tl,
	}
}
