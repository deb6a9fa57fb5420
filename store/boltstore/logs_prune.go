package boltstore

import (
	"bytes"
	"container/heap"
	"context"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// pruneBatch caps the deletions of one prune transaction, so that an
// AppendLogs waiting for bbolt's writer lock waits for a few milliseconds,
// not for the whole prune.
const pruneBatch = 5000

// PruneLogs implements store.Logs: first each tenant's records older than
// now-MaxAge or beyond its newest MaxPerTenant, then the oldest records of
// any tenant while the live data (keys plus values, see Logs) is above
// MaxBytes; in transactions of at most pruneBatch deletions.
func (l *Logs) PruneLogs(ctx context.Context, r store.Retention, now time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	if r.MaxAge > 0 || r.MaxPerTenant > 0 {
		var cut []byte
		if r.MaxAge > 0 {
			cut = logKey(now.Add(-r.MaxAge), 0)
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

// pruneTenants removes, tenant by tenant, the records with keys before cut
// (nil: none) and those beyond the newest maxPer (0: no bound).
func (l *Logs) pruneTenants(ctx context.Context, cut []byte, maxPer int64) (int64, error) {
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
func pruneTenant(tx *bolt.Tx, tenant string, cut []byte, maxPer, budget int64) (int64, bool, error) {
	b := tx.Bucket(logsTenantsBucket).Bucket(logBucketName(tenant))
	if b == nil {
		return 0, true, nil
	}
	counts := decodeLogCounts(tx.Bucket(logsMetaBucket).Get(logMetaKey(tenant)))
	excess := int64(0)
	if maxPer > 0 {
		excess = counts.records - maxPer
	}
	var del deletions
	c := b.Cursor()
	for k, v := c.First(); k != nil && int64(len(del.keys)) < budget; k, v = c.Next() {
		if int64(len(del.keys)) >= excess && (cut == nil || bytes.Compare(k, cut) >= 0) {
			break
		}
		del.add(tenant, k, v)
	}
	done := int64(len(del.keys)) < budget
	n, err := del.apply(tx)
	return n, done, err
}

// deletions collects records to delete in one transaction; keys are
// copies, safe past the cursors that found them.
type deletions struct {
	keys    []logDel
	removed map[string]logCounts
}

type logDel struct {
	tenant string
	key    []byte
}

func (d *deletions) add(tenant string, k, v []byte) {
	if d.removed == nil {
		d.removed = map[string]logCounts{}
	}
	d.keys = append(d.keys, logDel{tenant, bytes.Clone(k)})
	c := d.removed[tenant]
	c.records--
	c.bytes -= int64(len(k) + len(v))
	d.removed[tenant] = c
}

// apply deletes the records, updates the meta counters and drops the
// bucket of a tenant left with no records.
func (d *deletions) apply(tx *bolt.Tx) (int64, error) {
	root := tx.Bucket(logsTenantsBucket)
	for _, x := range d.keys {
		if err := root.Bucket(logBucketName(x.tenant)).Delete(x.key); err != nil {
			return 0, err
		}
	}
	if err := addLogCounts(tx, d.removed); err != nil {
		return 0, err
	}
	for t := range d.removed {
		if tx.Bucket(logsMetaBucket).Get(logMetaKey(t)) == nil {
			if err := root.DeleteBucket(logBucketName(t)); err != nil {
				return 0, err
			}
		}
	}
	return int64(len(d.keys)), nil
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
	var h oldestHeap
	err := root.ForEachBucket(func(name []byte) error {
		c := &logCursor{tenant: string(name[1:]), c: root.Bucket(name).Cursor()}
		if c.k, c.v = c.c.First(); c.k != nil {
			h = append(h, c)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	heap.Init(&h)
	var del deletions
	for h.Len() > 0 && total > maxBytes && len(del.keys) < pruneBatch {
		c := h[0]
		del.add(c.tenant, c.k, c.v)
		total -= int64(len(c.k) + len(c.v))
		if c.k, c.v = c.c.Next(); c.k != nil {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return del.apply(tx)
}

// oldestHeap is a min-heap of forward cursors by their current key.
type oldestHeap []*logCursor

func (h oldestHeap) Len() int { return len(h) }
func (h oldestHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].k, h[j].k); c != 0 {
		return c < 0
	}
	return h[i].tenant < h[j].tenant
}
func (h oldestHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *oldestHeap) Push(x any)   { *h = append(*h, x.(*logCursor)) }
func (h *oldestHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
