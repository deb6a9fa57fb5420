// Package storetest is the conformance suite every store.Store passes:
// memstore, boltstore and any later backend. A backend's test calls Run
// with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// Run runs the whole suite, each part as a subtest on a store of its own
// from open. open must return an empty store and arrange its Close with
// t.Cleanup; Close may also be called by the suite first, so it must be
// safe to call twice.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Settings", func(t *testing.T) { testSettings(t, open(t)) })
	t.Run("Tenants", func(t *testing.T) { testTenants(t, open(t)) })
	t.Run("Backends", func(t *testing.T) { testBackends(t, open(t)) })
	t.Run("Domains", func(t *testing.T) { testDomains(t, open(t)) })
	t.Run("Certs", func(t *testing.T) { testCerts(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("DeleteTenant", func(t *testing.T) { testDeleteTenant(t, open(t)) })
	t.Run("Snapshot", func(t *testing.T) { testSnapshot(t, open(t)) })
	t.Run("View", func(t *testing.T) { testView(t, open(t)) })
	t.Run("Refused", func(t *testing.T) { testRefused(t, open(t)) })
	t.Run("Revision", func(t *testing.T) { testRevision(t, open(t)) })
	t.Run("Feed", func(t *testing.T) { testFeed(t, open(t)) })
	t.Run("FeedClose", func(t *testing.T) { testFeedClose(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("Pools", func(t *testing.T) { testPools(t, open(t)) })
	t.Run("Policy", func(t *testing.T) { testPolicy(t, open) })
	t.Run("Blobs", func(t *testing.T) { testBlobs(t, open(t)) })
	t.Run("Usage", func(t *testing.T) { testUsage(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open) })
	t.Run("SSHKeys", func(t *testing.T) { testSSHKeys(t, open) })
	t.Run("Lookups", func(t *testing.T) { testLookups(t, open(t)) })
}

// Dump returns every key and value of every bucket of store.Buckets, one
// line each ("bucket/key = value", in key order), read in one transaction
// through the store's KV. s must have a KV() method, as store.DB has.
func Dump(t testing.TB, s store.Store) []string {
	t.Helper()
	k, ok := s.(interface{ KV() store.KV })
	if !ok {
		t.Fatalf("storetest: %T has no KV() method; embed *store.DB", s)
	}
	var lines []string
	err := k.KV().View(context.Background(), func(tx store.KVTx) error {
		for _, b := range store.Buckets {
			err := tx.ForEach(b, "", func(key string, v []byte) error {
				lines = append(lines, fmt.Sprintf("%s/%q = %q", b, key, v))
				return nil
			})
			if err != nil {
				return fmt.Errorf("read bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("storetest: dump: %v", err)
	}
	return lines
}

// Fingerprint returns a SHA-256 over Dump: equal fingerprints mean every
// bucket holds the same keys and values, byte for byte.
func Fingerprint(t testing.TB, s store.Store) string {
	t.Helper()
	return fingerprint(Dump(t, s))
}

// fingerprint hashes the lines of a dump, each prefixed by its length.
func fingerprint(dump []string) string {
	h := sha256.New()
	for _, l := range dump {
		fmt.Fprintf(h, "%d:%s\n", len(l), l)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// diff describes how two dumps differ, for a failure message.
func diff(before, after []string) string {
	in := map[string]bool{}
	for _, l := range before {
		in[l] = true
	}
	out := map[string]bool{}
	var b strings.Builder
	for _, l := range after {
		out[l] = true
		if !in[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range before {
		if !out[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}

const actor = "storetest"

// update runs fn in one Update and fails the test on an error.
func update(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), actor, fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// createTenants creates tenants with the given slugs, one Update each.
func createTenants(t testing.TB, s store.Store, slugs ...string) {
	t.Helper()
	for _, slug := range slugs {
		update(t, s, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: slug}) })
	}
}

// wantKind fails unless err is an *store.Error wrapping kind (with a
// field, for validation errors).
func wantKind(t testing.TB, err, kind error) {
	t.Helper()
	var se *store.Error
	switch {
	case err == nil:
		t.Fatalf("got no error, want one wrapping %v", kind)
	case !errors.As(err, &se):
		t.Fatalf("got %T %v, want an *store.Error", err, err)
	case !errors.Is(err, kind):
		t.Fatalf("got %v (kind %v), want kind %v", err, se.Kind, kind)
	case kind == store.ErrInvalid && se.Field == "":
		t.Fatalf("validation error %q names no field", err)
	case se.Msg == "":
		t.Fatalf("error of kind %v has no message", kind)
	}
}
