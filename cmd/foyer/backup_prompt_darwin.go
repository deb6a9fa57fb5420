package main

import "golang.org/x/sys/unix"

// The termios ioctls of macOS.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
