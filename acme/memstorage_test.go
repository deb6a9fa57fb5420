package acme

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"testing"
	"time"
)

func filledStorage(t *testing.T) *memStorage {
	t.Helper()
	s := newMemStorage()
	for _, k := range []string{"a/b/c", "a/b/d", "a/e", "ab/f", "/g/"} {
		if err := s.Store(context.Background(), k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// Ensure that List returns immediate children (directories included) or
// every descendant, and fs.ErrNotExist for nothing.
func TestMemStorageList(t *testing.T) {
	s := filledStorage(t)
	for _, tc := range []struct {
		dir       string
		recursive bool
		want      []string
	}{
		{"a", false, []string{"a/b", "a/e"}},
		{"a/", false, []string{"a/b", "a/e"}},
		{"a", true, []string{"a/b", "a/b/c", "a/b/d", "a/e"}},
		{"", false, []string{"a", "ab", "g"}},
		{"a/b", false, []string{"a/b/c", "a/b/d"}},
	} {
		got, err := s.List(context.Background(), tc.dir, tc.recursive)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("List(%q, %v) = %v, %v; want %v", tc.dir, tc.recursive, got, err, tc.want)
		}
	}
	for _, dir := range []string{"x", "a/b/c"} { // a file has no children
		if _, err := s.List(context.Background(), dir, false); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("List(%q) error %v, want fs.ErrNotExist", dir, err)
		}
	}
}

// Ensure that Load copies, Stat tells files from directories, and Exists
// covers both.
func TestMemStorageLoadStat(t *testing.T) {
	ctx := context.Background()
	s := filledStorage(t)
	v, err := s.Load(ctx, "a/e")
	if err != nil || string(v) != "a/e" {
		t.Fatalf("Load = %q, %v", v, err)
	}
	v[0] = 'X'
	if v, _ := s.Load(ctx, "a/e"); string(v) != "a/e" {
		t.Fatalf("Load returned the stored slice: %q", v)
	}
	if _, err := s.Load(ctx, "a"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a directory: %v", err)
	}
	file, err := s.Stat(ctx, "a/b/c")
	if err != nil || !file.IsTerminal || file.Size != 5 || file.Key != "a/b/c" {
		t.Fatalf("Stat(file) = %+v, %v", file, err)
	}
	dir, err := s.Stat(ctx, "a/b")
	if err != nil || dir.IsTerminal || dir.Modified.Before(file.Modified) {
		t.Fatalf("Stat(dir) = %+v, %v", dir, err)
	}
	if _, err := s.Stat(ctx, "a/b/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat(missing): %v", err)
	}
	if !s.Exists(ctx, "a") || !s.Exists(ctx, "g") || s.Exists(ctx, "a/b/x") || s.Exists(ctx, "b") {
		t.Fatal("Exists is wrong")
	}
}

// Ensure that Delete removes a key and everything under it, not siblings
// sharing a prefix, and is nil for a missing key.
func TestMemStorageDelete(t *testing.T) {
	ctx := context.Background()
	s := filledStorage(t)
	for _, k := range []string{"a", "missing"} {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete(%q): %v", k, err)
		}
	}
	got, err := s.List(ctx, "", true)
	if err != nil || !slices.Equal(got, []string{"ab", "ab/f", "g"}) {
		t.Fatalf("after Delete: %v, %v", got, err)
	}
}

// Ensure that Lock blocks while held, honours ctx, and Unlock wakes a
// waiter; names are independent and Unlock of a free name fails.
func TestMemStorageLock(t *testing.T) {
	ctx := context.Background()
	s := newMemStorage()
	if err := s.Lock(ctx, "issue_cert_a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock(ctx, "issue_cert_b"); err != nil {
		t.Fatalf("another name blocked: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := s.Lock(short, "issue_cert_a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock of a held name: %v, want DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() { got <- s.Lock(ctx, "issue_cert_a") }()
	if err := s.Unlock(ctx, "issue_cert_a"); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if err := s.Unlock(ctx, "never"); err == nil {
		t.Fatal("Unlock of a free name succeeded")
	}
}
