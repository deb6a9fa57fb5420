package boltstore

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
)

// A block is one tenant's share of one AppendLogs batch (or a part of it),
// stored as one bbolt value, so that a batch is one Put per tenant rather
// than one per record. Its key is the newest record's time and a sequence
// of the tenant's bucket (appendLogKey), so blocks sort by their newest
// record; its value is:
//
//	version(1) = logBlockVersion
//	uvarint    count of records, at least 1
//	uint16     classes: bit c set when a record has status class c
//	           (status/100 for 0..14, 15 for any other), big-endian
//	count times: uvarint (block time - record time), uvarint length,
//	           the record (appendLogRecord)
//
// Records inside a block are in their order, oldest first: by time, then
// by their place in the batch (append order). A tenant's order is by time,
// then block sequence, then place in the block, which is the order of
// layout 1's keys (time, then append sequence).
//
// Blocks of one tenant may overlap in time (a batch may carry a request
// that started before the last one's newest), but no block spans more
// than logBlockSpan: AppendLogs starts a new block when the next record is
// further than that from the block's oldest. That bound is what lets a
// forward walk (pruning, oldest first) know when no unopened block can
// hold an older record, and an Until bound start its seek.
const (
	logBlockVersion = 2
	logBlockSpan    = int64(5 * time.Second)
	// logBlockMax caps a block's records. bbolt never splits a leaf of
	// four entries or fewer, so a leaf of a few large blocks is copied
	// whole into every commit that adds one: with 512-record blocks (about
	// 48 KB) a batch of 2,048 allocated and wrote 2.1 MB, with 32 (about
	// 3 KB, under a page) 1.4 MB, and AppendLogs took about 0.85 us of CPU
	// a record instead of 1.0 (BenchmarkLogsAppend2048, from its CPU
	// profile). It also bounds what pruning rewrites.
	logBlockMax = 32
	// logBlockHeaderMax is the most bytes a block's header takes.
	logBlockHeaderMax = 1 + binary.MaxVarintLen64 + 2
)

// logClassBit is the classes bit of a status.
func logClassBit(status int) uint16 { return classBit(status / 100) }

// classBit is the classes bit of status class c (status/100, as a
// query's StatusClass compares it).
func classBit(c int) uint16 {
	if c >= 0 && c < 15 {
		return 1 << c
	}
	return 1 << 15
}

// logTime is t as the int64 nanoseconds the layout keeps.
func logTime(t time.Time) int64 { return t.UnixNano() }

// logKeyNanos reads the time of a block key as nanoseconds.
func logKeyNanos(k []byte) int64 { return int64(binary.BigEndian.Uint64(k) ^ (1 << 63)) }

// logKeySeq reads the sequence of a block key.
func logKeySeq(k []byte) uint64 { return binary.BigEndian.Uint64(k[8:]) }

// appendRec is one record of a batch on its way into a block: its tenant's
// index in the batch, its time and its place in the batch.
type appendRec struct {
	tenant int32
	i      int32
	t      int64
}

// blockPlan is one block of a batch: records plan[lo:hi] of the sorted
// batch, all of one tenant.
type blockPlan struct{ lo, hi int }

