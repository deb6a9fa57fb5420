package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// Ensure that a port already in use stops `foyer serve` with an error
// that names the address and a hint that says what to do.
func TestServeBusyPortHint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	f := listenFlags{http: ln.Addr().String(), logLevel: "error"}
	log, _ := newLogger(&strings.Builder{}, "error")
	err = serve(t.Context(), dir, f, log, nil)
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("serve on a busy port: %v", err)
	}
	if h := hintOf(err); !strings.Contains(h, "another program listens there") {
		t.Fatalf("hint %q", h)
	}
	if h := hintOf(fmt.Errorf("other: %w", err)); h == "" {
		t.Fatal("hint lost when wrapped")
	}
}
