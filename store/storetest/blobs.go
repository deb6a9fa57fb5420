package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// testBlobs checks the Blobs area: whole-component prefixes, deletes of
// directories, directory stats, bad keys, and that none of it is a
// configuration change.
func testBlobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, tenant("acme", "")) // some audited state to compare against
	rev, audit := s.Revision(), auditLen(t, s)
	sub := s.Subscribe()
	defer sub.Close()

	for _, k := range []string{"certificates/ca/a.example/a.crt", "certificates/ca/a.example/a.key",
		"certificates/ca/b.example/b.crt", "certificatesX/z", "ab/c", "a/b", "locks/x"} {
		if err := s.PutBlob(ctx, k, []byte("v:"+k)); err != nil {
			t.Fatalf("PutBlob %s: %v", k, err)
		}
	}
	if err := s.PutBlob(ctx, "empty", nil); err != nil {
		t.Fatalf("PutBlob empty: %v", err)
	}

	t.Run("Get", func(t *testing.T) { testBlobGet(t, s) })
	t.Run("List", func(t *testing.T) { testBlobList(t, s) })
	t.Run("Stat", func(t *testing.T) { testBlobStat(t, s) })
	t.Run("BadKeys", func(t *testing.T) { testBlobBadKeys(t, s) })
	t.Run("Delete", func(t *testing.T) { testBlobDelete(t, s) })
	t.Run("Concurrent", func(t *testing.T) { testBlobConcurrent(t, s) })

	// Ensure that no blob write was a configuration change.
	if got := s.Revision(); got != rev {
		t.Errorf("revision moved from %d to %d on blob writes", rev, got)
	}
	if got := auditLen(t, s); got != audit {
		t.Errorf("audit log grew from %d to %d entries on blob writes", audit, got)
	}
	// An already-ended ctx: Next returns a revision only if one is pending.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := sub.Next(done); err == nil {
		t.Errorf("the feed published revision %d on blob writes", got)
	}
}

func auditLen(t *testing.T, s store.Store) int {
	t.Helper()
	es, err := s.AuditLog(context.Background(), 10000, 0)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	return len(es)
}

func testBlobGet(t *testing.T, s store.Store) {
	// Ensure that GetBlob returns the value for a key, a non-nil empty
	// value for an empty one, and ErrNotFound for a directory or nothing.
	ctx := context.Background()
	for _, tc := range []struct {
		name, key, want string
		err             error
	}{
		{"file", "a/b", "v:a/b", nil},
		{"empty value", "empty", "", nil},
		{"directory", "certificates", "", store.ErrNotFound},
		{"missing", "nope/x", "", store.ErrNotFound},
		{"component prefix", "certificates/ca/a", "", store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.GetBlob(ctx, tc.key)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("GetBlob(%q): err %v, want %v", tc.key, err, tc.err)
			}
			if tc.err == nil && (v == nil || string(v) != tc.want) {
				t.Fatalf("GetBlob(%q) = %q, want %q", tc.key, v, tc.want)
			}
		})
	}
	// The returned slice is the caller's: changing it changes nothing stored.
	v, _ := s.GetBlob(ctx, "a/b")
	v[0] = 'X'
	if again, _ := s.GetBlob(ctx, "a/b"); string(again) != "v:a/b" {
		t.Fatalf("a caller's write reached the store: %q", again)
	}
}