// planBlocks sorts a batch by tenant, time and place, and cuts it into
// blocks of one tenant, at most logBlockMax records and logBlockSpan
// apart. It returns the sorted records, the blocks and the tenants in
// order of first appearance. Records are grouped by tenant in one pass
// (keeping their order), and a tenant's are sorted by time only when they
// are not already, which is rare: the recorder queues them as requests
// end.
func planBlocks(recs []store.LogRecord) ([]appendRec, []blockPlan, []string) {
	idx := map[string]int32{}
	var tenants []string
	var counts []int
	tenantOf := make([]int32, len(recs))
	for i := range recs {
		t, ok := idx[recs[i].Tenant]
		if !ok {
			t = int32(len(tenants))
			idx[recs[i].Tenant] = t
			tenants = append(tenants, recs[i].Tenant)
			counts = append(counts, 0)
		}
		tenantOf[i] = t
		counts[t]++
	}
	starts := make([]int, len(tenants)+1)
	for t, n := range counts {
		starts[t+1] = starts[t] + n
	}
	order := make([]appendRec, len(recs))
	next := slices.Clone(starts[:len(tenants)])
	for i := range recs {
		t := tenantOf[i]
		order[next[t]] = appendRec{tenant: t, i: int32(i), t: logTime(recs[i].Time)}
		next[t]++
	}
	byTime := func(a, b appendRec) int { return cmp.Compare(a.t, b.t) }
	var blocks []blockPlan
	for t := range tenants {
		group := order[starts[t]:starts[t+1]]
		if !slices.IsSortedFunc(group, byTime) {
			slices.SortStableFunc(group, byTime) // equal times keep their place
		}
		lo := starts[t]
		for i := lo + 1; i <= starts[t+1]; i++ {
			if i == starts[t+1] || i-lo >= logBlockMax || order[i].t-order[lo].t > logBlockSpan {
				blocks = append(blocks, blockPlan{lo, i})
				lo = i
			}
		}
	}
	return order, blocks, tenants
}

// logRecordSize is the length of r's encoding (appendLogRecord).
func logRecordSize(r *store.LogRecord) int {
	n := 1
	for _, x := range []int64{int64(r.Status), r.BytesIn, r.BytesOut, int64(r.Duration), int64(r.UpstreamLatency)} {
		n += varintLen(uint64(x<<1) ^ uint64(x>>63))
	}
	for _, s := range []string{r.RequestID, r.ClientIP, r.Method, r.Host, r.Path, r.Upstream, r.TLSVersion, r.SNI, r.Outcome} {
		n += varintLen(uint64(len(s))) + len(s)
	}
	return n
}

// varintLen is the length of x as a uvarint.
func varintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// appendBlock appends the value of a block of recs[order[i].i] for i in
// [p.lo, p.hi) to b; scratch is a reusable buffer. It returns b, scratch
// and the block's bytes as retention counts them (see Logs).
func appendBlock(b, scratch []byte, recs []store.LogRecord, order []appendRec, p blockPlan) ([]byte, []byte, int64) {
	var classes uint16
	for _, o := range order[p.lo:p.hi] {
		classes |= logClassBit(recs[o.i].Status)
	}
	newest := order[p.hi-1].t
	b = append(b, logBlockVersion)
	b = binary.AppendUvarint(b, uint64(p.hi-p.lo))
	b = binary.BigEndian.AppendUint16(b, classes)
	var live int64
	for _, o := range order[p.lo:p.hi] {
		scratch = appendLogRecord(scratch[:0], &recs[o.i])
		b = binary.AppendUvarint(b, uint64(newest-o.t))
		b = binary.AppendUvarint(b, uint64(len(scratch)))
		b = append(b, scratch...)
		live += int64(logKeyLen + len(scratch))
	}
	return b, scratch, live
}

// blockRec is one record of a decoded block: its time and its encoding
// (appendLogRecord), which points into the block's value.
type blockRec struct {
	t int64
	v []byte
}

// logBlock is a decoded block.
type logBlock struct {
	key     []byte // valid only as long as the value (the transaction)
	newest  int64  // the key's time: the newest record's
	seq     uint64 // the key's sequence
	classes uint16
	recs    []blockRec // oldest first
}

