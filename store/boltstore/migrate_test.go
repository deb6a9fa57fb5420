package boltstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

var updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/v1.db with this binary's schema 1")

const fixture = "testdata/v1.db"

// fixedClock stamps the fixture's records with one time, so a rewrite
// differs only where the layout does.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestWriteV1Fixture(t *testing.T) {
	// Ensure that testdata/v1.db can be rewritten (only with -update-fixture):
	// a schema 1 file with settings, tenants, pools, backends, a domain and
	// an audit trail, which the migration tests start from.
	if !*updateFixture {
		t.Skip("run with -update-fixture to rewrite " + fixture)
	}
	dir := t.TempDir()
	s, err := boltstore.Open(dir, boltstore.Options{Store: store.Options{Now: fixedClock}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	seed(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "foyer.db"))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := os.WriteFile(fixture, b, 0o644); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
}

// copyFixture copies testdata/v1.db into a new data directory as foyer.db.
func copyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatalf("read fixture (rewrite it with -update-fixture): %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "foyer.db"), b, 0o600); err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
	return dir
}

func schemaOf(t *testing.T, s *boltstore.Store) uint64 {
	t.Helper()
	v, err := s.Schema(context.Background())
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return v
}

func TestOpenV1WithV1(t *testing.T) {
	// Ensure that this binary opens the v1 fixture as it is: schema 1, every
	// record readable, and the file's bytes untouched.
	dir := copyFixture(t)
	path := filepath.Join(dir, "foyer.db")
	before := fileSum(t, path)
	s := mustOpen(t, dir, boltstore.Options{})
	if v := schemaOf(t, s); v != 1 {
		t.Fatalf("schema %d, want 1", v)
	}
	snap, err := s.Snapshot(context.Background())
	if err != nil || len(snap.Tenants) != 3 || len(snap.Backends) != 2 || len(snap.Domains) != 1 || snap.Revision != 2 {
		t.Fatalf("fixture snapshot = %+v, %v", snap, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	// The fixture predates the plans and apikeys buckets: the first open
	// adds them (still schema 1), and from then on an open writes nothing.
	if fileSum(t, path) == before {
		t.Fatalf("opening a file without the plans and apikeys buckets did not add them")
	}
	s = mustOpen(t, dir, boltstore.Options{})
	err = s.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "5"}})
	})
	if err != nil {
		t.Fatalf("write a plan to the opened fixture: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	before = fileSum(t, path)
	s = mustOpen(t, dir, boltstore.Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if fileSum(t, path) != before {
		t.Fatalf("opening an up-to-date file rewrote it")
	}
}

func TestMigrateV1ToV2(t *testing.T) {
	// Ensure that a binary with schema 2 migrates the v1 fixture on open:
	// every tenant gets its plan, nothing else changes, the schema is 2,
	// a second open does nothing, and the v1 binary then refuses the file.
	ctx := context.Background()
	v1 := mustOpen(t, copyFixture(t), boltstore.Options{})
	want, err := v1.Snapshot(ctx)
	if err != nil {
		t.Fatalf("v1 snapshot: %v", err)
	}
	dir := copyFixture(t)
	v2opts := boltstore.WithV2(boltstore.Options{})
	s := mustOpen(t, dir, v2opts)
	if v := schemaOf(t, s); v != 2 {
		t.Fatalf("schema after migration %d, want 2", v)
	}
	plans := tenantPlans(t, s)
	if len(plans) != 3 {
		t.Fatalf("%d tenant records, want 3", len(plans))
	}
	for slug, plan := range plans {
		if plan != "free" {
			t.Fatalf("tenant %s has plan %q after migration, want free", slug, plan)
		}
	}
	if got, err := s.Snapshot(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("migration changed the configuration (%v):\n%+v\n%+v", err, got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	sum := fileSum(t, s.Path())
	again := mustOpen(t, dir, v2opts)
	if err := again.Close(); err != nil || fileSum(t, s.Path()) != sum {
		t.Fatalf("a second open at schema 2 rewrote the file (%v)", err)
	}
	_, err = boltstore.Open(dir, boltstore.Options{})
	var se *boltstore.SchemaError
	if !errors.As(err, &se) || se.Have != 2 || se.Max != 1 ||
		!strings.Contains(err.Error(), "foyer.db has schema 2; this foyer understands up to 1; upgrade foyer") {
		t.Fatalf("v1 binary on a v2 file: %v", err)
	}
	if fileSum(t, s.Path()) != sum {
		t.Fatalf("a refused open altered the file")
	}
}

// tenantPlans returns the "test_tier" field of every raw tenant record.
func tenantPlans(t *testing.T, s *boltstore.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	err := s.KV().View(context.Background(), func(tx store.KVTx) error {
		return tx.ForEach(store.BucketTenants, "", func(k string, v []byte) error {
			rec := map[string]any{}
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			out[k] = rec["test_tier"]
			return nil
		})
	})
	if err != nil {
		t.Fatalf("read tenants: %v", err)
	}
	return out
}

func TestFailedMigrationKeepsFile(t *testing.T) {
	// Ensure that a migration that fails leaves the file as it was (every
	// step runs in one transaction), releases the lock and the pid file,
	// and names the step that failed.
	dir := copyFixture(t)
	path := filepath.Join(dir, "foyer.db")
	before := fileSum(t, path)
	_, err := boltstore.Open(dir, boltstore.WithSchema(boltstore.Options{}, 2, boltstore.FailingV2))
	if !errors.Is(err, boltstore.ErrTestMigration) || !strings.Contains(err.Error(), "migrate foyer.db from schema 1 to 2 (fail after writing)") {
		t.Fatalf("open with a failing migration: %v", err)
	}
	if fileSum(t, path) != before {
		t.Fatalf("a failed migration altered the file")
	}
	if _, err := os.Stat(filepath.Join(dir, "foyer.pid")); !os.IsNotExist(err) {
		t.Fatalf("a failed open left foyer.pid (%v)", err)
	}
	s := mustOpen(t, dir, boltstore.Options{})
	if v := schemaOf(t, s); v != 1 {
		t.Fatalf("schema %d after a failed migration, want 1", v)
	}
}

func TestMigrationGap(t *testing.T) {
	// Ensure that a binary whose migrations do not reach its schema refuses
	// to open an older file rather than stamping it with a version it did
	// not produce.
	dir := copyFixture(t)
	_, err := boltstore.Open(dir, boltstore.WithSchema(boltstore.Options{}, 3, boltstore.V2TenantPlan))
	if err == nil || !strings.Contains(err.Error(), "no migration from schema 2 to 3") {
		t.Fatalf("open with a gap in the migrations: %v", err)
	}
}

func TestNewFileGetsCurrentSchema(t *testing.T) {
	// Ensure that a new file is stamped with the binary's current schema,
	// without running any migration.
	s := mustOpen(t, t.TempDir(), boltstore.WithSchema(boltstore.Options{}, 2, boltstore.FailingV2))
	if v := schemaOf(t, s); v != 2 {
		t.Fatalf("new file has schema %d, want 2", v)
	}
}

func TestNotFoyerFile(t *testing.T) {
	// Ensure that a bbolt file foyer did not write, and a file that is not
	// bbolt at all, are refused without being changed.
	for name, write := range map[string]func(t *testing.T, path string){
		"other bbolt file": func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatalf("bolt open: %v", err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err }); err != nil {
				t.Fatalf("bolt update: %v", err)
			}
		},
		"not bbolt": func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
				t.Fatalf("write: %v", err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "foyer.db")
			write(t, path)
			before := fileSum(t, path)
			if _, err := boltstore.Open(dir, boltstore.Options{}); err == nil {
				t.Fatalf("open: got no error")
			}
			if fileSum(t, path) != before {
				t.Fatalf("a refused open altered the file")
			}
		})
	}
}
