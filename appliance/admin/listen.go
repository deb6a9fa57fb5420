package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Listen opens the admin socket at path with mode 0600. The directory must
// exist. If a socket file is already there, Listen dials it: when something
// answers, another foyer is serving and Listen refuses; when nothing does,
// the file is stale and is removed. Closing the listener removes the file.
//
// The socket is created inside a private (0700) temporary directory next
// to path, set to 0600 and then renamed into place, so there is no moment
// when a looser mode is visible and no process-wide umask is changed.
func Listen(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("listening on %s: directory %s does not exist; create it or choose another data directory", path, dir)
	}
	if err := clearStale(path); err != nil {
		return nil, err
	}
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	return ln, nil
}

// clearStale removes a socket file at path that nobody answers on, and
// refuses when someone does or when path is not a socket.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket; move it away and start again", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("another foyer is serving on %s (its data directory is in use); stop it first", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("checking whether %s is in use: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing stale socket %s: %w", path, err)
	}
	return nil
}

// listenPrivate creates the socket in a 0700 temporary directory beside
// path, makes it 0600 and renames it to path.
func listenPrivate(path string) (net.Listener, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".s")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	tmpSock := filepath.Join(tmp, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmpSock, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false) // it is renamed; socketListener removes path
	if err := os.Chmod(tmpSock, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	if err := os.Rename(tmpSock, path); err != nil {
		ln.Close()
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return &socketListener{UnixListener: ln, path: path, file: fi}, nil
}

// socketListener removes its socket file when closed, unless another
// process has replaced it meanwhile.
type socketListener struct {
	*net.UnixListener
	path string
	file os.FileInfo // the socket file as created, to recognise it

	once sync.Once // guards the removal
}

// Close implements net.Listener.
func (l *socketListener) Close() error {
	err := l.UnixListener.Close()
	l.once.Do(func() {
		if fi, statErr := os.Lstat(l.path); statErr == nil && os.SameFile(fi, l.file) {
			os.Remove(l.path)
		}
	})
	return err
}

// Addr implements net.Listener with the socket's final path.
func (l *socketListener) Addr() net.Addr { return &net.UnixAddr{Name: l.path, Net: "unix"} }
