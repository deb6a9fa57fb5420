//go:build !linux && !darwin

package ops

import (
	"errors"
	"io/fs"
)

// diskUsage is not built on this platform: foyer's release targets are
// linux and darwin.
func diskUsage(string) (Disk, error) {
	return Disk{}, errors.New("free-space check not built for this platform")
}

// fileOwner is unknown on this platform.
func fileOwner(fs.FileInfo) (int, bool) { return 0, false }
