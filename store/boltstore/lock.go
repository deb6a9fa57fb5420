package boltstore

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/foyerhq/foyer/store"
)

// File names inside the data directory.
const (
	dbName  = "foyer.db"
	pidName = "foyer.pid"
)

// openFiles is the set of foyer.db files this process has open, by absolute
// path. bbolt's flock already refuses a second open on Linux, but only
// after the lock timeout and not on every platform (fcntl locks are per
// process); the set refuses it at once everywhere.
var openFiles = struct {
	sync.Mutex // guards paths
	paths      map[string]bool
}{paths: map[string]bool{}}

// claim registers path as open in this process, or returns false if it
// already is.
func claim(path string) bool {
	openFiles.Lock()
	defer openFiles.Unlock()
	if openFiles.paths[path] {
		return false
	}
	openFiles.paths[path] = true
	return true
}

// release forgets path.
func release(path string) {
	openFiles.Lock()
	defer openFiles.Unlock()
	delete(openFiles.paths, path)
}

// prepareDir creates dir with mode 0700, or tightens an existing one to
// 0700. The store holds private keys, and a directory systemd or an
// operator created with 0755 is common, so foyer fixes the mode rather than
// refusing to start. It refuses a shared directory (sticky or
// world-writable, such as /tmp) instead: that is not foyer's to chmod, and
// foyer.db must not live there.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("inspect data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", dir)
	}
	mode := fi.Mode()
	if mode&fs.ModeSticky != 0 || mode.Perm()&0o002 != 0 {
		return fmt.Errorf("data directory %s is shared (mode %s); give foyer a directory of its own, e.g. --data %s",
			dir, mode, filepath.Join(dir, "foyer"))
	}
	if mode.Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s has mode %s and foyer cannot make it owner-only (chmod 700 %s): %w",
			dir, mode.Perm(), dir, err)
	}
	return nil
}

// tightenFile makes an existing foyer.db owner-only, as a new one is.
func tightenFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("make %s owner-only: %w", path, err)
	}
	return nil
}

// writePid records this process's pid in path, through a rename so a
// reader never sees half a number.
func writePid(path string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}

// readPid returns the pid recorded in path, or 0.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// lockedError is the error for a foyer.db another process holds: it wraps
// store.ErrLocked, names the file and the holder, and says what to do.
func lockedError(dir string) error {
	holder := "pid unknown: no " + pidName
	if pid := readPid(filepath.Join(dir, pidName)); pid > 0 {
		holder = "pid " + strconv.Itoa(pid)
	}
	return store.Errf(store.ErrLocked, "", "",
		"%s in %s is locked by another foyer process (%s); stop it, or talk to it through its admin socket (foyer status --data %s)",
		dbName, dir, holder, dir)
}

// openHereError is the error for a second open of a file this process
// already has open.
func openHereError(dir string) error {
	return store.Errf(store.ErrLocked, "", "",
		"%s in %s is already open in this foyer process (pid %d); close the open store first",
		dbName, dir, os.Getpid())
}
