package boltstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that every bucket foyer.db and logs.db hold, and every bucket the
// model declares, is named by a backup rule, so new data cannot be left
// out of backups unnoticed.
func TestEveryBucketHasABackupRule(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, boltstore.Options{})
	logs, err := boltstore.OpenLogs(filepath.Join(dir, boltstore.LogsName), boltstore.LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	if err := logs.AppendLogs(ctx, []store.LogRecord{{Tenant: "acme", Time: time.Now(), Status: 200}}); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, b := range store.Buckets {
		names["foyer.db/"+b] = true
	}
	onDisk, err := s.BucketNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range onDisk {
		names["foyer.db/"+b] = true
	}
	logBuckets, err := logs.BucketNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range logBuckets {
		names[boltstore.LogsName+"/"+b] = true
	}
	if len(onDisk) == 0 || len(logBuckets) == 0 {
		t.Fatalf("no buckets listed: %v %v", onDisk, logBuckets)
	}
	for n := range names {
		if boltstore.BackupRules[n] == "" {
			t.Errorf("bucket %s has no backup rule: add it to boltstore.BackupRules and docs/backup.md", n)
		}
	}
}

// Ensure that a backup taken while writers commit is a complete bbolt
// file that opens, passes the consistency check, and holds every tenant
// committed before it began.
func TestWriteBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir(), boltstore.Options{})
	create := func(i int) error {
		return s.Update(ctx, "test", func(tx store.Tx) error {
			return tx.CreateTenant(&store.Tenant{Slug: fmt.Sprintf("t%03d", i)})
		})
	}
	for i := range 20 {
		if err := create(i); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // bounded: 50 writes
		defer wg.Done()
		for i := 20; i < 70; i++ {
			if err := create(i); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var buf bytes.Buffer
	n, err := s.WriteBackup(ctx, &buf)
	wg.Wait()
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteBackup: %d bytes (buffer %d), %v", n, buf.Len(), err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "foyer.db"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, dir, boltstore.Options{})
	if err := r.Check(ctx); err != nil {
		t.Fatal(err)
	}
	ts, err := r.ListTenants(ctx)
	if err != nil || len(ts) < 20 || len(ts) > 70 {
		t.Fatalf("snapshot holds %d tenants (%v), want 20..70", len(ts), err)
	}
}

// Ensure that a cancelled context ends a backup with its error.
func TestWriteBackupCancelled(t *testing.T) {
	s := mustOpen(t, t.TempDir(), boltstore.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.WriteBackup(ctx, &bytes.Buffer{}); err == nil {
		t.Fatal("a cancelled backup succeeded")
	}
}
