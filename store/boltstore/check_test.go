package boltstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// checkMarker is a tenant's display name, unique in the file, so a test
// can find the page that holds the tenant's record.
const checkMarker = "Check Marker Corporation"

// fillDir writes a data directory with a tenant, a domain, a blob, usage
// and access-log records, and closes both files.
func fillDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	s, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateTenant(&store.Tenant{Slug: "acme", Name: checkMarker}); err != nil {
			return err
		}
		return tx.AddDomain(&store.Domain{Name: "shop.acme.test", Tenant: "acme"})
	})
	if err := s.PutBlob(ctx, "certificates/acme/shop.acme.test/shop.acme.test.crt", []byte("pem")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	if err := s.AddUsage(ctx, []store.UsageRow{{Tenant: "acme", Start: now, Requests: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := boltstore.OpenLogs(filepath.Join(dir, boltstore.LogsName), boltstore.LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs := []store.LogRecord{{Tenant: "acme", Time: now, Status: 200, Method: "GET", Path: "/"},
		{Tenant: "acme", Time: now.Add(time.Second), Status: 503, Method: "GET", Path: "/x"}}
	if err := l.AppendLogs(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Ensure that CheckDir finds both files of a sound data directory sound,
// reads every record, and writes nothing (no pid file).
func TestCheckDirSound(t *testing.T) {
	dir := fillDir(t)
	sum := fileSum(t, filepath.Join(dir, "foyer.db"))
	files, err := boltstore.CheckDir(context.Background(), dir, boltstore.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !strings.HasSuffix(files[0].Path, "foyer.db") || !strings.HasSuffix(files[1].Path, "logs.db") {
		t.Fatalf("files = %+v, want foyer.db and logs.db", files)
	}
	for _, f := range files {
		if !f.OK() {
			t.Errorf("%s: problems %q", f.Path, f.Problems)
		}
	}
	// settings + tenant + pool? + domain + audit entries + usage + blob: at least 5
	if files[0].Records < 5 || files[0].Schema != 1 {
		t.Errorf("foyer.db: %d records, schema %d; want >= 5 records, schema 1", files[0].Records, files[0].Schema)
	}
	if files[1].Records != 2 {
		t.Errorf("logs.db: %d records, want 2", files[1].Records)
	}
	if _, err := os.Stat(filepath.Join(dir, "foyer.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a check left foyer.pid behind (%v)", err)
	}
	if fileSum(t, filepath.Join(dir, "foyer.db")) != sum {
		t.Error("a check changed foyer.db")
	}
}

// markers returns the offsets of every copy of marker in raw: the live
// record and, as bbolt copies pages on write, stale copies in free pages
// or the audit entry.
func markers(t *testing.T, raw []byte, marker string) []int {
	t.Helper()
	var out []int
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(marker))
		if j < 0 {
			break
		}
		out = append(out, i+j)
		i += j + len(marker)
	}
	if len(out) == 0 {
		t.Fatalf("marker %q not in the file", marker)
	}
	return out
}

// flipAt overwrites one byte of path at every copy of marker plus delta
// and returns the file's new checksum.
func flipAt(t *testing.T, path, marker string, delta int, b byte) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range markers(t, raw, marker) {
		raw[i+delta] = b
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return fileSum(t, path)
}

// Ensure that a flipped byte inside a record of a data page (the quote
// that opens the tenant's name) is reported as a record that does not
// decode, and that the check leaves the file as it found it.
func TestCheckDirFlippedRecordByte(t *testing.T) {
	dir := fillDir(t)
	path := filepath.Join(dir, "foyer.db")
	sum := flipAt(t, path, checkMarker, -1, '}')
	files, err := boltstore.CheckDir(context.Background(), dir, boltstore.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if files[0].OK() {
		t.Fatal("a record with a flipped byte passed the check")
	}
	got := strings.Join(files[0].Problems, "\n")
	if !strings.Contains(got, "do not decode") || !strings.Contains(got, "restore foyer.db from a backup") {
		t.Errorf("problems = %q, want a record that does not decode and what to do", got)
	}
	if fileSum(t, path) != sum {
		t.Error("the check changed the corrupt file")
	}
}

// Ensure that a flipped byte in a data page's header (its page type) is
// found by the consistency check, not a crash, and the file is untouched.
func TestCheckDirFlippedPageHeader(t *testing.T) {
	dir := fillDir(t)
	path := filepath.Join(dir, "foyer.db")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := 0
	for _, i := range markers(t, raw, checkMarker) {
		page := i - i%os.Getpagesize()
		// The page header: id (8 bytes), then flags (2): 0x02 marks a leaf page.
		if raw[page+8] == 0x02 {
			raw[page+8] = 0x40
			flipped++
		}
	}
	if flipped == 0 {
		t.Fatal("no leaf page holds the marker")
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := fileSum(t, path)
	files, err := boltstore.CheckDir(context.Background(), dir, boltstore.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if files[0].OK() {
		t.Fatal("a page with a flipped type passed the check")
	}
	t.Logf("problems: %q", files[0].Problems)
	if fileSum(t, path) != sum {
		t.Error("the check changed the corrupt file")
	}
}

// Ensure that CheckDir refuses, at once and clearly, a data directory whose
// foyer.db a running store holds, and says to stop it or run doctor.
func TestCheckDirLocked(t *testing.T) {
	dir := fillDir(t)
	s := mustOpen(t, dir, boltstore.Options{})
	_, err := boltstore.CheckDir(context.Background(), dir, boltstore.CheckOptions{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	var se *store.Error
	if !errors.As(err, &se) || !strings.Contains(se.Hint, "stop foyer first") || !strings.Contains(se.Hint, "foyer doctor") {
		t.Errorf("err = %v (hint %q), want the hint to stop foyer or run foyer doctor", err, se.Hint)
	}
	// The running store can check itself.
	n, err := s.Verify(context.Background())
	if err != nil || n < 5 {
		t.Errorf("Verify = %d, %v; want >= 5 records and no problem", n, err)
	}
}

// Ensure that CheckDir on a directory without foyer.db says so.
func TestCheckDirMissing(t *testing.T) {
	_, err := boltstore.CheckDir(context.Background(), t.TempDir(), boltstore.CheckOptions{})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "no foyer.db") {
		t.Fatalf("err = %v, want no foyer.db", err)
	}
}

// Ensure that Logs.Verify finds an access-log record that does not decode.
func TestLogsVerifyBadRecord(t *testing.T) {
	dir := fillDir(t)
	path := filepath.Join(dir, boltstore.LogsName)
	flipAt(t, path, "/x", -2, 0x7f) // a length byte before the path: the record no longer parses
	l, err := boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, err := l.Verify(context.Background())
	if err == nil || !strings.Contains(err.Error(), "do not decode") {
		t.Fatalf("Verify = %d, %v; want a record that does not decode", n, err)
	}
}
