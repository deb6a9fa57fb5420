package admin

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListenMode0600(t *testing.T) {
	// Ensure that the socket is created with mode 0600 and no temporary files are left.
	dir := t.TempDir()
	path := filepath.Join(dir, "admin.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want a socket with 0600", fi.Mode())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the socket", len(ents))
	}
	if got := ln.Addr().String(); got != path {
		t.Errorf("Addr %q, want %q", got, path)
	}
}

func TestListenRemovesStaleSocket(t *testing.T) {
	// Ensure that a socket file nobody listens on is replaced.
	path := filepath.Join(t.TempDir(), "admin.sock")
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("stale socket not in place: %v", err)
	}
	ln, err := Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	ln.Close()
}

func TestListenRefusesLiveSocket(t *testing.T) {
	// Ensure that a socket someone answers on is refused with an error naming its path.
	path := filepath.Join(t.TempDir(), "admin.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // answer the probe
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	_, err = Listen(path)
	if err == nil || !strings.Contains(err.Error(), "another foyer is serving on "+path) {
		t.Fatalf("second Listen: %v, want a refusal naming %s", err, path)
	}
	if _, statErr := os.Lstat(path); statErr != nil {
		t.Errorf("the live socket was removed: %v", statErr)
	}
}

func TestListenRefusesNonSocket(t *testing.T) {
	// Ensure that a regular file at the socket's path is left alone.
	path := filepath.Join(t.TempDir(), "admin.sock")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Fatalf("Listen: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("file changed to %q", b)
	}
}

func TestListenMissingDirectory(t *testing.T) {
	// Ensure that Listen names a missing directory instead of creating it.
	path := filepath.Join(t.TempDir(), "nope", "admin.sock")
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Listen: %v, want a missing-directory error", err)
	}
}

func TestCloseKeepsReplacedSocket(t *testing.T) {
	// Ensure that closing a listener does not remove a socket another process put in its place.
	path := filepath.Join(t.TempDir(), "admin.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	other, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ln.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("the other socket was removed: %v", err)
	}
}
