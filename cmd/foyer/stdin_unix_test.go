//go:build unix

package main

import (
	"errors"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Ensure that after detachStdin a read of standard input ends at once
// with EOF, as certmagic's email prompt needs it to.
func TestDetachStdin(t *testing.T) {
	r, w, err := os.Pipe() // a stdin that would block: nothing is ever written
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	defer r.Close()
	saved, err := dupStdin(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer restoreStdin(saved)
	detachStdin()
	n, err := os.Stdin.Read(make([]byte, 1))
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read after detach: %d, %v; want 0, EOF", n, err)
	}
}

// dupStdin saves the test process's standard input and puts fd there.
func dupStdin(fd int) (int, error) {
	saved, err := unix.Dup(int(os.Stdin.Fd()))
	if err != nil {
		return 0, err
	}
	return saved, unix.Dup2(fd, int(os.Stdin.Fd()))
}

// restoreStdin puts the saved standard input back.
func restoreStdin(saved int) {
	unix.Dup2(saved, int(os.Stdin.Fd()))
	unix.Close(saved)
}
