package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/foyerhq/foyer/bench/internal/benchproc"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// batch is how many tenants (or certificates) one store transaction writes.
const batch = 2500

// backends are the two loopback upstreams every tenant's backend points
// at; each answers 200 with its own name.
type backends struct {
	urls [2]string
	srv  [2]*http.Server
}

func startBackends() (*backends, error) {
	b := &backends{}
	for i, name := range []string{"a", "b"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.close()
			return nil, err
		}
		body := []byte(name)
		b.srv[i] = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write(body)
		})}
		b.urls[i] = "http://" + ln.Addr().String()
		go func() { _ = b.srv[i].Serve(ln) }()
	}
	return b, nil
}

func (b *backends) close() {
	for _, s := range b.srv {
		if s != nil {
			s.Close()
		}
	}
}

// writeStore creates dir's store offline (the daemon is not running):
// base domain "test", tenants t0..t(n-1) each with one backend (even on
// backend a, odd on b), and the certificates leaves (imported, for
// tI.test), in transactions of batch records. It returns foyer.db's size.
//
// Tenant t0 and its backend go through the store's own transaction (so
// the base domain, pool and backend are as the API makes them); the rest
// are written through the store's KV layer in the same record layout
// (store/kv.go), in big batches without an audit entry each: faster to
// set up (Tx.CreateTenant no longer decodes every stored tenant, but a
// bulk load through it still writes 100,000 audit entries). The caller
// runs `foyer store check` on the result.
func writeStore(dir string, n int, leaves []benchproc.Leaf, bk *backends) (int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	ctx := context.Background()
	err = st.Update(ctx, "scale", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.BaseDomain = base
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		if err := tx.CreateTenant(&store.Tenant{Slug: slug(0)}); err != nil {
			return err
		}
		return tx.AddBackend(&store.Backend{Tenant: slug(0), URL: bk.urls[0]})
	})
	if err != nil {
		return 0, fmt.Errorf("base domain and tenant t0: %w", err)
	}
	now := time.Now().UTC()
	for lo := 1; lo < n; lo += batch {
		hi := min(lo+batch, n)
		if err := st.KV().Update(ctx, func(k store.KVTx) error { return putTenants(k, lo, hi, now, bk) }); err != nil {
			return 0, fmt.Errorf("tenants %d..%d: %w", lo, hi-1, err)
		}
	}
	for lo := 0; lo < len(leaves); lo += batch {
		part := leaves[lo:min(lo+batch, len(leaves))]
		err := st.Update(ctx, "scale", func(tx store.Tx) error {
			for i, l := range part {
				if err := tx.PutCert(&store.Certificate{Name: host(lo + i), CertPEM: l.Cert, KeyPEM: l.Key}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("certificates %d..%d: %w", lo, lo+len(part)-1, err)
		}
	}
	if err := st.Close(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(filepath.Join(dir, "foyer.db"))
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// putTenants writes tenants lo..hi-1, each with its default pool and one
// backend, taking IDs from the store's sequence and counting one
// configuration revision, as the store's own writes do.
func putTenants(k store.KVTx, lo, hi int, now time.Time, bk *backends) error {
	seq := getU64(k, "seq")
	put := func(bucket, key string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return k.Put(bucket, key, b)
	}
	for i := lo; i < hi; i++ {
		s := slug(i)
		tn := store.Tenant{ID: seq + 1, Slug: s, Name: s, State: store.TenantActive, Created: now, Updated: now}
		p := store.Pool{ID: seq + 2, Tenant: s, Name: store.DefaultPool, Algorithm: store.RoundRobin}
		b := store.Backend{ID: seq + 3, Tenant: s, Pool: store.DefaultPool, URL: bk.urls[i%2], Weight: 1, Created: now}
		seq += 3
		if err := errors.Join(put(store.BucketTenants, s, tn), put(store.BucketPools, s+"/"+store.DefaultPool, p),
			put(store.BucketBackends, fmt.Sprintf("%s/%s/%020d", s, store.DefaultPool, b.ID), b)); err != nil {
			return err
		}
	}
	return errors.Join(putU64(k, "seq", seq), putU64(k, "revision", getU64(k, "revision")+1))
}

func getU64(k store.KVTx, key string) uint64 {
	if v := k.Get(store.BucketMeta, key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func putU64(k store.KVTx, key string, n uint64) error {
	return k.Put(store.BucketMeta, key, binary.BigEndian.AppendUint64(nil, n))
}
