package network

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// SystemIDFile is the file, next to config.toml, that keeps the system ID.
const SystemIDFile = ".runner_system_id"

var systemIDPattern = regexp.MustCompile(`^s_[0-9a-f]{12}$`)

// ValidSystemID reports whether id has the form s_ and 12 lowercase hex
// digits.
func ValidSystemID(id string) bool { return systemIDPattern.MatchString(id) }

// NewSystemID makes a random system ID: s_ and 12 lowercase hex digits.
func NewSystemID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "s_" + hex.EncodeToString(b), nil
}

// LoadOrCreateSystemID returns the system ID kept in SystemIDFile in the
// directory of configPath, creating the file (mode 0600) with a new ID
// the first time. An empty file is replaced; a file with anything else
// than an ID is an error, so that a runner never silently changes
// identity. Two processes creating it at once end up with the same ID.
func LoadOrCreateSystemID(configPath string) (string, error) {
	return LoadOrCreateSystemIDFile(SystemIDPath(configPath))
}

// SystemIDPath is where the system ID of the runner configured by
// configPath is kept by default: SystemIDFile next to config.toml.
func SystemIDPath(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), SystemIDFile)
}

// LoadOrCreateSystemIDFile is LoadOrCreateSystemID for an explicit file,
// for a config.toml in a read-only place (a Secret mounted in a pod).
func LoadOrCreateSystemIDFile(path string) (string, error) {
	id, err := readSystemID(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	id, err = NewSystemID()
	if err != nil {
		return "", fmt.Errorf("system id: %w", err)
	}
	if err := publishSystemID(path, id); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process was first: use its ID.
			return readSystemID(path)
		}
		return "", err
	}
	return id, nil
}

// readSystemID reads path; a missing or empty file is fs.ErrNotExist.
func readSystemID(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("system id: %w", err)
	}
	id := strings.TrimSpace(string(data))
	if id == "" {
		_ = os.Remove(path)
		return "", fmt.Errorf("system id: %s is empty: %w", path, fs.ErrNotExist)
	}
	if !ValidSystemID(id) {
		return "", fmt.Errorf("system id: %s holds %q, not s_ and 12 hex digits; fix or delete it", path, id)
	}
	return id, nil
}

// publishSystemID writes id to a temporary file and links it to path, so
// that path appears complete or not at all; fs.ErrExist if path exists.
func publishSystemID(path, id string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), SystemIDFile+".*")
	if err != nil {
		return fmt.Errorf("system id: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("system id: %w", err)
	}
	if _, err := tmp.WriteString(id + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("system id: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("system id: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return err
	}
	// No hard links on this file system: create the file in place.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("system id: %w", err)
	}
	_, err = f.WriteString(id + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("system id: %w", err)
	}
	return nil
}
