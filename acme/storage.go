package acme

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/caddyserver/certmagic"

	"github.com/foyerhq/foyer/store"
)

// Storage is certmagic's storage over the store's Blobs, so that ACME
// accounts, issued certificates and keys live in foyer.db: one backup holds
// them and a restored box serves TLS without re-issuing. Its writes are
// certificate-cache writes (no revision, no audit entry).
//
// It keeps certmagic's contract: keys are "/"-separated (slashes at either
// end are trimmed by cleanKey, shared with memStorage) and directories implicit; Load, List and Stat return an
// error wrapping fs.ErrNotExist for a missing key; Delete removes a key and
// everything under it and is nil when nothing is there; Exists is true for
// a file or a directory.
//
// Locks are in-process named mutexes: bbolt holds an exclusive lock on its
// file, so no other process can share the store, and a process uses one
// Storage per store (a second Storage over the same store would have locks
// of its own). Lock is not re-entrant and honours ctx; names are
// independent. It is safe for concurrent use.
type Storage struct {
	blobs store.Blobs

	mu    sync.Mutex               // guards locks
	locks map[string]chan struct{} // held locks by name; closed on Unlock
}

var (
	_ certmagic.Storage   = (*Storage)(nil)
	_ certmagic.TryLocker = (*Storage)(nil)
)

// NewStorage returns a Storage over blobs (a *store.DB, or any store.Store).
func NewStorage(blobs store.Blobs) *Storage {
	return &Storage{blobs: blobs, locks: map[string]chan struct{}{}}
}

// notExist turns the store's ErrNotFound into fs.ErrNotExist, which is
// what certmagic checks for.
func notExist(op, key string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s %s: %w", op, key, fs.ErrNotExist)
	}
	return fmt.Errorf("%s %s: %w", op, key, err)
}

// Store implements certmagic.Storage.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	if err := s.blobs.PutBlob(ctx, cleanKey(key), value); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Load implements certmagic.Storage. The value is a copy.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	v, err := s.blobs.GetBlob(ctx, cleanKey(key))
	if err != nil {
		return nil, notExist("load", key, err)
	}
	return v, nil
}

// Delete implements certmagic.Storage: key and everything under it.
func (s *Storage) Delete(ctx context.Context, key string) error {
	if err := s.blobs.DeleteBlob(ctx, cleanKey(key)); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Exists implements certmagic.Storage: true for a key or a directory.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	_, err := s.blobs.StatBlob(ctx, cleanKey(key))
	return err == nil
}

// List implements certmagic.Storage. Without recursive it returns the
// immediate children of dir, directories included; with it, every
// descendant. Keys are full paths; nothing under dir is fs.ErrNotExist.
func (s *Storage) List(ctx context.Context, dir string, recursive bool) ([]string, error) {
	keys, err := s.blobs.ListBlobs(ctx, cleanKey(dir), recursive)
	if err == nil && len(keys) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, notExist("list", dir, err)
	}
	return keys, nil
}

// Stat implements certmagic.Storage. A directory has IsTerminal false and
// its newest descendant's time.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	info, err := s.blobs.StatBlob(ctx, cleanKey(key))
	if err != nil {
		return certmagic.KeyInfo{}, notExist("stat", key, err)
	}
	return certmagic.KeyInfo{Key: info.Key, Modified: info.Modified, Size: info.Size, IsTerminal: !info.Dir}, nil
}

// Lock implements certmagic.Locker: it blocks until name is free or ctx
// ends.
func (s *Storage) Lock(ctx context.Context, name string) error {
	for {
		held, ok := s.take(name)
		if ok {
			return nil
		}
		select {
		case <-held:
		case <-ctx.Done():
			return fmt.Errorf("lock %s: %w", name, ctx.Err())
		}
	}
}

// TryLock implements certmagic.TryLocker: it takes name if it is free and
// never waits.
func (s *Storage) TryLock(ctx context.Context, name string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("lock %s: %w", name, err)
	}
	_, ok := s.take(name)
	return ok, nil
}

// take takes name and returns true, or returns the channel closed when
// its holder unlocks it.
func (s *Storage) take(name string) (<-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if held, ok := s.locks[name]; ok {
		return held, false
	}
	s.locks[name] = make(chan struct{})
	return nil, true
}

// Unlock implements certmagic.Locker. Unlocking a name that is not held
// is an error.
func (s *Storage) Unlock(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, ok := s.locks[name]
	if !ok {
		return fmt.Errorf("unlock %s: not locked", name)
	}
	delete(s.locks, name)
	close(held)
	return nil
}

// String names the storage in certmagic's logs.
func (s *Storage) String() string { return "foyer store" }
