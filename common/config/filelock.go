package config

import (
	"fmt"
	"os"
	"time"
)

// lockWait bounds how long rewrite waits for another command to finish
// with the file: one holds the lock for a read, a parse or two and a
// rename, milliseconds, so a lock held this long is a stuck process, and
// a clear error beats waiting forever.
const lockWait = 30 * time.Second

// lockRetry is how often a held lock is tried again.
const lockRetry = 10 * time.Millisecond

// lockPath is the lock file of config file target: next to it, because
// the file itself is replaced by a rename, and a lock on the replaced
// file would not stop a second writer that opened the new one. It is
// left in place: removing it would let a waiter lock a file that a newer
// caller has already recreated, and the two would both go ahead.
func lockPath(target string) string {
	return target + ".lock"
}

// lockFile takes the exclusive lock on the file at path, creating it
// (mode 0600) when missing, and returns the function that releases it.
func lockFile(path string) (unlock func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot open the lock file: " + err.Error(), Err: err}
	}
	deadline := time.Now().Add(lockWait)
	for {
		held, err := tryLock(f)
		if err == nil && !held {
			return func() { f.Close() }, nil // closing the last descriptor releases the lock
		}
		if err != nil || time.Now().After(deadline) {
			f.Close()
			if err == nil {
				err = fmt.Errorf("another process has held it for over %s", lockWait)
			}
			return nil, &Error{File: path, Msg: "cannot lock the config file: " + err.Error(),
				Allowed: "one command that changes the file at a time (register, unregister, verify --delete); remove the lock file only if none is running", Err: err}
		}
		time.Sleep(lockRetry)
	}
}

// openLockFile opens path for locking. It refuses anything but a regular
// file, so that a link planted at the lock's name cannot make register
// create or open a file elsewhere.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|lockOpenFlags, 0o600)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
