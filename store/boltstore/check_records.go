package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// readRecords reads every record of foyer.db through the store's own read
// paths (the ones the daemon serves from), so a record that fails to
// decode here would fail there too. It returns how many records it read
// and one problem per read path that failed.
func readRecords(ctx context.Context, db *store.DB) (n int, problems []string) {
	fail := func(what string, err error) {
		problems = append(problems, fmt.Sprintf("%s do not decode: %v (restore foyer.db from a backup)", what, err))
	}
	if snap, err := db.Snapshot(ctx); err != nil {
		fail("the configuration (settings, tenants, pools, backends, domains, plans, API keys, JWT keys)", err)
	} else {
		n += 1 + len(snap.Tenants) + len(snap.Pools) + len(snap.Backends) + len(snap.Domains) +
			len(snap.Plans) + len(snap.APIKeys) + len(snap.JWTKeys)
	}
	if certs, err := db.ListCerts(ctx); err != nil {
		fail("imported certificates", err)
	} else {
		n += len(certs)
	}
	err := db.View(ctx, func(tx store.Tx) error {
		toks, err := tx.Tokens()
		n += len(toks)
		return err
	})
	if err != nil {
		fail("API tokens", err)
	}
	k, err := readAudit(ctx, db)
	n += k
	if err != nil {
		fail("audit entries", err)
	}
	rows, err := db.QueryUsage(ctx, store.UsageQuery{Span: store.SpanMinute})
	n += len(rows)
	if err != nil {
		fail("usage rows", err)
	}
	k, err = readBlobs(ctx, db)
	n += k
	if err != nil {
		fail("certificate storage (ACME accounts, obtained certificates and keys)", err)
	}
	return n, problems
}

// readAudit reads the whole audit trail, a page at a time.
func readAudit(ctx context.Context, db *store.DB) (n int, err error) {
	const page = 1000
	before := uint64(0)
	for {
		es, err := db.AuditLog(ctx, page, before)
		n += len(es)
		if err != nil || len(es) < page {
			return n, err
		}
		before = es[len(es)-1].Seq
	}
}

// readBlobs reads every value of certmagic's storage.
func readBlobs(ctx context.Context, db *store.DB) (n int, err error) {
	keys, err := db.ListBlobs(ctx, "", true)
	if err != nil {
		return 0, err
	}
	for _, key := range keys {
		info, err := db.StatBlob(ctx, key)
		if err != nil {
			return n, fmt.Errorf("%s: %w", key, err)
		}
		if info.Dir {
			continue
		}
		if _, err := db.GetBlob(ctx, key); err != nil {
			return n, fmt.Errorf("%s: %w", key, err)
		}
		n++
	}
	return n, nil
}

// decodeLogs checks logs.db's layout and decodes every access-log record,
// in one read transaction.
func decodeLogs(l *Logs) (n int, problems []string) {
	err := l.db.View(func(tx *bolt.Tx) error {
		meta, tenants := tx.Bucket(logsMetaBucket), tx.Bucket(logsTenantsBucket)
		if meta == nil || tenants == nil {
			problems = append(problems, "it has no meta or tenants bucket: it was not written by foyer (it is disposable: with foyer stopped, delete it)")
			return nil
		}
		if have, _ := binary.Uvarint(meta.Get(logsLayoutKey)); have != logsLayout {
			problems = append(problems, fmt.Sprintf("it has access-log layout %d; this foyer understands %d (it is disposable: with foyer stopped, delete it)", have, logsLayout))
		}
		return tenants.ForEachBucket(func(name []byte) error {
			k, p := decodeTenantLogs(tenants.Bucket(name), string(name[1:]))
			n += k
			problems = append(problems, p...)
			return nil
		})
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return n, problems
}

// decodeTenantLogs decodes one tenant's records; it reports the first bad
// record and how many there are, not one line each.
func decodeTenantLogs(b *bolt.Bucket, tenant string) (n int, problems []string) {
	var bad int
	var first error
	err := forEachLogRecord(b, func(t int64, v []byte) error {
		if _, err := decodeLogRecord(tenant, t, v); err != nil {
			if bad++; first == nil {
				first = err
			}
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		problems = append(problems, fmt.Sprintf("tenant %q's access log: %v", tenant, err))
	}
	if bad > 0 {
		problems = append(problems, fmt.Sprintf("tenant %q: %d access-log records do not decode, the first: %v (the access log is disposable)", tenant, bad, first))
	}
	return n, problems
}

// readOnlyKV is a store.KV over a bbolt file opened read-only, so that the
// offline check can read through store.DB. store.Open's Update, which only
// writes when the settings record is missing, runs in a read transaction
// whose writes fail: a file without settings is a problem to report, not
// something a check repairs.
type readOnlyKV struct{ db *bolt.DB }

var _ store.KV = (*readOnlyKV)(nil)

// errReadOnly is the error of a write during a check.
var errReadOnly = errors.New("foyer.db has no settings record (a check does not write one)")

// Update implements store.KV with a read transaction whose writes fail.
func (k *readOnlyKV) Update(ctx context.Context, fn func(store.KVTx) error) error {
	return k.View(ctx, func(t store.KVTx) error { return fn(readOnlyTx{t}) })
}

// View implements store.KV.
func (k *readOnlyKV) View(ctx context.Context, fn func(store.KVTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return k.db.View(func(tx *bolt.Tx) error { return fn(&boltTx{tx: tx}) })
}

// Close implements store.KV; the caller closes the file.
func (k *readOnlyKV) Close() error { return nil }

// readOnlyTx refuses writes.
type readOnlyTx struct{ store.KVTx }

func (readOnlyTx) Put(string, string, []byte) error { return errReadOnly }
func (readOnlyTx) Delete(string, string) error      { return errReadOnly }
