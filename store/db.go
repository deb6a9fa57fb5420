package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// DB implements Store over any KV. Backends construct it with Open.
type DB struct {
	kv    KV
	now   func() time.Time
	feed  *Feed
	snaps snapCache // records Snapshot decoded, reused while unchanged (snapshot_cache.go)
}

var _ Store = (*DB)(nil)

// Open wraps kv, creating the settings record on first use.
func Open(ctx context.Context, kv KV, opts Options) (*DB, error) {
	db := &DB{kv: kv, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	var rev uint64
	err := kv.Update(ctx, func(k KVTx) error {
		rev = getU64(k, "revision")
		if k.Get(BucketMeta, "settings") == nil {
			return putJSON(k, BucketMeta, "settings", DefaultSettings())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.feed = NewFeed(rev)
	return db, nil
}

// KV returns the backend under db.
func (db *DB) KV() KV { return db.kv }

// Update implements Store.
func (db *DB) Update(ctx context.Context, actor string, fn func(Tx) error) error {
	if actor == "" {
		return fmt.Errorf("store update: no actor given (every change is audited)")
	}
	var rev uint64
	err := db.kv.Update(ctx, func(k KVTx) error {
		rev = 0
		t := &tx{kv: k, now: db.now().UTC(), write: true}
		if err := fn(t); err != nil {
			return err
		}
		if len(t.actions) == 0 {
			return nil
		}
		if t.config {
			rev = getU64(k, "revision") + 1
			if err := putU64(k, "revision", rev); err != nil {
				return err
			}
		}
		seq := getU64(k, "audit_seq") + 1
		if err := putU64(k, "audit_seq", seq); err != nil {
			return err
		}
		return putJSON(k, BucketAudit, idKey(seq), Entry{Seq: seq, Time: t.now, Actor: actor, Actions: t.actions})
	})
	if err == nil && rev > 0 {
		db.feed.Publish(rev)
	}
	return err
}

// View implements Store.
func (db *DB) View(ctx context.Context, fn func(Tx) error) error {
	return db.kv.View(ctx, func(k KVTx) error {
		return fn(&tx{kv: k, now: db.now().UTC()})
	})
}

// Revision implements Store.
func (db *DB) Revision() uint64 { return db.feed.Revision() }

// Subscribe implements Store.
func (db *DB) Subscribe() *Subscription { return db.feed.Subscribe() }

// Close implements Store.
func (db *DB) Close() error {
	db.feed.Close()
	return db.kv.Close()
}

// Snapshot implements Store. Tenants, pools and backends (the records
// there are thousands of) come through a cache that decodes only what
// changed since the last snapshot (snapshot_cache.go), so their maps and
// slices are shared with other snapshots: a snapshot is read-only.
func (db *DB) Snapshot(ctx context.Context) (*Snapshot, error) {
	s := &Snapshot{}
	db.snaps.mu.Lock()
	defer db.snaps.mu.Unlock()
	err := db.kv.View(ctx, func(k KVTx) error {
		db.snaps.begin()
		t := &tx{kv: k}
		s.Revision = getU64(k, "revision")
		var err error
		if s.Settings, err = t.Settings(); err != nil {
			return err
		}
		if s.Tenants, err = cachedList[Tenant](&db.snaps, k, BucketTenants); err != nil {
			return err
		}
		if s.Pools, err = cachedList[Pool](&db.snaps, k, BucketPools); err != nil {
			return err
		}
		if s.Backends, err = cachedList[Backend](&db.snaps, k, BucketBackends); err != nil {
			return err
		}
		if s.Domains, err = cachedList[Domain](&db.snaps, k, BucketDomains); err != nil {
			return err
		}
		if s.Plans, err = t.Plans(); err != nil {
			return err
		}
		if s.APIKeys, err = t.APIKeys(""); err != nil {
			return err
		}
		if s.JWTKeys, err = t.JWTKeys(); err != nil {
			return err
		}
		s.CertsRevision = getU64(k, certsRevisionKey)
		s.CertCount, err = db.snaps.certCount(k, s.CertsRevision)
		return err
	})
	return s, err
}

// Tenant implements Tenants.
func (db *DB) Tenant(ctx context.Context, slug string) (out Tenant, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Tenant(slug); return err })
	return out, err
}

// ListTenants implements Tenants.
func (db *DB) ListTenants(ctx context.Context) (out []Tenant, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Tenants(); return err })
	return out, err
}

