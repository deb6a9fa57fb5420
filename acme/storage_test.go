package acme_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
	"github.com/foyerhq/foyer/store/memstore"
)

// backends opens a fresh store of each kind: memstore, and boltstore on a
// real file in t.TempDir().
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memstore", func(t *testing.T) store.Store {
		db, err := memstore.Open(context.Background(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}},
	{"boltstore", func(t *testing.T) store.Store {
		db, err := boltstore.Open(t.TempDir(), boltstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}},
}

// eachBackend runs fn on a Storage over each backend, filled with keys.
func eachBackend(t *testing.T, fn func(t *testing.T, s *acme.Storage, db store.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			s := acme.NewStorage(db)
			for _, k := range []string{"a/b/c", "a/b/d", "a/e", "ab/f", "/g/"} {
				if err := s.Store(context.Background(), k, []byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			fn(t, s, db)
		})
	}
}

// Ensure that List returns immediate children (directories included) or
// every descendant, matching whole components, and fs.ErrNotExist for
// nothing or a file.
func TestStorageList(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *acme.Storage, _ store.Store) {
		for _, tc := range []struct {
			name      string
			dir       string
			recursive bool
			want      []string
			err       error
		}{
			{"children", "a", false, []string{"a/b", "a/e"}, nil},
			{"trailing slash", "a/", false, []string{"a/b", "a/e"}, nil},
			{"recursive", "a", true, []string{"a/b", "a/b/c", "a/b/d", "a/e"}, nil},
			{"root", "", false, []string{"a", "ab", "g"}, nil},
			{"files only", "a/b", false, []string{"a/b/c", "a/b/d"}, nil},
			{"missing", "x", false, nil, fs.ErrNotExist},
			{"string prefix", "a/b/", false, []string{"a/b/c", "a/b/d"}, nil},
			{"a file has no children", "a/b/c", false, nil, fs.ErrNotExist},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.List(context.Background(), tc.dir, tc.recursive)
				if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) || !slices.Equal(got, tc.want) {
					t.Fatalf("List(%q, %v) = %q, %v; want %q, %v", tc.dir, tc.recursive, got, err, tc.want, tc.err)
				}
			})
		}
	})
}

// Ensure that Load copies and returns fs.ErrNotExist for a directory or
// nothing, Stat tells files from directories (newest child's time), and
// Exists covers both.
func TestStorageLoadStatExists(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *acme.Storage, _ store.Store) {
		ctx := context.Background()
		v, err := s.Load(ctx, "a/e")
		if err != nil || string(v) != "a/e" {
			t.Fatalf("Load = %q, %v", v, err)
		}
		v[0] = 'X'
		if v, _ := s.Load(ctx, "a/e"); string(v) != "a/e" {
			t.Fatalf("Load returned the stored slice: %q", v)
		}
		newest, err := s.Stat(ctx, "a/b/d")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, key string
			terminal  bool
			size      int64
			exists    bool
		}{
			{"file", "a/b/c", true, 5, true},
			{"directory", "a/b", false, 0, true},
			{"top directory", "a", false, 0, true},
			{"slashes trimmed", "/g/", true, 3, true},
			{"missing", "a/b/x", false, 0, false},
			{"string prefix", "b", false, 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := s.Exists(ctx, tc.key); got != tc.exists {
					t.Fatalf("Exists(%q) = %v", tc.key, got)
				}
				info, err := s.Stat(ctx, tc.key)
				if !tc.exists {
					if !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("Stat(%q) error %v, want fs.ErrNotExist", tc.key, err)
					}
					if _, err := s.Load(ctx, tc.key); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("Load(%q) error %v, want fs.ErrNotExist", tc.key, err)
					}
					return
				}
				if err != nil || info.IsTerminal != tc.terminal || info.Size != tc.size || info.Modified.IsZero() {
					t.Fatalf("Stat(%q) = %+v, %v", tc.key, info, err)
				}
				if !tc.terminal {
					if info.Modified.Before(newest.Modified) {
						t.Fatalf("directory %q modified %v, before its child's %v", tc.key, info.Modified, newest.Modified)
					}
					if _, err := s.Load(ctx, tc.key); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("Load of directory %q: %v, want fs.ErrNotExist", tc.key, err)
					}
				}
			})
		}
	})
}

// Ensure that Delete removes a key and everything under it, not siblings
// sharing a string prefix, and is nil for a missing key.
func TestStorageDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *acme.Storage, _ store.Store) {
		ctx := context.Background()
		for _, k := range []string{"a", "missing", "g", "g"} {
			if err := s.Delete(ctx, k); err != nil {
				t.Fatalf("Delete(%q): %v", k, err)
			}
		}
		got, err := s.List(ctx, "", true)
		if err != nil || !slices.Equal(got, []string{"ab", "ab/f"}) {
			t.Fatalf("after Delete: %q, %v", got, err)
		}
		if s.Exists(ctx, "a") || s.Exists(ctx, "a/b/c") {
			t.Fatal("a deleted directory still exists")
		}
	})
}

// Ensure that blob writes through the Storage are not configuration
// changes: the revision, the audit log and the rest of the store stay as
// they were.
func TestStorageNoRevisionNoAudit(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *acme.Storage, db store.Store) {
		ctx := context.Background()
		if err := db.Update(ctx, "test", func(tx store.Tx) error {
			return tx.CreateTenant(&store.Tenant{Slug: "acme"})
		}); err != nil {
			t.Fatal(err)
		}
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		audit, _ := db.AuditLog(ctx, 0, 0)
		_ = s.Store(ctx, "certificates/x/y.crt", []byte("pem"))
		_ = s.Delete(ctx, "a")
		_ = s.Store(ctx, "a/e", []byte("again"))
		after, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if db.Revision() != snap.Revision || after.Revision != snap.Revision {
			t.Fatalf("revision moved: %d -> %d (snapshot %d)", snap.Revision, db.Revision(), after.Revision)
		}
		if got, _ := db.AuditLog(ctx, 0, 0); len(got) != len(audit) {
			t.Fatalf("audit log grew from %d to %d entries", len(audit), len(got))
		}
	})
}

