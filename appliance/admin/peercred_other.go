//go:build !linux && !darwin

package admin

import (
	"fmt"
	"net"
	"runtime"
)

// peerUID cannot read peer credentials on this system, so the admin socket
// refuses every connection rather than trusting file modes alone.
func peerUID(net.Conn) (int, error) {
	return -1, fmt.Errorf("peer credentials are not supported on %s", runtime.GOOS)
}
