//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// detachStdin points the daemon's standard input at the null device.
// foyer serve never reads it, but certmagic, asked for a certificate
// while acme-email is empty, prompts for an email address on standard
// input and waits for a line: in a terminal that would hold the order
// until someone pressed Enter. With standard input at end of file it goes
// on at once, without an email. (Setting acme-email avoids the prompt.)
func detachStdin() {
	f, err := os.Open(os.DevNull)
	if err != nil {
		return
	}
	defer f.Close()
	_ = unix.Dup2(int(f.Fd()), int(os.Stdin.Fd()))
}
