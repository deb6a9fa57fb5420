package boltstore

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// pruneBatch caps the records one prune transaction removes, so that an
// AppendLogs waiting for bbolt's writer lock waits for a few milliseconds,
// not for the whole prune.
const pruneBatch = 5000

// PruneLogs implements store.Logs: first each tenant's records older than
// now-MaxAge or beyond its newest MaxPerTenant, then the oldest records of
// any tenant while the live data (see Logs) is above MaxBytes; in
// transactions of at most pruneBatch records removed. A block whose
// records all go is deleted; the one a cut straddles is rewritten with
// the records it keeps.
func (l *Logs) PruneLogs(ctx context.Context, r store.Retention, now time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	if r.MaxAge > 0 || r.MaxPerTenant > 0 {
		cut := pruneCut{}
		if r.MaxAge > 0 {
			cut = pruneCut{t: logTime(now.Add(-r.MaxAge)), set: true}
		}
		n, err := l.pruneTenants(ctx, cut, int64(r.MaxPerTenant))
		res.Removed += n
		if err != nil {
			return res, err
		}
	}
	if r.MaxBytes > 0 {
		n, err := l.pruneBytes(ctx, r.MaxBytes)
		res.Removed += n
		if err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}

// pruneCut is the age bound of a prune: records before t go.
type pruneCut struct {
	t   int64
	set bool
}

// pruneTenants removes, tenant by tenant, the records before cut and
// those beyond the newest maxPer (0: no bound).
func (l *Logs) pruneTenants(ctx context.Context, cut pruneCut, maxPer int64) (int64, error) {
	var tenants []string
	err := l.view(ctx, func(tx *bolt.Tx) error {
		for t := range tenantCounts(tx) {
			tenants = append(tenants, t)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	slices.Sort(tenants)
	var removed int64
	for next := 0; next < len(tenants); {
		i, n := next, int64(0)
		err := l.update(ctx, func(tx *bolt.Tx) error {
			for i, n = next, 0; i < len(tenants) && n < pruneBatch; i++ {
				got, done, err := pruneTenant(tx, tenants[i], cut, maxPer, pruneBatch-n)
				if n += got; err != nil || !done {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		next, removed = i, removed+n
	}
	return removed, nil
}

// pruneTenant removes up to budget of tenant's oldest records that cut or
// maxPer no longer allow, and reports how many and whether it is done.
func pruneTenant(tx *bolt.Tx, tenant string, cut pruneCut, maxPer, budget int64) (int64, bool, error) {
	b := tx.Bucket(logsTenantsBucket).Bucket(logBucketName(tenant))
	if b == nil {
		return 0, true, nil
	}
	counts := decodeLogCounts(tx.Bucket(logsMetaBucket).Get(logMetaKey(tenant)))
	excess := int64(0)
	if maxPer > 0 {
		excess = counts.records - maxPer
	}
	pc := newPruneCursor(tenant, b)
	var n int64
	for ; pc.ok && n < budget; n++ {
		if n >= excess && (!cut.set || pc.t >= cut.t) {
			break
		}
		pc.take()
	}
	if pc.err != nil {
		return 0, false, pc.err
	}
	got, err := applyPrunes(tx, []*pruneCursor{pc})
	return got, n < budget, err
}

// pruneCursor walks one tenant's records forwards, oldest first, and
// remembers which it took for removal. It opens blocks in key order and
// keeps those it has opened: a record is the cursor's next when it is
// older than logBlockSpan before the next unopened block's key, the
// oldest record that block, or any after it, can hold.
type pruneCursor struct {
	logHead
	b      *bolt.Bucket
	c      *bolt.Cursor
	nk, nv []byte
	open   []*openBlock // opened, not finished
	opened []*openBlock // every block opened; pos records of each are taken
	cur    *openBlock   // the current record's block
}

func newPruneCursor(tenant string, b *bolt.Bucket) *pruneCursor {
	pc := &pruneCursor{logHead: logHead{tenant: tenant}, b: b, c: b.Cursor()}
	pc.nk, pc.nv = pc.c.First()
	pc.next()
	return pc
}

// next finds the oldest record not taken.
func (pc *pruneCursor) next() {
	for {
		var best *openBlock
		for _, b := range pc.open {
			if best == nil || newerRec(best, b) {
				best = b
			}
		}
		if best != nil && (pc.nk == nil || best.recs[best.pos].t < logKeyNanos(pc.nk)-logBlockSpan) {
			r := best.recs[best.pos]
			pc.ok, pc.t, pc.seq, pc.idx, pc.v, pc.cur = true, r.t, best.seq, best.pos, r.v, best
			return
		}
		if pc.nk == nil {
			pc.ok = false
			return
		}
		b := &openBlock{}
		if err := decodeBlock(pc.nk, pc.nv, &b.logBlock); err != nil {
			pc.ok, pc.err = false, fmt.Errorf("tenant %q block %x: %w", pc.tenant, pc.nk, err)
			return
		}
		pc.open = append(pc.open, b)
		pc.opened = append(pc.opened, b)
		pc.nk, pc.nv = pc.c.Next()
	}
}

// take marks the current record for removal and moves to the next.
func (pc *pruneCursor) take() {
	b := pc.cur
	if b.pos++; b.pos == len(b.recs) {
		i := slices.Index(pc.open, b)
		pc.open = slices.Delete(pc.open, i, i+1)
	}
	pc.next()
}

// applyPrunes removes the records the cursors took: it deletes the blocks
// they emptied, rewrites the ones they took a part of, updates the meta
// counters and drops the bucket of a tenant left with no records.
func applyPrunes(tx *bolt.Tx, cursors []*pruneCursor) (int64, error) {
	type change struct {
		b          *bolt.Bucket
		key, value []byte // value nil: delete
	}
	var changes []change
	removed := map[string]logCounts{}
	var n int64
	for _, pc := range cursors {
		for _, blk := range pc.opened {
			if blk.pos == 0 {
				continue
			}
			// The new values are built, and the keys copied, before the
			// first change: until then they point into the file's pages.
			ch := change{b: pc.b, key: bytes.Clone(blk.key)}
			if blk.pos < len(blk.recs) {
				var err error
				if ch.value, err = rewriteBlock(blk.recs[blk.pos:]); err != nil {
					return 0, fmt.Errorf("tenant %q block %x: %w", pc.tenant, blk.key, err)
				}
			}
			changes = append(changes, ch)
			c := removed[pc.tenant]
			c.records -= int64(blk.pos)
			c.bytes -= blockLive(blk.recs[:blk.pos])
			removed[pc.tenant] = c
			n += int64(blk.pos)
		}
	}
	for _, ch := range changes {
		var err error
		if ch.value == nil {
			err = ch.b.Delete(ch.key)
		} else {
			err = ch.b.Put(ch.key, ch.value)
		}
		if err != nil {
			return 0, err
		}
	}
	if err := addLogCounts(tx, removed); err != nil {
		return 0, err
	}
	root := tx.Bucket(logsTenantsBucket)
	for t := range removed {
		if tx.Bucket(logsMetaBucket).Get(logMetaKey(t)) == nil {
			if err := root.DeleteBucket(logBucketName(t)); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// pruneBytes removes the oldest records of any tenant while the live data
// exceeds maxBytes.
func (l *Logs) pruneBytes(ctx context.Context, maxBytes int64) (int64, error) {
	var removed int64
	for {
		var n int64
		err := l.update(ctx, func(tx *bolt.Tx) (err error) {
			n, err = pruneOldest(tx, maxBytes)
			return err
		})
		if removed += n; err != nil || n == 0 {
			return removed, err
		}
	}
}

// pruneOldest removes up to pruneBatch of the oldest records across
// tenants, as many as bring the live data down to maxBytes.
func pruneOldest(tx *bolt.Tx, maxBytes int64) (int64, error) {
	var total int64
	for _, c := range tenantCounts(tx) {
		total += c.bytes
	}
	if total <= maxBytes {
		return 0, nil
	}
	root := tx.Bucket(logsTenantsBucket)
	var all, h oldestHeap
	err := root.ForEachBucket(func(name []byte) error {
		pc := newPruneCursor(string(name[1:]), root.Bucket(name))
		if pc.err != nil {
			return pc.err
		}
		all = append(all, pc)
		if pc.ok {
			h = append(h, pc)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	heap.Init(&h)
	for n := 0; h.Len() > 0 && total > maxBytes && n < pruneBatch; n++ {
		pc := h[0]
		total -= int64(logKeyLen + len(pc.v))
		if pc.take(); pc.err != nil {
			return 0, pc.err
		}
		if pc.ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return applyPrunes(tx, all)
}

// oldestHeap is a min-heap of forward cursors by their current record.
type oldestHeap []*pruneCursor

func (h oldestHeap) Len() int           { return len(h) }
func (h oldestHeap) Less(i, j int) bool { return compareRecs(&h[i].logHead, &h[j].logHead) < 0 }
func (h oldestHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *oldestHeap) Push(x any)        { *h = append(*h, x.(*pruneCursor)) }
func (h *oldestHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
