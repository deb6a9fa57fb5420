package boltstore

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// logCursor walks one tenant's records backwards from the newest that a
// query allows.
type logCursor struct {
	tenant string
	c      *bolt.Cursor
	k, v   []byte // the current record; k nil when the cursor is spent
}

// newLogCursor positions a cursor on b's newest record before until
// (exclusive; nil means none).
func newLogCursor(tenant string, b *bolt.Bucket, until []byte) *logCursor {
	lc := &logCursor{tenant: tenant, c: b.Cursor()}
	if until == nil {
		lc.k, lc.v = lc.c.Last()
		return lc
	}
	if k, _ := lc.c.Seek(until); k == nil {
		lc.k, lc.v = lc.c.Last()
	} else {
		lc.k, lc.v = lc.c.Prev()
	}
	return lc
}

func (lc *logCursor) prev() { lc.k, lc.v = lc.c.Prev() }

// logQuery is a store.LogQuery turned into key bounds.
type logQuery struct {
	since, until []byte // nil when unbounded
	class, limit int
}

func newLogQuery(q store.LogQuery) logQuery {
	lq := logQuery{class: q.StatusClass, limit: q.Limit}
	if lq.limit <= 0 {
		lq.limit = 100
	}
	if !q.Since.IsZero() {
		lq.since = logKey(q.Since, 0)
	}
	if !q.Until.IsZero() {
		lq.until = logKey(q.Until, 0)
	}
	return lq
}

// inRange reports whether key k is not older than since.
func (lq *logQuery) inRange(k []byte) bool {
	return k != nil && (lq.since == nil || bytes.Compare(k, lq.since) >= 0)
}

// take reports whether the record passes the status filter.
func (lq *logQuery) take(v []byte) (bool, error) {
	if lq.class == 0 {
		return true, nil
	}
	status, err := logStatus(v)
	return status/100 == lq.class, err
}

// QueryLogs implements store.Logs. One tenant is a seek and a backwards
// walk of its bucket; every tenant merges one such walk per tenant,
// newest first.
func (l *Logs) QueryLogs(ctx context.Context, q store.LogQuery) (out []store.LogRecord, err error) {
	lq := newLogQuery(q)
	err = l.view(ctx, func(tx *bolt.Tx) error {
		root := tx.Bucket(logsTenantsBucket)
		var cursors logHeap
		if q.Tenant != "" {
			if b := root.Bucket(logBucketName(q.Tenant)); b != nil {
				cursors = append(cursors, newLogCursor(q.Tenant, b, lq.until))
			}
		} else {
			err := root.ForEachBucket(func(name []byte) error {
				cursors = append(cursors, newLogCursor(string(name[1:]), root.Bucket(name), lq.until))
				return nil
			})
			if err != nil {
				return err
			}
		}
		out, err = lq.merge(ctx, cursors)
		return err
	})
	return out, err
}

// merge pops the newest record of the cursors until the limit or the
// cursors run out, checking ctx every 4096 records looked at.
func (lq *logQuery) merge(ctx context.Context, cursors logHeap) ([]store.LogRecord, error) {
	live := cursors[:0]
	for _, c := range cursors {
		if lq.inRange(c.k) {
			live = append(live, c)
		}
	}
	h := &live
	heap.Init(h)
	var out []store.LogRecord
	for n := 1; h.Len() > 0 && len(out) < lq.limit; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := (*h)[0]
		ok, err := lq.take(c.v)
		if err == nil && ok {
			var r store.LogRecord
			r, err = decodeLogRecord(c.tenant, c.k, c.v)
			out = append(out, r)
		}
		if err != nil {
			return nil, fmt.Errorf("tenant %q record %x: %w", c.tenant, c.k, err)
		}
		if c.prev(); lq.inRange(c.k) {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return out, nil
}

// logHeap is a max-heap of cursors by their current key (newest first);
// equal keys of different tenants come by tenant name.
type logHeap []*logCursor

func (h logHeap) Len() int { return len(h) }
func (h logHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].k, h[j].k); c != 0 {
		return c > 0
	}
	return h[i].tenant > h[j].tenant
}
func (h logHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *logHeap) Push(x any)   { *h = append(*h, x.(*logCursor)) }
func (h *logHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
