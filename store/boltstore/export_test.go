package boltstore

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// TestMigration is a migration the external tests build: the same as the
// package's migration type, with exported fields.
type TestMigration struct {
	From, To uint64
	Name     string
	Fn       func(*bolt.Tx) error
}

// WithSchema returns opts with a binary's schema set replaced: current is
// the newest version it understands and ms the migrations that lead there.
func WithSchema(opts Options, current uint64, ms ...TestMigration) Options {
	set := schemaSet{current: current}
	for _, m := range ms {
		set.migrations = append(set.migrations, migration{from: m.From, to: m.To, name: m.Name, fn: m.Fn})
	}
	opts.schema = &set
	return opts
}

// WithV2 returns opts for a foyer that knows a test-only schema 2, in which
// every tenant record has a "test_tier" (default "free"). (The field is not
// "plan": store.Tenant has a real Plan since the traffic issue, and a
// migration that changes it would change the snapshot.)
func WithV2(opts Options) Options { return WithSchema(opts, 2, V2TenantPlan) }

// V2TenantPlan is the test-only migration from schema 1 to 2.
var V2TenantPlan = TestMigration{From: 1, To: 2, Name: "add plan to tenants", Fn: addTenantPlan}

// addTenantPlan adds "test_tier": "free" to every tenant record.
func addTenantPlan(tx *bolt.Tx) error {
	b := tx.Bucket([]byte(store.BucketTenants))
	type kv struct{ k, v []byte }
	var out []kv // bbolt forbids writes during ForEach: collect, then put
	err := b.ForEach(func(k, v []byte) error {
		rec := map[string]any{}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode tenant %s: %w", k, err)
		}
		rec["test_tier"] = "free"
		nv, err := json.Marshal(rec)
		out = append(out, kv{append([]byte(nil), k...), nv})
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := b.Put(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// ErrTestMigration is what the failing test migration returns.
var ErrTestMigration = errors.New("test migration failed")

// FailingV2 changes every tenant, then fails: nothing it did may be kept.
var FailingV2 = TestMigration{From: 1, To: 2, Name: "fail after writing", Fn: func(tx *bolt.Tx) error {
	if err := addTenantPlan(tx); err != nil {
		return err
	}
	return ErrTestMigration
}}
