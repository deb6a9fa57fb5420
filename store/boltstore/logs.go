package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/foyerhq/foyer/store"
)

// LogsName is the access log's file name in the data directory, beside
// foyer.db.
const LogsName = "logs.db"

// LogsOptions tunes OpenLogs. The zero value is ready to use.
type LogsOptions struct {
	// LockTimeout bounds how long OpenLogs waits for another process to
	// release the file before it returns an error wrapping
	// store.ErrLocked. Default 1s.
	LockTimeout time.Duration
}

// Logs is a store.Logs in its own bbolt file (logs.db), apart from
// foyer.db so that the access log's volume never delays a configuration
// write or a backup. The file is disposable: deleting it while foyer is
// stopped loses only access-log records.
//
// Records are stored in blocks, one per tenant per AppendLogs batch (more
// when a tenant's share is large or spans more than a few seconds; see
// logs_block.go): one bbolt Put per block, not per record, is what makes
// a batch cheap. Queries walk a tenant's blocks newest first and decode
// the records inside; retention deletes whole blocks and rewrites the
// one a cut straddles, so it removes exactly the records it did when
// every record had its own key.
//
// Format: the meta bucket keeps the layout (logsLayout, 2). A file of the
// old layout 1 (one key per record) is not converted: OpenLogs renames it
// to logs.db.old-format-<UTC time>, logs a warning, and starts a new file;
// converting could take minutes on a large file, and the file is
// disposable. A file of a layout this foyer does not know is refused.
//
// Durability: every AppendLogs batch is one transaction, committed with
// fsync (bbolt's default). Skipping the fsync (NoSync) would make a batch
// cheaper, and a kill -9 alone would lose nothing by it (the pages are in
// the kernel's cache), but bbolt relies on its data pages reaching the
// disk before the meta page that points at them: after a power cut a
// NoSync file can be torn, not just short. A batch is hundreds of records
// (the recorder's), so one fsync per batch costs microseconds per record;
// logs_bench_test.go measures it. NoFreelistSync (with the hashmap
// freelist) is on: the freelist is rebuilt on open instead of written on
// every commit, which halves the pages a small batch writes, at the cost
// of a scan of the file when it opens.
//
// Retention by size counts the live data as layout 1 did, each record as
// a 16-byte key plus its encoding, kept per tenant in the meta bucket, so
// a byte bound keeps the same records it did (a block stores a record in
// a few bytes less: no key, a short time offset and length instead). A
// bbolt file never shrinks: pruned pages are reused by later blocks, so
// the file settles at about the live data plus page slack (see the
// benchmark's report), and LogsInfo.Bytes reports the file's size.
type Logs struct {
	db   *bolt.DB
	path string

	closeOnce sync.Once // Close runs once; later calls return closeErr
	closeErr  error
}

var _ store.Logs = (*Logs)(nil)

// OpenLogs opens (or creates, with mode 0600) the access log at path; its
// directory must exist (boltstore.Open creates the data directory). A file
// held by another process, or already open in this one, gives an error
// wrapping store.ErrLocked that says what to do.
func OpenLogs(path string, opts LogsOptions) (*Logs, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open access log: %w", err)
	}
	if !claim(path) {
		return nil, store.Errf(store.ErrLocked, "", "", "%s is already open in this foyer process (pid %d); close it first", path, os.Getpid())
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	o := *bolt.DefaultOptions // fsync on every commit: see Logs
	o.Timeout = timeout
	o.NoFreelistSync = true
	o.FreelistType = bolt.FreelistMapType
	db, err := openLogsDB(path, &o)
	if err == nil && logsLayoutOf(db) == 1 {
		var aside string
		if aside, err = setAside(db, path); err == nil {
			slog.Warn("access log: logs.db had the old layout of one key per record; it is set aside and a new one started (delete the old file when you do not need its records)",
				"path", path, "old", aside)
			db, err = openLogsDB(path, &o)
		}
	}
	if err != nil {
		release(path)
		return nil, err
	}
	l := &Logs{db: db, path: path}
	if err := tightenFile(path); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	if err := db.Update(prepareLogs); err != nil {
		return nil, errors.Join(fmt.Errorf("open access log %s: %w", path, err), l.Close())
	}
	return l, nil
}

// openLogsDB opens the bbolt file at path, translating a lock timeout.
func openLogsDB(path string, o *bolt.Options) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, o)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, logsLockedError(path)
	}
	if err != nil {
		return nil, fmt.Errorf("open access log %s: %w (it is disposable: with foyer stopped, delete it and start again)", path, err)
	}
	return db, nil
}