// ListBackends implements Tenants.
func (db *DB) ListBackends(ctx context.Context, tenant string) (out []Backend, err error) {
	err = db.View(ctx, func(t Tx) error {
		if _, err := t.Tenant(tenant); err != nil {
			return err
		}
		out, err = t.Backends(tenant)
		return err
	})
	return out, err
}

// Domain implements Domains.
func (db *DB) Domain(ctx context.Context, name string) (out Domain, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Domain(name); return err })
	return out, err
}

// ListDomains implements Domains.
func (db *DB) ListDomains(ctx context.Context, tenant string) (out []Domain, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Domains(tenant); return err })
	return out, err
}

// Cert implements Certs.
func (db *DB) Cert(ctx context.Context, name string) (out Certificate, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Cert(name); return err })
	return out, err
}

// ListCerts implements Certs.
func (db *DB) ListCerts(ctx context.Context) (out []Certificate, err error) {
	err = db.View(ctx, func(t Tx) error { out, err = t.Certs(); return err })
	return out, err
}

// AuditLog implements Audit: limit 0 means 100, at most 10000. It scans the audit bucket once, keeping the
// newest entries in a ring of size limit.
func (db *DB) AuditLog(ctx context.Context, limit int, before uint64) ([]Entry, error) {
	switch {
	case limit <= 0:
		limit = 100
	case limit > 10000:
		limit = 10000
	}
	ring := make([]Entry, 0, limit)
	next := 0
	err := db.kv.View(ctx, func(k KVTx) error {
		return k.ForEach(BucketAudit, "", func(_ string, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode audit entry: %w", err)
			}
			if before != 0 && e.Seq >= before {
				return nil
			}
			if len(ring) < limit {
				ring = append(ring, e)
			} else {
				ring[next] = e
				next = (next + 1) % limit
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ring))
	for i := len(ring) - 1; i >= 0; i-- {
		out = append(out, ring[(next+i)%len(ring)])
	}
	return out, nil
}

func idKey(n uint64) string { return fmt.Sprintf("%020d", n) }

func getU64(k KVTx, key string) uint64 {
	v := k.Get(BucketMeta, key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putU64(k KVTx, key string, n uint64) error {
	return k.Put(BucketMeta, key, binary.BigEndian.AppendUint64(nil, n))
}

func putJSON(k KVTx, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	return k.Put(bucket, key, b)
}

// getJSON decodes bucket/key into v and reports whether it existed.
func getJSON(k KVTx, bucket, key string, v any) (bool, error) {
	b := k.Get(bucket, key)
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// list decodes every value under prefix into a slice of T.
func list[T any](k KVTx, bucket, prefix string) ([]T, error) {
	out := []T{}
	err := k.ForEach(bucket, prefix, func(key string, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// listNaming decodes only the values under prefix that name s as a JSON
// string (their bytes contain s quoted) and returns those keep accepts.
// It finds the few records of a bucket that name one tenant or label
// without decoding every record (a tenant's write at 10,000 tenants
// decoded them all). The byte test is a necessary condition only when s
// needs no escaping in JSON, as slugs and host names never do; for any
// other s every value is decoded.
func listNaming[T any](k KVTx, bucket, prefix, s string, keep func(*T) bool) ([]T, error) {
	quoted, err := json.Marshal(s)
	if err != nil || string(quoted) != `"`+s+`"` {
		quoted = nil
	}
	out := []T{}
	err = k.ForEach(bucket, prefix, func(key string, v []byte) error {
		if quoted != nil && !bytes.Contains(v, quoted) {
			return nil
		}
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
		}
		if keep(&x) {
			out = append(out, x)
		}
		return nil
	})
	return out, err
}
