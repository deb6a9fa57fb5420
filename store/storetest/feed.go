package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/foyerhq/foyer/store"
)

func testRevision(t *testing.T, s store.Store) {
	// Ensure that the revision moves by exactly one per configuration
	// Update however many changes it holds, and not at all for a no-op or
	// a failed Update.
	ctx := context.Background()
	if s.Revision() != 0 {
		t.Fatalf("new store at revision %d, want 0", s.Revision())
	}
	update(t, s, steps(tenant("acme", ""), backend("acme", "", "http://10.0.0.1", 0), domain("acme", "acme.com")))
	if s.Revision() != 1 {
		t.Fatalf("after one Update of three changes: revision %d, want 1", s.Revision())
	}
	update(t, s, tenant("blue", ""))
	if s.Revision() != 2 {
		t.Fatalf("after a second Update: revision %d, want 2", s.Revision())
	}
	audit, _ := s.AuditLog(ctx, 0, 0)
	for _, tc := range []struct {
		name string
		fn   func(store.Tx) error
	}{
		{"empty", func(store.Tx) error { return nil }},
		{"same tenant", func(tx store.Tx) error {
			return tx.UpdateTenant(&store.Tenant{Slug: "acme", Name: "acme", State: store.TenantActive})
		}},
		{"same settings", func(tx store.Tx) error { return tx.SetSettings(store.DefaultSettings()) }},
		{"same domain", func(tx store.Tx) error {
			return tx.UpdateDomain(&store.Domain{Name: "acme.com", State: store.DomainPendingDNS})
		}},
		{"reads only", func(tx store.Tx) error { _, err := tx.Tenants(); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := Fingerprint(t, s)
			update(t, s, tc.fn)
			if s.Revision() != 2 || Fingerprint(t, s) != before {
				t.Fatalf("no-op Update moved the revision to %d or changed the store", s.Revision())
			}
		})
	}
	if after, _ := s.AuditLog(ctx, 0, 0); len(after) != len(audit) {
		t.Fatalf("no-op Updates wrote %d audit entries", len(after)-len(audit))
	}
	errBoom := errors.New("boom")
	if err := s.Update(ctx, actor, steps(tenant("gone", ""), func(store.Tx) error { return errBoom })); !errors.Is(err, errBoom) {
		t.Fatalf("Update returned %v, want fn's error as it is", err)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil || snap.Revision != 2 || s.Revision() != 2 {
		t.Fatalf("after a failed Update: snapshot revision %d, revision %d (%v); want 2", snap.Revision, s.Revision(), err)
	}
}

func testFeed(t *testing.T, s store.Store) {
	// Ensure that a subscription gets the newest revision once, however
	// many were published while it was away, and that a Snapshot read
	// after a notice is at least that revision.
	ctx := context.Background()
	sub := s.Subscribe()
	defer sub.Close()
	for i := range 5 {
		update(t, s, tenant(fmt.Sprintf("t%d", i), ""))
	}
	rev, err := sub.Next(ctx)
	if err != nil || rev != 5 || rev != s.Revision() {
		t.Fatalf("Next = %d, %v; want 5, the newest", rev, err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if rev, err := sub.Next(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Next = %d, %v; want it to wait (coalesced), so the context's error", rev, err)
	}
	const writes = 20
	go func() {
		for i := range writes {
			// t.Fatalf must not run here; a failed write shows as a missing revision.
			_ = s.Update(ctx, actor, tenant(fmt.Sprintf("w%d", i), ""))
		}
	}()
	for last := uint64(5); last < 5+writes; {
		n, err := sub.Next(ctx)
		if err != nil || n <= last {
			t.Fatalf("Next = %d, %v after %d", n, err, last)
		}
		snap, err := s.Snapshot(ctx)
		if err != nil || snap.Revision < n {
			t.Fatalf("Snapshot after notice %d has revision %d (%v)", n, snap.Revision, err)
		}
		last = n
	}
	sub.Close()
	if _, err := sub.Next(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Next after Subscription.Close = %v, want ErrClosed", err)
	}
}

func testFeedClose(t *testing.T, s store.Store) {
	// Ensure that closing the store ends a waiting Next, and any later
	// subscription, with ErrClosed.
	ctx := context.Background()
	sub := s.Subscribe()
	got := make(chan error, 1)
	go func() { _, err := sub.Next(ctx); got <- err }()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := <-got; !errors.Is(err, store.ErrClosed) {
		t.Fatalf("waiting Next after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Subscribe().Next(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Next of a subscription made after Close = %v, want ErrClosed", err)
	}
	if err := s.Update(ctx, actor, tenant("late", "")); err == nil {
		t.Fatalf("Update after Close: got no error")
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	// Ensure that concurrent writers lose nothing: every tenant is there,
	// the revision counts every Update, and readers see a rising revision.
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+1)
	stop := make(chan struct{})
	go func() { errs <- watchRising(ctx, s, stop) }()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.Update(ctx, fmt.Sprintf("writer %d", w), tenant(fmt.Sprintf("w%d-%d", w, i), ""))
			}
		}()
	}
	wg.Wait()
	close(stop)
	for range writers*each + 1 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent write: %v", err)
		}
	}
	ts, err := s.ListTenants(ctx)
	if err != nil || len(ts) != writers*each {
		t.Fatalf("%d tenants (%v), want %d", len(ts), err, writers*each)
	}
	if s.Revision() != writers*each {
		t.Fatalf("revision %d, want %d", s.Revision(), writers*each)
	}
	if log, _ := s.AuditLog(ctx, 1000, 0); len(log) != writers*each {
		t.Fatalf("%d audit entries, want %d", len(log), writers*each)
	}
}

// watchRising reads snapshots until stop closes and reports a revision
// that went backwards.
func watchRising(ctx context.Context, s store.Store, stop <-chan struct{}) error {
	var last uint64
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		snap, err := s.Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if snap.Revision < last || uint64(len(snap.Tenants)) != snap.Revision {
			return fmt.Errorf("snapshot at revision %d with %d tenants after revision %d", snap.Revision, len(snap.Tenants), last)
		}
		last = snap.Revision
	}
}