// logsLayoutOf reads the layout of an open file; 0 if it has none yet.
func logsLayoutOf(db *bolt.DB) (layout uint64) {
	_ = db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(logsMetaBucket); meta != nil {
			layout, _ = binary.Uvarint(meta.Get(logsLayoutKey))
		}
		return nil
	})
	return layout
}

// setAside renames the open file at path to path.old-format-<UTC time>,
// still holding its lock so no other process opens it in between, then
// closes it; it returns the new name.
func setAside(db *bolt.DB, path string) (string, error) {
	aside := path + ".old-format-" + time.Now().UTC().Format("20060102T150405.000Z")
	if err := os.Rename(path, aside); err != nil {
		return "", errors.Join(fmt.Errorf("set aside access log %s in an old layout: %w (it is disposable: with foyer stopped, delete it)", path, err), db.Close())
	}
	if err := db.Close(); err != nil {
		return "", fmt.Errorf("close access log %s, set aside as %s: %w", path, aside, err)
	}
	return aside, nil
}

// prepareLogs creates the buckets of a new file and refuses a layout this
// foyer does not know.
func prepareLogs(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(logsMetaBucket)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(logsTenantsBucket); err != nil {
		return err
	}
	v := meta.Get(logsLayoutKey)
	if v == nil {
		return meta.Put(logsLayoutKey, binary.AppendUvarint(nil, logsLayout))
	}
	if have, _ := binary.Uvarint(v); have != logsLayout {
		return fmt.Errorf("the file has access-log layout %d; this foyer understands %d; it is disposable: with foyer stopped, delete it", have, logsLayout)
	}
	return nil
}

// logsLockedError is the error for a logs.db another process holds.
func logsLockedError(path string) error {
	holder := "pid unknown"
	if pid := readPid(filepath.Join(filepath.Dir(path), pidName)); pid > 0 {
		holder = "pid " + strconv.Itoa(pid)
	}
	return store.Errf(store.ErrLocked, "", "",
		"%s is locked by another foyer process (%s); stop it, or query it through its admin socket (foyer logs)", path, holder)
}

// Path returns the absolute path of the file.
func (l *Logs) Path() string { return l.path }

// Close closes the file and releases its lock; calling it again returns
// the first result.
func (l *Logs) Close() error {
	l.closeOnce.Do(func() {
		l.closeErr = l.db.Close()
		release(l.path)
	})
	return l.closeErr
}

// translateLogs turns bbolt's closed error into store.ErrClosed.
func translateLogs(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("%s: %w", LogsName, store.ErrClosed)
	}
	return err
}

// update runs fn in a write transaction after checking ctx.
func (l *Logs) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translateLogs(l.db.Update(fn))
}

// view runs fn in a read transaction after checking ctx.
func (l *Logs) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translateLogs(l.db.View(fn))
}

// appendFill is the fill percent of tenant buckets in AppendLogs: blocks
// arrive nearly in key order, so pages split full rather than half full.
const appendFill = 0.95

