package acme

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
)

// memStorage is a certmagic.Storage in memory, so that certmagic's
// bookkeeping never reaches the disk (certmagic.Default would use a
// FileStorage in the home directory). It is used only when
// Options.Blobs is nil (tests); the daemon keeps certmagic's data in the
// store through Storage (storage.go), which survives a restart.
//
// It keeps the Storage contract: keys are "/"-separated and directories
// implicit; Load, List and Stat return fs.ErrNotExist for a missing key;
// Delete removes a key and everything under it and is nil when nothing
// is there; locks are in-process, not re-entrant, and honour ctx.
type memStorage struct {
	mu    sync.Mutex               // guards files and locks
	files map[string]memFile       // by key
	locks map[string]chan struct{} // held locks; closed on Unlock
}

type memFile struct {
	data     []byte
	modified time.Time
}

var _ certmagic.Storage = (*memStorage)(nil)

func newMemStorage() *memStorage {
	return &memStorage{files: map[string]memFile{}, locks: map[string]chan struct{}{}}
}

// Store implements certmagic.Storage.
func (s *memStorage) Store(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[cleanKey(key)] = memFile{data: slices.Clone(value), modified: time.Now()}
	return nil
}

// Load implements certmagic.Storage.
func (s *memStorage) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[cleanKey(key)]
	if !ok {
		return nil, fmt.Errorf("load %s: %w", key, fs.ErrNotExist)
	}
	return slices.Clone(f.data), nil
}

// Delete implements certmagic.Storage.
func (s *memStorage) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key = cleanKey(key)
	for k := range s.files {
		if k == key || under(k, key) {
			delete(s.files, k)
		}
	}
	return nil
}

// Exists implements certmagic.Storage: true for a key or a directory.
func (s *memStorage) Exists(ctx context.Context, key string) bool {
	_, err := s.Stat(ctx, key)
	return err == nil
}

// List implements certmagic.Storage. Without recursive it returns the
// immediate children of dir, directories included; with it, every
// descendant. Keys are full paths.
func (s *memStorage) List(_ context.Context, dir string, recursive bool) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir = cleanKey(dir)
	seen := map[string]bool{}
	for k := range s.files {
		if !under(k, dir) {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(k[len(dir):], "/"), "/")
		for i := range parts {
			seen[joinKey(dir, strings.Join(parts[:i+1], "/"))] = true
			if !recursive {
				break
			}
		}
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("list %s: %w", dir, fs.ErrNotExist)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// Stat implements certmagic.Storage. A directory's Modified is its newest
// descendant's.
func (s *memStorage) Stat(_ context.Context, key string) (certmagic.KeyInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key = cleanKey(key)
	if f, ok := s.files[key]; ok {
		return certmagic.KeyInfo{Key: key, Modified: f.modified, Size: int64(len(f.data)), IsTerminal: true}, nil
	}
	info := certmagic.KeyInfo{Key: key}
	found := false
	for k, f := range s.files {
		if under(k, key) {
			found = true
			if f.modified.After(info.Modified) {
				info.Modified = f.modified
			}
		}
	}
	if !found {
		return certmagic.KeyInfo{}, fmt.Errorf("stat %s: %w", key, fs.ErrNotExist)
	}
	return info, nil
}

// Lock implements certmagic.Locker: it blocks until name is free or ctx
// ends.
func (s *memStorage) Lock(ctx context.Context, name string) error {
	for {
		s.mu.Lock()
		held, ok := s.locks[name]
		if !ok {
			s.locks[name] = make(chan struct{})
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		select {
		case <-held:
		case <-ctx.Done():
			return fmt.Errorf("lock %s: %w", name, ctx.Err())
		}
	}
}

// Unlock implements certmagic.Locker.
func (s *memStorage) Unlock(_ context.Context, name string) error {
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

// cleanKey trims the slashes certmagic's keys must not have at either end.
func cleanKey(key string) string { return strings.Trim(key, "/") }

// under reports whether key lies strictly below dir ("" is the root).
func under(key, dir string) bool {
	return dir == "" || strings.HasPrefix(key, dir+"/")
}

func joinKey(dir, rest string) string {
	if dir == "" {
		return rest
	}
	return dir + "/" + rest
}
