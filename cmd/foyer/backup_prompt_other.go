//go:build !linux && !darwin

package main

import (
	"errors"
	"os"
)

// echoOff is not built for this platform: passphrases come from
// --passphrase-file here.
func echoOff(*os.File) (func(), error) {
	return nil, errors.New("not supported on this platform")
}