// AppendLogs implements store.Logs: the batch is one transaction, one
// block (one Put) per tenant, more when a tenant's records are many or
// far apart in time (see logs_block.go). The blocks are encoded before
// the transaction starts, so the writer lock is held only for the Puts.
func (l *Logs) AppendLogs(ctx context.Context, recs []store.LogRecord) error {
	if len(recs) == 0 {
		return ctx.Err()
	}
	order, plans, tenants := planBlocks(recs)
	// bbolt keeps the key and value slices until the commit: every block's
	// value is carved from one arena, sized for the batch; the keys, which
	// need the bucket's sequence, get one small buffer of their own.
	size := len(plans) * logBlockHeaderMax
	for i := range recs {
		n := logRecordSize(&recs[i])
		size += n + varintLen(uint64(n)) + varintLen(uint64(logBlockSpan)) // + length, time offset
	}
	arena := make([]byte, 0, size)
	values := make([][]byte, len(plans))
	live := make([]int64, len(plans))
	var scratch []byte
	for i, p := range plans {
		start := len(arena)
		arena, scratch, live[i] = appendBlock(arena, scratch, recs, order, p)
		values[i] = arena[start:len(arena):len(arena)]
	}
	keys := make([]byte, 0, len(plans)*logKeyLen)
	return l.update(ctx, func(tx *bolt.Tx) error {
		root := tx.Bucket(logsTenantsBucket)
		counts := make(map[string]logCounts, len(tenants))
		keys := keys[:0]
		var b *bolt.Bucket
		for i, p := range plans {
			tenant := tenants[order[p.lo].tenant]
			if i == 0 || order[p.lo].tenant != order[plans[i-1].lo].tenant {
				var err error
				if b, err = root.CreateBucketIfNotExists(logBucketName(tenant)); err != nil {
					return fmt.Errorf("tenant %q: %w", tenant, err)
				}
				b.FillPercent = appendFill
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			keys = appendLogKey(keys, time.Unix(0, order[p.hi-1].t), seq)
			if err := b.Put(keys[len(keys)-logKeyLen:len(keys):len(keys)], values[i]); err != nil {
				return err
			}
			c := counts[tenant]
			c.records += int64(p.hi - p.lo)
			c.bytes += live[i]
			counts[tenant] = c
		}
		return addLogCounts(tx, counts)
	})
}

// addLogCounts adds delta to each tenant's counters in meta, deleting an
// entry that falls to no records.
func addLogCounts(tx *bolt.Tx, delta map[string]logCounts) error {
	meta := tx.Bucket(logsMetaBucket)
	for t, d := range delta {
		c := decodeLogCounts(meta.Get(logMetaKey(t)))
		c.records += d.records
		c.bytes += d.bytes
		var err error
		if c.records <= 0 {
			err = meta.Delete(logMetaKey(t))
		} else {
			err = meta.Put(logMetaKey(t), c.encode())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tenantCounts reads every tenant's counters from meta.
func tenantCounts(tx *bolt.Tx) map[string]logCounts {
	out := map[string]logCounts{}
	c := tx.Bucket(logsMetaBucket).Cursor()
	prefix := []byte("n/")
	for k, v := c.Seek(prefix); k != nil && len(k) >= 2 && string(k[:2]) == "n/"; k, v = c.Next() {
		out[string(k[2:])] = decodeLogCounts(v)
	}
	return out
}

// LogsInfo implements store.Logs: Records from the meta counters, Bytes
// the file's size.
func (l *Logs) LogsInfo(ctx context.Context) (info store.LogsInfo, err error) {
	err = l.view(ctx, func(tx *bolt.Tx) error {
		for _, c := range tenantCounts(tx) {
			info.Records += c.records
		}
		info.Bytes = tx.Size()
		return nil
	})
	return info, err
}

// LiveBytes returns the live data size that retention by size bounds: the
// sum of every record's key and value bytes.
func (l *Logs) LiveBytes(ctx context.Context) (n int64, err error) {
	err = l.view(ctx, func(tx *bolt.Tx) error {
		for _, c := range tenantCounts(tx) {
			n += c.bytes
		}
		return nil
	})
	return n, err
}

// Check runs bbolt's consistency check over the whole file and also
// checks every block (its encoding, order, span and classes) and that the
// meta counters match the records; it returns every problem found, joined.
func (l *Logs) Check(ctx context.Context) error {
	var errs []error
	err := l.view(ctx, func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		counts := tenantCounts(tx)
		err := tx.Bucket(logsTenantsBucket).ForEachBucket(func(name []byte) error {
			t := string(name[1:])
			b := tx.Bucket(logsTenantsBucket).Bucket(name)
			var got logCounts
			var blk logBlock
			var bad int
			var first error
			err := b.ForEach(func(k, v []byte) error {
				err := decodeBlock(k, v, &blk)
				if err != nil {
					err = fmt.Errorf("block %x: %w", k, err)
				} else {
					err = checkBlock(&blk)
					got.records += int64(len(blk.recs))
					got.bytes += blockLive(blk.recs)
				}
				if err != nil {
					if bad++; first == nil {
						first = err
					}
				}
				return nil
			})
			if bad > 0 { // one line per tenant, not one per block
				errs = append(errs, fmt.Errorf("tenant %q: %d bad blocks, the first: %w", t, bad, first))
			}
			if err == nil && got != counts[t] {
				errs = append(errs, fmt.Errorf("tenant %q holds %+v but meta says %+v", t, got, counts[t]))
			}
			delete(counts, t)
			return err
		})
		for t, c := range counts {
			errs = append(errs, fmt.Errorf("meta counts %+v for tenant %q, which has no records", c, t))
		}
		return err
	})
	if err = errors.Join(append(errs, err)...); err != nil {
		return fmt.Errorf("check %s: %w", l.path, err)
	}
	return nil
}
