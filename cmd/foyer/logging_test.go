package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that the daemon logs JSON lines when stderr is not a terminal
// (a file here), at the level asked, and refuses an unknown level with
// the levels it knows.
func TestNewLoggerJSONWhenNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log, err := newLogger(f, "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "tenant", "acme")
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines at level warn, want 1:\n%s", len(lines), b)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not a JSON line: %v\n%s", err, lines[0])
	}
	if rec["msg"] != "shown" || rec["tenant"] != "acme" || rec["level"] != "WARN" {
		t.Fatalf("record %v, want msg shown, tenant acme, level WARN", rec)
	}
	if _, err := newLogger(f, "loud"); err == nil || !strings.Contains(err.Error(), "debug, info, warn or error") {
		t.Fatalf("level loud: %v, want an error naming the levels", err)
	}
}

// Ensure that a character device counts as a terminal and a file or an
// in-memory writer does not.
func TestIsTerminal(t *testing.T) {
	if isTerminal(&strings.Builder{}) {
		t.Error("a strings.Builder is not a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer null.Close()
	if !isTerminal(null) {
		t.Errorf("%s is a character device, as a terminal is", os.DevNull)
	}
}