func testBlobList(t *testing.T, s store.Store) {
	// Ensure that ListBlobs matches whole components and lists directories.
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		dir       string
		recursive bool
		want      []string
	}{
		{"root", "", false, []string{"a", "ab", "certificates", "certificatesX", "empty", "locks"}},
		{"children", "certificates", false, []string{"certificates/ca"}},
		{"files and dirs", "certificates/ca", false, []string{"certificates/ca/a.example", "certificates/ca/b.example"}},
		{"recursive", "certificates", true, []string{"certificates/ca", "certificates/ca/a.example",
			"certificates/ca/a.example/a.crt", "certificates/ca/a.example/a.key",
			"certificates/ca/b.example", "certificates/ca/b.example/b.crt"}},
		{"not a string prefix", "a", false, []string{"a/b"}},
		{"missing", "nope", false, []string{}},
		{"a file has no children", "a/b", true, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListBlobs(ctx, tc.dir, tc.recursive)
			if err != nil {
				t.Fatalf("ListBlobs(%q, %v): %v", tc.dir, tc.recursive, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ListBlobs(%q, %v) = %q, want %q", tc.dir, tc.recursive, got, tc.want)
			}
		})
	}
}

func testBlobStat(t *testing.T, s store.Store) {
	// Ensure that StatBlob describes files and directories; a directory's
	// time is its newest descendant's.
	ctx := context.Background()
	if err := s.PutBlob(ctx, "certificates/ca/b.example/b.json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	newest, err := s.StatBlob(ctx, "certificates/ca/b.example/b.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key string
		dir       bool
		size      int64
		err       error
	}{
		{"file", "a/b", false, 5, nil},
		{"empty file", "empty", false, 0, nil},
		{"directory", "certificates", true, 0, nil},
		{"missing", "nope", false, 0, store.ErrNotFound},
		{"string prefix only", "certificates/ca/a", false, 0, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := s.StatBlob(ctx, tc.key)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("StatBlob(%q): err %v, want %v", tc.key, err, tc.err)
				}
				return
			}
			if err != nil || info.Key != tc.key || info.Dir != tc.dir || info.Size != tc.size || info.Modified.IsZero() {
				t.Fatalf("StatBlob(%q) = %+v, %v; want dir=%v size=%d", tc.key, info, err, tc.dir, tc.size)
			}
			if tc.dir && info.Modified.Before(newest.Modified) {
				t.Fatalf("directory time %v before its newest child's %v", info.Modified, newest.Modified)
			}
		})
	}
}

func testBlobBadKeys(t *testing.T, s store.Store) {
	// Ensure that malformed keys are refused with ErrInvalid and change nothing.
	ctx := context.Background()
	for _, key := range []string{"", "/a", "a/", "a//b"} {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			wantKind(t, s.PutBlob(ctx, key, []byte("x")), store.ErrInvalid)
			wantKind(t, s.DeleteBlob(ctx, key), store.ErrInvalid)
			_, err := s.GetBlob(ctx, key)
			wantKind(t, err, store.ErrInvalid)
			_, err = s.StatBlob(ctx, key)
			wantKind(t, err, store.ErrInvalid)
		})
	}
	_, err := s.ListBlobs(ctx, "a/", false)
	wantKind(t, err, store.ErrInvalid)
}

func testBlobDelete(t *testing.T, s store.Store) {
	// Ensure that DeleteBlob removes a directory's contents but not its
	// string-prefix siblings, and that a missing key is no error.
	ctx := context.Background()
	for _, key := range []string{"certificates", "nope", "a/b", "a/b"} {
		if err := s.DeleteBlob(ctx, key); err != nil {
			t.Fatalf("DeleteBlob(%q): %v", key, err)
		}
	}
	got, err := s.ListBlobs(ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ab", "ab/c", "certificatesX", "certificatesX/z", "empty", "locks", "locks/x"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after deletes: %q, want %q", got, want)
	}
}

func testBlobConcurrent(t *testing.T, s store.Store) {
	// Ensure that concurrent writers and readers of the same keys see
	// whole values only.
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				key := fmt.Sprintf("race/%d", i%5)
				val := fmt.Sprintf("writer %d value %03d", w, i)
				if err := s.PutBlob(ctx, key, []byte(val)); err != nil {
					t.Errorf("PutBlob: %v", err)
					return
				}
				v, err := s.GetBlob(ctx, key)
				if err != nil || len(v) != len(val) {
					t.Errorf("GetBlob %s = %q, %v", key, v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
