package boltstore

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// currentSchema is the version of the on-disk layout this foyer writes.
// Version 1 is the layout of store.Buckets with JSON records, as store.DB
// writes them.
const currentSchema uint64 = 1

// schemaKey is the key in bucket meta that holds the schema version, a
// big-endian uint64.
const schemaKey = "schema"

// migration moves a file from one schema version to the next. fn runs in
// the open's one write transaction, beside every other step, so a failure
// anywhere leaves the file as it was.
type migration struct {
	from, to uint64
	name     string // what it does, for errors: "add plan to tenants"
	fn       func(*bolt.Tx) error
}

// migrations is every migration, in order. Schema 1 is the first, so the
// list is empty; a new version appends {from: n, to: n+1, ...} and bumps
// currentSchema.
var migrations []migration

// schemaSet is the versions a binary understands: the newest and the
// steps that lead to it. Tests build one with a test-only version.
type schemaSet struct {
	current    uint64
	migrations []migration
}

// defaultSchema is the schema set of this binary.
var defaultSchema = schemaSet{current: currentSchema, migrations: migrations}

// SchemaError is returned when foyer.db was written by a newer foyer.
type SchemaError struct {
	Have uint64 // the file's schema version
	Max  uint64 // the newest version this binary understands
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("%s has schema %d; this foyer understands up to %d; upgrade foyer", dbName, e.Have, e.Max)
}

// plan returns the migrations that lead from have to want, in order, or an
// error if the list has a gap.
func (s schemaSet) plan(have uint64) ([]migration, error) {
	var out []migration
	for v := have; v < s.current; v++ {
		m, ok := s.step(v)
		if !ok {
			return nil, fmt.Errorf("no migration from schema %d to %d in this foyer (a bug: report it)", v, v+1)
		}
		out = append(out, m)
	}
	return out, nil
}

// step finds the migration that starts at version from.
func (s schemaSet) step(from uint64) (migration, bool) {
	for _, m := range s.migrations {
		if m.from == from && m.to == from+1 {
			return m, true
		}
	}
	return migration{}, false
}

// readSchema returns the schema version of the file in tx: 0 for a new
// file with no buckets at all, an error for a file that is not foyer's.
func readSchema(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket([]byte(store.BucketMeta))
	if meta == nil {
		if k, _ := tx.Cursor().First(); k == nil {
			return 0, nil
		}
		return 0, fmt.Errorf("%s holds buckets but no schema version; it was not written by foyer", dbName)
	}
	raw := meta.Get([]byte(schemaKey))
	if len(raw) != 8 {
		return 0, fmt.Errorf("%s has no valid schema version (meta/%s is %d bytes); restore it from a backup", dbName, schemaKey, len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}

// prepare brings the file in tx to s.current: it creates the buckets of a
// new file, runs the migrations of an older one and refuses a newer one.
// It reports whether it changed anything, so an up-to-date file is not
// written at all.
func (s schemaSet) prepare(tx *bolt.Tx) (changed bool, err error) {
	have, err := readSchema(tx)
	if err != nil {
		return false, err
	}
	if have > s.current {
		return false, &SchemaError{Have: have, Max: s.current}
	}
	if have != 0 {
		steps, err := s.plan(have)
		if err != nil {
			return false, err
		}
		for _, m := range steps {
			if err := m.fn(tx); err != nil {
				return false, fmt.Errorf("migrate %s from schema %d to %d (%s): %w", dbName, m.from, m.to, m.name, err)
			}
			changed = true
		}
	}
	created, err := createBuckets(tx)
	if err != nil {
		return false, err
	}
	if have == s.current {
		return changed || created, nil
	}
	return true, tx.Bucket([]byte(store.BucketMeta)).Put([]byte(schemaKey), binary.BigEndian.AppendUint64(nil, s.current))
}

// createBuckets creates every bucket of store.Buckets that is missing and
// reports whether there was one.
func createBuckets(tx *bolt.Tx) (bool, error) {
	created := false
	for _, name := range store.Buckets {
		if tx.Bucket([]byte(name)) != nil {
			continue
		}
		if _, err := tx.CreateBucket([]byte(name)); err != nil {
			return false, fmt.Errorf("create bucket %s: %w", name, err)
		}
		created = true
	}
	return created, nil
}

// migrate runs prepare in one write transaction, committed only if it
// changed something.
func (s schemaSet) migrate(db *bolt.DB) error {
	tx, err := db.Begin(true)
	if err != nil {
		return fmt.Errorf("begin schema check: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	changed, err := s.prepare(tx)
	if err != nil || !changed {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit schema %d: %w", s.current, err)
	}
	return nil
}
