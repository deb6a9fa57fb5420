package boltstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
	"github.com/foyerhq/foyer/store/storetest"
)

// mustOpen opens the store in dir and registers its Close, then a check of
// the file (reopened, so it is the file on disk that is checked), with
// t.Cleanup, as bbolt's internal/btesting does.
func mustOpen(t *testing.T, dir string, opts boltstore.Options) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(dir, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		mustCheck(t, dir, opts)
	})
	return s
}

// mustCheck opens dir and runs bbolt's consistency check on it.
func mustCheck(t *testing.T, dir string, opts boltstore.Options) {
	t.Helper()
	s, err := boltstore.Open(dir, opts)
	if err != nil {
		t.Errorf("reopen for check: %v", err)
		return
	}
	defer s.Close()
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("consistency check: %v", err)
	}
}

func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), "test", fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return sha256.Sum256(b)
}

func TestConformance(t *testing.T) {
	// Ensure that boltstore passes the store conformance suite on real files.
	storetest.Run(t, func(t *testing.T) store.Store {
		return mustOpen(t, t.TempDir(), boltstore.Options{})
	})
}

// seed writes one of everything into s.
func seed(t *testing.T, s store.Store) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		st := store.DefaultSettings()
		st.BaseDomain = "saas.example.com"
		if err := tx.SetSettings(st); err != nil {
			return err
		}
		for _, slug := range []string{"acme", "blue", "zeta"} {
			if err := tx.CreateTenant(&store.Tenant{Slug: slug, Name: strings.ToUpper(slug)}); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://10.0.0.1:8080"}); err != nil {
			return err
		}
		if err := tx.AddBackend(&store.Backend{Tenant: "acme", Pool: "api", URL: "https://api.internal", Weight: 3}); err != nil {
			return err
		}
		return tx.AddDomain(&store.Domain{Tenant: "acme", Name: "shop.acme.com"})
	})
}

func TestReopen(t *testing.T) {
	// Ensure that everything, the revision and the audit trail included, is
	// there after a close and a reopen, and that the revision goes on.
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, boltstore.Options{})
	seed(t, s)
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	audit, _ := s.AuditLog(ctx, 0, 0)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s = mustOpen(t, dir, boltstore.Options{})
	if s.Revision() != snap.Revision || snap.Revision != 2 {
		t.Fatalf("revision after reopen %d, before %d; want 2", s.Revision(), snap.Revision)
	}
	again, err := s.Snapshot(ctx)
	if err != nil || !reflect.DeepEqual(again, snap) {
		t.Fatalf("snapshot after reopen differs (%v):\n%+v\n%+v", err, again, snap)
	}
	if a2, _ := s.AuditLog(ctx, 0, 0); !reflect.DeepEqual(a2, audit) {
		t.Fatalf("audit after reopen differs:\n%+v\n%+v", a2, audit)
	}
	update(t, s, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "next"}) })
	if s.Revision() != 3 {
		t.Fatalf("revision after a write on the reopened store: %d, want 3", s.Revision())
	}
}

func TestRefusedLeavesFileBytes(t *testing.T) {
	// Ensure that a refused change, and a no-op one, leave the file's bytes
	// as they were: nothing is committed, nothing is synced.
	dir := t.TempDir()
	s := mustOpen(t, dir, boltstore.Options{})
	seed(t, s)
	before := fileSum(t, s.Path())
	for name, fn := range map[string]func(store.Tx) error{
		"bad slug":         func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "Bad Slug"}) },
		"duplicate domain": func(tx store.Tx) error { return tx.AddDomain(&store.Domain{Tenant: "blue", Name: "shop.acme.com"}) },
		"last step fails": func(tx store.Tx) error {
			if err := tx.DeleteTenant("acme", true); err != nil {
				return err
			}
			return tx.AddBackend(&store.Backend{Tenant: "blue", URL: "ftp://x"})
		},
	} {
		if err := s.Update(context.Background(), "test", fn); err == nil {
			t.Fatalf("%s: got no error", name)
		}
	}
	update(t, s, func(tx store.Tx) error { return tx.SetSettings(mustSettings(t, s)) })
	if fileSum(t, s.Path()) != before {
		t.Fatalf("refused or no-op changes altered %s", s.Path())
	}
	update(t, s, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "real"}) })
	if fileSum(t, s.Path()) == before {
		t.Fatalf("a real change left %s as it was", s.Path())
	}
}

func mustSettings(t *testing.T, s store.Store) (out store.Settings) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) (err error) { out, err = tx.Settings(); return err })
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	return out
}

func TestModes(t *testing.T) {
	// Ensure that a new data directory is 0700, foyer.db is 0600, and
	// foyer.pid holds our pid while the store is open and is gone after.
	dir := filepath.Join(t.TempDir(), "var", "foyer")
	s := mustOpen(t, dir, boltstore.Options{})
	wantMode(t, dir, 0o700)
	wantMode(t, s.Path(), 0o600)
	if s.Path() != filepath.Join(dir, "foyer.db") {
		t.Fatalf("Path = %s", s.Path())
	}
	pid, err := os.ReadFile(filepath.Join(dir, "foyer.pid"))
	if err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("foyer.pid = %q, %v; want %d", pid, err, os.Getpid())
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "foyer.pid")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("foyer.pid after Close: %v, want it gone", err)
	}
}

func TestLooseModesTightened(t *testing.T) {
	// Ensure that an existing directory and file with loose modes are made
	// owner-only.
	dir := t.TempDir()
	s := mustOpen(t, dir, boltstore.Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	chmod(t, dir, 0o755)
	chmod(t, s.Path(), 0o644)
	s = mustOpen(t, dir, boltstore.Options{})
	wantMode(t, dir, 0o700)
	wantMode(t, s.Path(), 0o600)
}

func TestSharedDirRefused(t *testing.T) {
	// Ensure that a shared directory (sticky, world-writable, like /tmp) is
	// refused, not chmodded, and nothing is written to it.
	dir := t.TempDir()
	chmod(t, dir, fs.ModeSticky|0o777)
	_, err := boltstore.Open(dir, boltstore.Options{})
	if err == nil || !strings.Contains(err.Error(), "is shared") {
		t.Fatalf("open in a shared directory: %v, want a refusal", err)
	}
	wantMode(t, dir, fs.ModeSticky|0o777)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("refused open left %d files", len(entries))
	}
}

func chmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatalf("chmod: %v", err)
	}
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if got := fi.Mode() & (fs.ModePerm | fs.ModeSticky); got != want {
		t.Fatalf("%s has mode %v, want %v", path, got, want)
	}
}

func TestCloseTwice(t *testing.T) {
	// Ensure that Close can be called twice and that a closed store refuses
	// transactions with store.ErrClosed.
	s := mustOpen(t, t.TempDir(), boltstore.Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := s.ListTenants(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("read after close: %v, want ErrClosed", err)
	}
	if err := s.Check(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("check after close: %v, want ErrClosed", err)
	}
}