// decodeBlock decodes the block at k, v into blk, reusing blk.recs.
func decodeBlock(k, v []byte, blk *logBlock) error {
	if len(k) != logKeyLen {
		return fmt.Errorf("%w: key of %d bytes", errLogValue, len(k))
	}
	*blk = logBlock{key: k, newest: logKeyNanos(k), seq: logKeySeq(k), recs: blk.recs[:0]}
	if len(v) < 4 || v[0] != logBlockVersion {
		return fmt.Errorf("%w: not a block of version %d", errLogValue, logBlockVersion)
	}
	n, w := binary.Uvarint(v[1:])
	if w <= 0 || n == 0 || n > uint64(len(v)) || len(v) < 1+w+2 {
		return fmt.Errorf("%w: bad block header", errLogValue)
	}
	blk.classes = binary.BigEndian.Uint16(v[1+w:])
	v = v[1+w+2:]
	blk.recs = slices.Grow(blk.recs, int(n))
	for range n {
		dt, w := binary.Uvarint(v)
		if w <= 0 {
			return fmt.Errorf("%w: truncated block", errLogValue)
		}
		v = v[w:]
		size, w := binary.Uvarint(v)
		if w <= 0 || size > uint64(len(v)-w) {
			return fmt.Errorf("%w: truncated block", errLogValue)
		}
		blk.recs = append(blk.recs, blockRec{t: blk.newest - int64(dt), v: v[w : w+int(size)]})
		v = v[w+int(size):]
	}
	if len(v) != 0 {
		return fmt.Errorf("%w: %d trailing bytes after the block's records", errLogValue, len(v))
	}
	return nil
}

// blockClasses reads only the classes of a block's header; ok is false
// when the header does not decode (decodeBlock then says why).
func blockClasses(v []byte) (classes uint16, ok bool) {
	if len(v) < 4 || v[0] != logBlockVersion {
		return 0, false
	}
	_, w := binary.Uvarint(v[1:])
	if w <= 0 || len(v) < 1+w+2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(v[1+w:]), true
}

// checkBlock reports what is wrong with a decoded block beyond its
// encoding: order, span, classes and its key's time.
func checkBlock(blk *logBlock) error {
	var classes uint16
	for i, r := range blk.recs {
		if i > 0 && r.t < blk.recs[i-1].t {
			return fmt.Errorf("block %x: record %d is older than the one before it", blk.key, i)
		}
		status, err := logStatus(r.v)
		if err != nil {
			return fmt.Errorf("block %x: record %d: %w", blk.key, i, err)
		}
		classes |= logClassBit(status)
	}
	last := blk.recs[len(blk.recs)-1].t
	switch {
	case last != blk.newest:
		return fmt.Errorf("block %x: its key's time is not its newest record's", blk.key)
	case last-blk.recs[0].t > logBlockSpan:
		return fmt.Errorf("block %x: spans %v, more than %v", blk.key, time.Duration(last-blk.recs[0].t), time.Duration(logBlockSpan))
	case classes != blk.classes:
		return fmt.Errorf("block %x: classes %016b, its records have %016b", blk.key, blk.classes, classes)
	}
	return nil
}

// blockLive is the retention bytes of recs (see Logs).
func blockLive(recs []blockRec) int64 {
	var n int64
	for _, r := range recs {
		n += int64(logKeyLen + len(r.v))
	}
	return n
}

// rewriteBlock encodes a block of recs (oldest first, at least one; the
// newest must be the block key's time) as a new value.
func rewriteBlock(recs []blockRec) ([]byte, error) {
	size := logBlockHeaderMax
	var classes uint16
	for _, r := range recs {
		size += 2*binary.MaxVarintLen64 + len(r.v)
		status, err := logStatus(r.v)
		if err != nil {
			return nil, err
		}
		classes |= logClassBit(status)
	}
	newest := recs[len(recs)-1].t
	b := make([]byte, 0, size)
	b = append(b, logBlockVersion)
	b = binary.AppendUvarint(b, uint64(len(recs)))
	b = binary.BigEndian.AppendUint16(b, classes)
	for _, r := range recs {
		b = binary.AppendUvarint(b, uint64(newest-r.t))
		b = binary.AppendUvarint(b, uint64(len(r.v)))
		b = append(b, r.v...)
	}
	return b, nil
}

// forEachLogRecord calls fn with the time and encoding of every record in
// bucket b, block by block; a block that does not decode stops it with an
// error.
func forEachLogRecord(b *bolt.Bucket, fn func(t int64, v []byte) error) error {
	var blk logBlock
	return b.ForEach(func(k, v []byte) error {
		if err := decodeBlock(k, v, &blk); err != nil {
			return fmt.Errorf("block %x: %w", k, err)
		}
		for _, r := range blk.recs {
			if err := fn(r.t, r.v); err != nil {
				return err
			}
		}
		return nil
	})
}
