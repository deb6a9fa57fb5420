// Package boltstore keeps foyer's store in one bbolt file, foyer.db, in
// the data directory. It is the only package that imports bbolt: it
// provides a store.KV over the file and hands it to store.DB, which
// implements the whole store.Store, so its semantics are memstore's
// (store/storetest checks both).
//
// Open takes bbolt's exclusive file lock with a short timeout and writes
// foyer.pid beside the file, so a second process gets an error naming the
// one that holds it. It checks the file's schema version and runs the
// migrations of an older file in one transaction. Every commit is synced
// (bbolt's default), so a change that Update returned survives a crash.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/foyerhq/foyer/store"
)

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Store tunes the store.DB over the file (its clock). Default: the
	// zero store.Options.
	Store store.Options
	// LockTimeout bounds how long Open waits for another process to
	// release foyer.db before it returns an error wrapping store.ErrLocked.
	// Default 1s.
	LockTimeout time.Duration

	schema *schemaSet // the versions understood; nil means this binary's (tests add one)
}

// DefaultLockTimeout is the LockTimeout used when Options leaves it zero.
const DefaultLockTimeout = time.Second

func (o Options) lockTimeout() time.Duration {
	if o.LockTimeout <= 0 {
		return DefaultLockTimeout
	}
	return o.LockTimeout
}

func (o Options) schemaSet() schemaSet {
	if o.schema == nil {
		return defaultSchema
	}
	return *o.schema
}

// Store is a store.Store over dir/foyer.db, plus what only a file has:
// its path, a consistency check and its schema version.
type Store struct {
	*store.DB
	kv   *kv
	dir  string
	path string
}

// Open opens (or creates) dir/foyer.db. It creates dir with mode 0700,
// tightens an existing one to 0700 (refusing a shared one such as /tmp),
// creates the file with mode 0600, takes its lock, writes dir/foyer.pid,
// and brings the schema up to date. A file held by another process (or
// already open in this one) gives an error wrapping store.ErrLocked; a
// file written by a newer foyer gives a *SchemaError.
func Open(dir string, opts Options) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, dbName)
	if !claim(path) {
		return nil, openHereError(dir)
	}
	bdb, err := openBolt(dir, path, opts.lockTimeout())
	if err != nil {
		release(path)
		return nil, err
	}
	k := &kv{db: bdb, pidPath: filepath.Join(dir, pidName), key: path}
	s, err := setUp(k, opts)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open store in %s: %w", dir, err), k.Close())
	}
	s.dir, s.path = dir, path
	return s, nil
}

// openBolt opens the file with the lock timeout, translating a timeout
// into the locked error.
func openBolt(dir, path string, timeout time.Duration) (*bolt.DB, error) {
	o := *bolt.DefaultOptions // fsync on every commit: never NoSync
	o.Timeout = timeout
	db, err := bolt.Open(path, 0o600, &o)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, lockedError(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := tightenFile(path); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// setUp writes the pid file, migrates the schema and builds the store.DB.
func setUp(k *kv, opts Options) (*Store, error) {
	if err := writePid(k.pidPath); err != nil {
		return nil, err
	}
	if err := opts.schemaSet().migrate(k.db); err != nil {
		return nil, err
	}
	db, err := store.Open(context.Background(), k, opts.Store)
	if err != nil {
		return nil, err
	}
	return &Store{DB: db, kv: k}, nil
}

// Path returns the absolute path of foyer.db.
func (s *Store) Path() string { return s.path }

// Dir returns the absolute path of the data directory.
func (s *Store) Dir() string { return s.dir }

// Check runs bbolt's consistency check over the whole file in one read
// transaction and returns every problem it finds, joined.
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var errs []error
	err := s.kv.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	if err = errors.Join(append(errs, translate(err))...); err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	return nil
}

// Schema returns the schema version of the file.
func (s *Store) Schema(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var v uint64
	err := s.kv.db.View(func(tx *bolt.Tx) (err error) {
		v, err = readSchema(tx)
		return err
	})
	return v, translate(err)
}

// Close ends subscriptions, removes foyer.pid and closes the file, which
// releases its lock. Calling it again returns the first result.
func (s *Store) Close() error { return s.DB.Close() }
