package ciyaml

import (
	"errors"
	"fmt"
	"kuberunner/helpers/namedfile"
)

// maxFileSize caps the configuration read and parsed. Real pipelines are far
// smaller; parsing costs time and memory in proportion to the size (a
// YAML node can take a few hundred bytes per byte of input), so a stray or
// hostile multi-gigabyte file is refused before it is read in full.
const maxFileSize = namedfile.MaxSize

// checkSize refuses data over maxFileSize, naming the file and the limit.
func checkSize(file string, size int) error {
	if size <= maxFileSize {
		return nil
	}
	return &Error{File: file, Err: fmt.Errorf("%w: over the limit of %d MiB (%d bytes)", ErrFileTooLarge, maxFileSize>>20, maxFileSize)}
}

// readFile reads path as a named file: a pipe or a device is refused rather
// than waited on, and nothing over maxFileSize is read.
func readFile(path string) ([]byte, error) {
	data, err := namedfile.Read(path, maxFileSize)
	var tooLarge *namedfile.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, checkSize(path, int(tooLarge.Size))
	}
	if err != nil {
		return nil, fmt.Errorf("read CI configuration: %w", err)
	}
	return data, nil
}
