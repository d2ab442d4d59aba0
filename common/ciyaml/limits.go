package ciyaml

import (
	"fmt"
	"io"
	"os"
)

// maxFileSize caps the configuration read and parsed. Real pipelines are far
// smaller; parsing costs time and memory in proportion to the size (a
// YAML node can take a few hundred bytes per byte of input), so a stray or
// hostile multi-gigabyte file is refused before it is read in full.
const maxFileSize = 8 << 20

// checkSize refuses data over maxFileSize, naming the file and the limit.
func checkSize(file string, size int) error {
	if size <= maxFileSize {
		return nil
	}
	return &Error{File: file, Err: fmt.Errorf("%w: over the limit of %d MiB (%d bytes)", ErrFileTooLarge, maxFileSize>>20, maxFileSize)}
}

// readFile reads path, but no more than one byte over maxFileSize: enough
// for checkSize to refuse it without holding a huge file in memory.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read CI configuration: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read CI configuration %s: %w", path, err)
	}
	if err := checkSize(path, len(data)); err != nil {
		return nil, err
	}
	return data, nil
}
