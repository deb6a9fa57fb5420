package boltstore

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// logQuery is a store.LogQuery turned into time bounds (UnixNano).
type logQuery struct {
	since, until       int64
	hasSince, hasUntil bool
	class, limit       int
}

func newLogQuery(q store.LogQuery) logQuery {
	lq := logQuery{class: q.StatusClass, limit: q.Limit}
	if lq.limit <= 0 {
		lq.limit = 100
	}
	if !q.Since.IsZero() {
		lq.since, lq.hasSince = logTime(q.Since), true
	}
	if !q.Until.IsZero() {
		lq.until, lq.hasUntil = logTime(q.Until), true
	}
	return lq
}

// take reports whether the record passes the status filter.
func (lq *logQuery) take(v []byte) (bool, error) {
	if lq.class == 0 {
		return true, nil
	}
	status, err := logStatus(v)
	return status/100 == lq.class, err
}

// openBlock is a block a cursor has opened and the index of its next
// record.
type openBlock struct {
	logBlock
	pos int
}

// logCursor walks one tenant's records backwards, newest first, from the
// newest that a query allows. It opens blocks newest first (by key) and
// keeps those it has opened and not finished: a record is the cursor's
// next when it is newer than the newest any unopened block can hold (that
// block's key), so blocks that overlap in time still give their records
// in order.
type logCursor struct {
	logHead
	c      *bolt.Cursor
	lq     *logQuery
	nk, nv []byte       // the next block to open; nk nil when none is left
	open   []*openBlock // opened, not finished
	free   []*openBlock // finished, kept for their record slices
}

// logHead is a cursor's tenant and current record.
type logHead struct {
	tenant string
	ok     bool // the current record is set; false when the cursor is spent
	// pending: the current record is only a bound on the next (see
	// logCursor.bound); next finds the record
	pending bool
	t       int64
	seq     uint64 // its block's sequence
	idx     int    // its place in the block
	v       []byte
	err     error // why the cursor stopped early
}

// newLogCursor positions a cursor on b's newest record that lq allows.
func newLogCursor(tenant string, b *bolt.Bucket, lq *logQuery) *logCursor {
	lc := &logCursor{logHead: logHead{tenant: tenant}, c: b.Cursor(), lq: lq}
	if !lq.hasUntil {
		lc.nk, lc.nv = lc.c.Last()
	} else {
		// A block whose newest record is logBlockSpan or more after until
		// holds nothing before it.
		seek := appendLogKey(nil, time.Unix(0, lq.until+logBlockSpan), 0)
		if k, _ := lc.c.Seek(seek); k == nil {
			lc.nk, lc.nv = lc.c.Last()
		} else {
			lc.nk, lc.nv = lc.c.Prev()
		}
	}
	lc.bound()
	return lc
}

// bound sets the cursor's current record to a bound, not yet a record:
// the key of its newest block, which no record of the tenant passes. A
// query over every tenant then decodes a tenant's block only when that
// bound comes to the top of the merge, not for every tenant at once.
func (lc *logCursor) bound() {
	if lc.nk == nil || (lc.lq.hasSince && logKeyNanos(lc.nk) < lc.lq.since) {
		lc.ok = false
		return
	}
	lc.ok, lc.pending = true, true
	lc.t, lc.seq, lc.idx, lc.v = logKeyNanos(lc.nk), logKeySeq(lc.nk), math.MaxInt, nil
}

// next moves the cursor to its next record, older than the current one
// (or, from a bound, to its first).
func (lc *logCursor) next() {
	lc.pending = false
	for {
		best := -1
		for i, b := range lc.open {
			if best < 0 || newerRec(b, lc.open[best]) {
				best = i
			}
		}
		if best >= 0 && (lc.nk == nil || afterKey(lc.open[best], lc.nk)) {
			b := lc.open[best]
			r := b.recs[b.pos]
			if lc.lq.hasSince && r.t < lc.lq.since {
				lc.ok = false // everything left is older
				return
			}
			lc.ok, lc.t, lc.seq, lc.idx, lc.v = true, r.t, b.seq, b.pos, r.v
			if b.pos--; b.pos < 0 {
				lc.free = append(lc.free, b)
				lc.open[best] = lc.open[len(lc.open)-1]
				lc.open = lc.open[:len(lc.open)-1]
			}
			return
		}
		if lc.nk == nil || (lc.lq.hasSince && logKeyNanos(lc.nk) < lc.lq.since) {
			lc.ok = false
			return
		}
		if err := lc.openNext(); err != nil {
			lc.ok, lc.err = false, err
			return
		}
	}
}

