package boltstore

import (
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

var (
	_ store.Backuper  = (*Store)(nil)
	_ store.Versioned = (*Store)(nil)
	_ store.Backuper  = (*Logs)(nil)
)

// WriteBackup implements store.Backuper: it writes a consistent copy of
// foyer.db to w with bbolt's Tx.WriteTo under one read transaction, so
// writers go on committing while it runs (they do not wait for it; bbolt
// keeps the pages the snapshot reads until it ends). The copy is a
// complete bbolt file that Open accepts.
func (s *Store) WriteBackup(ctx context.Context, w io.Writer) (int64, error) {
	n, err := writeSnapshot(ctx, s.kv.db, w)
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", s.path, err)
	}
	return n, nil
}

// WriteBackup implements store.Backuper for logs.db, as Store.WriteBackup
// does for foyer.db.
func (l *Logs) WriteBackup(ctx context.Context, w io.Writer) (int64, error) {
	n, err := writeSnapshot(ctx, l.db, w)
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", l.path, err)
	}
	return n, nil
}

// writeSnapshot copies db to w in one read transaction, checking ctx
// between writes.
func writeSnapshot(ctx context.Context, db *bolt.DB, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx: ctx, w: w})
		return err
	})
	return n, translate(err)
}

// ctxWriter fails a write once ctx is done, so a cancelled backup ends
// its read transaction at the next chunk.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// BucketNames returns the names of the top-level buckets of foyer.db, for
// tests that check every bucket is covered by a backup rule.
func (s *Store) BucketNames(ctx context.Context) ([]string, error) {
	return bucketNames(ctx, s.kv.db)
}

// BucketNames returns the names of the top-level buckets of logs.db.
func (l *Logs) BucketNames(ctx context.Context) ([]string, error) {
	return bucketNames(ctx, l.db)
}

func bucketNames(ctx context.Context, db *bolt.DB) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			out = append(out, string(name))
			return nil
		})
	})
	return out, translate(err)
}

// BackupRules names, for every top-level bucket of foyer.db and logs.db,
// the backup part that carries it. A backup copies both files whole, so
// every bucket is in one; the table exists so that a test fails when a
// bucket is added without anyone deciding where its data goes (and docs
// /backup.md's list of what a backup holds is updated with it).
var BackupRules = map[string]string{
	"foyer.db/" + store.BucketMeta:      "foyer.db: schema, revision, settings",
	"foyer.db/" + store.BucketTenants:   "foyer.db: tenants",
	"foyer.db/" + store.BucketPools:     "foyer.db: pools",
	"foyer.db/" + store.BucketBackends:  "foyer.db: backends",
	"foyer.db/" + store.BucketDomains:   "foyer.db: domains and their state",
	"foyer.db/" + store.BucketCerts:     "foyer.db: imported certificates and keys",
	"foyer.db/" + store.BucketAudit:     "foyer.db: the audit trail",
	"foyer.db/" + store.BucketPlans:     "foyer.db: plans",
	"foyer.db/" + store.BucketAPIKeys:   "foyer.db: API keys (hashed)",
	"foyer.db/" + store.BucketJWTKeys:   "foyer.db: JWT verification keys",
	"foyer.db/" + store.BucketTokens:    "foyer.db: HTTPS API tokens (hashed)",
	"foyer.db/" + store.BucketCertmagic: "foyer.db: issued certificates, ACME accounts, the internal CA",
	"foyer.db/" + store.BucketUsage:     "foyer.db: usage rollups",
	"foyer.db/" + store.BucketSSH:       "foyer.db: SSH console keys (public) and its host key",
	LogsName + "/meta":                  "logs.db (--with-logs): per-tenant record counts",
	LogsName + "/tenants":               "logs.db (--with-logs): access-log records",
}
