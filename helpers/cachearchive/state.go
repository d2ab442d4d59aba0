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
	f, err := createFile(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, stateFile))
}

// createFile makes a new file at p for writing, removing what was there
// first. The job's script can write to the builds volume between the
// helper's commands; O_EXCL never opens an existing path, so a symlink
// it put there is not written through.
func createFile(p string) (*os.File, error) {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
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
