package cachearchive

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// extractedState is what Extract found, for Archive: the fingerprint of each key
// extracted, taken right after extracting it. It lives in the request's
// StateDir, which the two commands share through the builds volume.
type extractedState struct {
	Extracted map[string]string `json:"extracted"`
}

const stateFile = "state.json"

func loadState(dir string) extractedState {
	s := extractedState{Extracted: map[string]string{}}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err == nil {
		_ = json.Unmarshal(b, &s) // a broken file is as good as none: the cache is uploaded
	}
	if s.Extracted == nil {
		s.Extracted = map[string]string{}
	}
	return s
}

func (s extractedState) save(dir string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, stateFile))
}

// makeStateDir makes dir, refusing a symlink there.
func makeStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "state dir", Path: dir, Err: errors.New("is not a directory")}
	}
	return nil
}
