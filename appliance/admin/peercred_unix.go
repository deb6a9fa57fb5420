//go:build linux || darwin

package admin

import (
	"fmt"
	"net"
	"syscall"
)

// rawConn returns the file descriptor access of a unix socket connection.
func rawConn(c net.Conn) (syscall.RawConn, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, fmt.Errorf("reading peer credentials: %T is not a unix socket connection", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("reading peer credentials: %w", err)
	}
	return raw, nil
}
