package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/foyerhq/foyer/store"
)

// kv is the store.KV over one bbolt file. It owns the file, the pid file
// beside it and the process-wide registration of the path.
type kv struct {
	db      *bolt.DB
	pidPath string // dir/foyer.pid, removed on Close
	key     string // the registry key of the file, released on Close

	closeOnce sync.Once // guards closeErr: Close runs once, later calls return its result
	closeErr  error
}

var _ store.KV = (*kv)(nil)

// Update implements store.KV. A transaction that wrote nothing is rolled
// back rather than committed, so a no-op or refused change neither syncs
// nor touches the file.
func (k *kv) Update(ctx context.Context, fn func(store.KVTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := k.db.Begin(true)
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit it is a no-op; on panic it releases the writer lock
	t := &boltTx{tx: tx}
	if err := fn(t); err != nil {
		return err
	}
	if !t.dirty {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit foyer.db: %w", translate(err))
	}
	return nil
}

// View implements store.KV.
func (k *kv) View(ctx context.Context, fn func(store.KVTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := k.db.Begin(false)
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(&boltTx{tx: tx})
}

// Close implements store.KV. It removes the pid file while the lock is
// still held, so it never removes the pid file of a process that opened
// the file after us, then closes bbolt, which releases the lock.
func (k *kv) Close() error {
	k.closeOnce.Do(func() {
		pidErr := os.Remove(k.pidPath)
		if errors.Is(pidErr, os.ErrNotExist) {
			pidErr = nil
		}
		k.closeErr = errors.Join(k.db.Close(), pidErr)
		release(k.key)
	})
	return k.closeErr
}

// translate turns bbolt's errors into the store's at the boundary.
func translate(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("foyer.db: %w", store.ErrClosed)
	}
	return err
}

// boltTx is one transaction. dirty records whether it wrote anything.
type boltTx struct {
	tx    *bolt.Tx
	dirty bool
}

func (t *boltTx) bucket(name string) (*bolt.Bucket, error) {
	b := t.tx.Bucket([]byte(name))
	if b == nil {
		return nil, fmt.Errorf("foyer.db has no bucket %q", name)
	}
	return b, nil
}

// Get implements store.KVTx. The value points into bbolt's memory map and
// is valid only until the transaction ends, as store.KVTx allows; store.DB
// decodes it at once and keeps nothing.
func (t *boltTx) Get(bucket, key string) []byte {
	b, err := t.bucket(bucket)
	if err != nil {
		return nil
	}
	return b.Get([]byte(key))
}

// Put implements store.KVTx. bbolt keeps the value slice until commit, so
// Put copies it: the caller may reuse its buffer.
func (t *boltTx) Put(bucket, key string, value []byte) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(key), bytes.Clone(value)); err != nil {
		return fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	t.dirty = true
	return nil
}

// ForEachBytes implements store.BytesWalker: ForEach without a string
// per key; key and value point into bbolt's memory map.
func (t *boltTx) ForEachBytes(bucket, prefix string, fn func(key, value []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c, p := b.Cursor(), []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements store.KVTx.
func (t *boltTx) Delete(bucket, key string) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
	}
	t.dirty = true
	return nil
}

// ForEach implements store.KVTx with a cursor that seeks to the prefix and
// stops at the first key past it.
func (t *boltTx) ForEach(bucket, prefix string, fn func(string, []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	c, p := b.Cursor(), []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}
