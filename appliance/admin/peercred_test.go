//go:build linux || darwin

package admin

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestPeerUIDOfRealSocket(t *testing.T) {
	// Ensure that the peer uid read from a real unix socket is this process's uid.
	ln, err := Listen(filepath.Join(t.TempDir(), "admin.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	uid, err := peerUID(sc)
	if err != nil || uid != os.Getuid() {
		t.Fatalf("peerUID = %d, %v; want %d", uid, err, os.Getuid())
	}
	if _, err := peerUID(&net.TCPConn{}); err == nil {
		t.Errorf("peerUID of a TCP connection succeeded, want an error")
	}
}
