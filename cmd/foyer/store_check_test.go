package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that `foyer store check` passes a sound data directory, refuses
// clearly while the daemon holds it, and fails a foyer.db with a flipped
// byte in a data page with a clear message, leaving the file as it was.
func TestStoreCheckE2E(t *testing.T) {
	dir := shortTempDir(t)
	d := startDaemon(t, dir)
	d.must("tenant", "add", "acme", "--name", "Store Check Marker Inc")

	out, errOut, code := d.run("store", "check")
	if code == 0 || !strings.Contains(errOut, "is locked by the running foyer") ||
		!strings.Contains(errOut, "hint: stop foyer first, or run `foyer doctor") {
		t.Fatalf("store check with the daemon running: exit %d\n%s%s", code, out, errOut)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	out = d.must("store", "check")
	if !strings.Contains(out, "foyer.db: sound") || !strings.Contains(out, "logs.db: sound") {
		t.Fatalf("store check of a sound directory:\n%s", out)
	}

	path := filepath.Join(dir, "foyer.db")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	marker := []byte("Store Check Marker Inc")
	if bytes.Count(raw, marker) == 0 {
		t.Fatal("the tenant's record is not in foyer.db")
	}
	for i := 0; ; { // every copy: the live record and stale page copies
		j := bytes.Index(raw[i:], marker)
		if j < 0 {
			break
		}
		raw[i+j-1] = '}' // the quote that opens the name: the JSON no longer parses
		i += j + len(marker)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(raw)
	out, errOut, code = d.run("store", "check")
	if code == 0 {
		t.Fatalf("store check of a corrupt file exited 0:\n%s", out)
	}
	if !strings.Contains(out, "fail  "+path) || !strings.Contains(out, "do not decode") ||
		!strings.Contains(errOut, "the files were not changed") || !strings.Contains(errOut, "hint: restore foyer.db from a backup") {
		t.Errorf("store check of a corrupt file:\n%s%s", out, errOut)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(after) != before {
		t.Error("store check changed the corrupt file")
	}
}