// Ensure that Lock blocks while held and honours ctx, Unlock wakes a
// waiter, names are independent, TryLock of a held name is false, and
// Unlock of a free name fails.
func TestStorageLock(t *testing.T) {
	ctx := context.Background()
	s := acme.NewStorage(backends[0].open(t))
	if err := s.Lock(ctx, "issue_cert_a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock(ctx, "register_acme_account"); err != nil {
		t.Fatalf("another name blocked: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := s.Lock(short, "issue_cert_a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock of a held name: %v, want DeadlineExceeded", err)
	}
	if ok, err := s.TryLock(ctx, "issue_cert_a"); ok || err != nil {
		t.Fatalf("TryLock of a held name = %v, %v; want false, nil", ok, err)
	}
	got := make(chan error, 1)
	go func() { got <- s.Lock(ctx, "issue_cert_a") }()
	time.Sleep(5 * time.Millisecond) // let the waiter block (it is correct either way)
	if err := s.Unlock(context.WithoutCancel(ctx), "issue_cert_a"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Unlock did not wake the waiter")
	}
	if err := s.Unlock(ctx, "never"); err == nil {
		t.Fatal("Unlock of a free name succeeded")
	}
	if ok, err := s.TryLock(ctx, "ari_1"); !ok || err != nil {
		t.Fatalf("TryLock of a free name = %v, %v", ok, err)
	}
	for _, n := range []string{"issue_cert_a", "register_acme_account", "ari_1"} {
		if err := s.Unlock(ctx, n); err != nil {
			t.Fatalf("Unlock(%q): %v", n, err)
		}
	}
}

// Ensure that concurrent Store, Load, List and Lock on one Storage are
// safe (run with -race) and a reader sees whole values only.
func TestStorageConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *acme.Storage, _ store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 40 {
					key := fmt.Sprintf("c/%d", i%4)
					val := fmt.Sprintf("writer %d value %03d", w, i)
					if err := s.Lock(ctx, key); err != nil {
						t.Error(err)
						return
					}
					err := s.Store(ctx, key, []byte(val))
					if err == nil {
						var v []byte
						v, err = s.Load(ctx, key)
						if err == nil && string(v) != val {
							err = fmt.Errorf("under the lock, Load = %q, want %q", v, val)
						}
					}
					_, _ = s.List(ctx, "c", true)
					if uerr := s.Unlock(ctx, key); err == nil {
						err = uerr
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// Ensure that blobs survive closing and reopening a bolt file.
func TestStorageReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := acme.NewStorage(db).Store(ctx, "certificates/ca/a.test/a.test.crt", []byte("pem")); err != nil {
		t.Fatal(err)
	}
	before, _ := acme.NewStorage(db).Stat(ctx, "certificates/ca/a.test/a.test.crt")
	if err := db.Close(); err != nil { // bbolt's flock: close before reopening
		t.Fatal(err)
	}
	db, err = boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := acme.NewStorage(db)
	v, err := s.Load(ctx, "certificates/ca/a.test/a.test.crt")
	if err != nil || string(v) != "pem" {
		t.Fatalf("after reopen: Load = %q, %v", v, err)
	}
	after, err := s.Stat(ctx, "certificates/ca/a.test/a.test.crt")
	if err != nil || !after.Modified.Equal(before.Modified) {
		t.Fatalf("after reopen: Stat = %+v, %v; want modified %v", after, err, before.Modified)
	}
}

// Ensure that certmagic itself finds a certificate stored under its key
// layout (StorageKeys) in our Storage, over a real bolt file.
func TestStorageCertmagicLoadsCertificate(t *testing.T) {
	ctx := context.Background()
	db := backends[1].open(t)
	s := acme.NewStorage(db)
	const name = "a.example.test"
	pair := newTestCA(t).issue(t, name)

	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return nil, errors.New("unused") },
	})
	defer cache.Stop()
	cfg := certmagic.New(cache, certmagic.Config{Storage: s, OCSP: certmagic.OCSPConfig{DisableStapling: true}, DisableARI: true})
	iss := certmagic.NewACMEIssuer(cfg, certmagic.ACMEIssuer{CA: "https://ca.invalid/directory", DisableHTTPChallenge: true})
	cfg.Issuers = []certmagic.Issuer{iss}

	ik := iss.IssuerKey()
	for key, v := range map[string]string{
		certmagic.StorageKeys.SiteCert(ik, name):       pair.cert,
		certmagic.StorageKeys.SitePrivateKey(ik, name): pair.key,
		certmagic.StorageKeys.SiteMeta(ik, name):       `{"sans":["` + name + `"]}`,
	} {
		if err := s.Store(ctx, key, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := cfg.CacheManagedCertificate(ctx, name)
	if err != nil {
		t.Fatalf("certmagic did not load the stored certificate: %v", err)
	}
	if !slices.Equal(cert.Names, []string{name}) || !slices.Equal(cert.Certificate.Certificate[0], pair.der) {
		t.Fatalf("certmagic loaded %v, not the stored certificate", cert.Names)
	}
	sites, err := s.List(ctx, certmagic.StorageKeys.CertsPrefix(ik), false)
	if err != nil || !slices.Equal(sites, []string{certmagic.StorageKeys.CertsSitePrefix(ik, name)}) {
		t.Fatalf("List of the issuer's sites = %q, %v", sites, err)
	}
}
