// Package memstore is an in-memory store.KV, for tests and for trying
// foyer without a disk. It has the same semantics as store/boltstore
// (store/storetest checks both) but keeps nothing across a restart.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/foyerhq/foyer/store"
)

// KV is the in-memory KV. A write transaction works on a copy of the
// touched buckets and swaps them in on commit, so a failed transaction
// leaves nothing behind.
type KV struct {
	mu      sync.RWMutex // writers hold it exclusively for the whole tx; readers shared
	buckets map[string]map[string][]byte
	closed  bool
}

// ErrClosed is returned by transactions on a closed KV.
var ErrClosed = fmt.Errorf("memstore: %w", store.ErrClosed)

// New returns an empty KV with every bucket of store.Buckets.
func New() *KV {
	kv := &KV{buckets: map[string]map[string][]byte{}}
	for _, b := range store.Buckets {
		kv.buckets[b] = map[string][]byte{}
	}
	return kv
}

// Open returns a ready store.DB over a new in-memory KV.
func Open(ctx context.Context, opts store.Options) (*store.DB, error) {
	return store.Open(ctx, New(), opts)
}

// Update implements store.KV.
func (kv *KV) Update(ctx context.Context, fn func(store.KVTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.closed {
		return ErrClosed
	}
	t := &memTx{kv: kv, write: true, copied: map[string]map[string][]byte{}}
	if err := fn(t); err != nil {
		return err
	}
	for name, b := range t.copied {
		kv.buckets[name] = b
	}
	return nil
}

// View implements store.KV.
func (kv *KV) View(ctx context.Context, fn func(store.KVTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	if kv.closed {
		return ErrClosed
	}
	return fn(&memTx{kv: kv})
}

// Close implements store.KV.
func (kv *KV) Close() error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.closed = true
	return nil
}

type memTx struct {
	kv     *KV
	write  bool
	copied map[string]map[string][]byte // buckets this tx has written: private copies
}

func (t *memTx) bucket(name string) (map[string][]byte, error) {
	if b, ok := t.copied[name]; ok {
		return b, nil
	}
	b, ok := t.kv.buckets[name]
	if !ok {
		return nil, errors.New("memstore: no bucket " + name)
	}
	return b, nil
}

func (t *memTx) writable(name string) (map[string][]byte, error) {
	if !t.write {
		return nil, errors.New("memstore: write in a read-only transaction")
	}
	if b, ok := t.copied[name]; ok {
		return b, nil
	}
	src, err := t.bucket(name)
	if err != nil {
		return nil, err
	}
	b := make(map[string][]byte, len(src)+1)
	for k, v := range src {
		b[k] = v
	}
	t.copied[name] = b
	return b, nil
}

func (t *memTx) Get(bucket, key string) []byte {
	b, err := t.bucket(bucket)
	if err != nil {
		return nil
	}
	return b[key]
}

func (t *memTx) Put(bucket, key string, value []byte) error {
	b, err := t.writable(bucket)
	if err != nil {
		return err
	}
	b[key] = append([]byte(nil), value...)
	return nil
}

func (t *memTx) Delete(bucket, key string) error {
	b, err := t.writable(bucket)
	if err != nil {
		return err
	}
	delete(b, key)
	return nil
}

func (t *memTx) ForEach(bucket, prefix string, fn func(string, []byte) error) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(b))
	for k := range b {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(k, b[k]); err != nil {
			return err
		}
	}
	return nil
}
