package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/acme"
)

// Ensure that ca export-root refuses with a hint before there is a CA,
// then prints the root (and only the root, never its key) or writes it to
// --out.
func TestCAExportRoot(t *testing.T) {
	f := newCLIFixture(t)
	_, errOut, code := f.cli("ca", "export-root")
	if code != 1 || !strings.Contains(errOut, "no internal CA yet") || !strings.Contains(errOut, "foyer settings set internal-ca on") {
		t.Fatalf("export-root without a CA: exit %d, %q", code, errOut)
	}
	m, err := acme.New(acme.Options{Certs: f.store, Blobs: f.store})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Configure(acme.IssueConfig{InternalCA: true}); err != nil {
		t.Fatal(err)
	}
	want, err := acme.InternalRoot(t.Context(), f.store)
	if err != nil {
		t.Fatal(err)
	}
	out := f.mustCLI("ca", "export-root")
	if out != string(want) || strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("export-root printed:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "root.pem")
	if out := f.mustCLI("ca", "export-root", "--out", file); out != "" {
		t.Fatalf("export-root --out printed %q", out)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != string(want) {
		t.Fatalf("--out file: %v\n%s", err, b)
	}
}