// openNext opens the block at nk, unless the query excludes all of it,
// and moves nk to the one before.
func (lc *logCursor) openNext() error {
	if lc.lq.class != 0 {
		if classes, ok := blockClasses(lc.nv); ok && classes&classBit(lc.lq.class) == 0 {
			lc.nk, lc.nv = lc.c.Prev() // none of its records is of the class: skip it undecoded
			return nil
		}
	}
	var b *openBlock
	if n := len(lc.free); n > 0 {
		b, lc.free = lc.free[n-1], lc.free[:n-1]
	} else {
		b = &openBlock{}
	}
	if err := decodeBlock(lc.nk, lc.nv, &b.logBlock); err != nil {
		return fmt.Errorf("tenant %q block %x: %w", lc.tenant, lc.nk, err)
	}
	lc.nk, lc.nv = lc.c.Prev()
	b.pos = len(b.recs) - 1
	for lc.lq.hasUntil && b.pos >= 0 && b.recs[b.pos].t >= lc.lq.until {
		b.pos--
	}
	if b.pos < 0 || (lc.lq.class != 0 && b.classes&classBit(lc.lq.class) == 0) {
		lc.free = append(lc.free, b)
		return nil
	}
	lc.open = append(lc.open, b)
	return nil
}

// newerRec reports whether a's next record is newer than b's (the blocks
// are of one tenant, so their sequences differ).
func newerRec(a, b *openBlock) bool {
	if ta, tb := a.recs[a.pos].t, b.recs[b.pos].t; ta != tb {
		return ta > tb
	}
	return a.seq > b.seq
}

// afterKey reports whether b's next record is newer than anything the
// block at key k holds.
func afterKey(b *openBlock, k []byte) bool {
	if t, kt := b.recs[b.pos].t, logKeyNanos(k); t != kt {
		return t > kt
	}
	return b.seq > logKeySeq(k)
}

// QueryLogs implements store.Logs. One tenant is a seek and a backwards
// walk of its blocks; every tenant merges one such walk per tenant,
// newest first.
func (l *Logs) QueryLogs(ctx context.Context, q store.LogQuery) (out []store.LogRecord, err error) {
	lq := newLogQuery(q)
	err = l.view(ctx, func(tx *bolt.Tx) error {
		root := tx.Bucket(logsTenantsBucket)
		var cursors logHeap
		if q.Tenant != "" {
			if b := root.Bucket(logBucketName(q.Tenant)); b != nil {
				cursors = append(cursors, newLogCursor(q.Tenant, b, &lq))
			}
		} else {
			err := root.ForEachBucket(func(name []byte) error {
				cursors = append(cursors, newLogCursor(string(name[1:]), root.Bucket(name), &lq))
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
		if c.err != nil {
			return nil, c.err
		}
		if c.ok {
			live = append(live, c)
		}
	}
	h := &live
	heap.Init(h)
	out := make([]store.LogRecord, 0, min(lq.limit, 1024))
	for n := 1; h.Len() > 0 && len(out) < lq.limit; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := (*h)[0]
		if c.pending { // a bound on top: find the tenant's record
			if c.next(); c.err != nil {
				return nil, c.err
			}
			lq.fix(h, c)
			continue
		}
		ok, err := lq.take(c.v)
		if err == nil && ok {
			var r store.LogRecord
			r, err = decodeLogRecord(c.tenant, c.t, c.v)
			out = append(out, r)
		}
		if err != nil {
			return nil, fmt.Errorf("tenant %q record at %v: %w", c.tenant, time.Unix(0, c.t).UTC(), err)
		}
		if c.next(); c.err != nil {
			return nil, c.err
		}
		lq.fix(h, c)
	}
	return out, nil
}

// fix restores the heap after its top cursor c moved, dropping it when
// spent.
func (lq *logQuery) fix(h *logHeap, c *logCursor) {
	if c.ok {
		heap.Fix(h, 0)
	} else {
		heap.Pop(h)
	}
}

// compareRecs orders the current records of two cursors: by time, then
// block sequence, then place in the block, then tenant.
func compareRecs(a, b *logHead) int {
	if c := cmp.Compare(a.t, b.t); c != 0 {
		return c
	}
	if c := cmp.Compare(a.seq, b.seq); c != 0 {
		return c
	}
	if c := cmp.Compare(a.idx, b.idx); c != 0 {
		return c
	}
	return cmp.Compare(a.tenant, b.tenant)
}

// logHeap is a max-heap of cursors by their current record (newest
// first).
type logHeap []*logCursor

func (h logHeap) Len() int           { return len(h) }
func (h logHeap) Less(i, j int) bool { return compareRecs(&h[i].logHead, &h[j].logHead) > 0 }
func (h logHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *logHeap) Push(x any)        { *h = append(*h, x.(*logCursor)) }
func (h *logHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
