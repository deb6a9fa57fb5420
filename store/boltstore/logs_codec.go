package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer/store"
)

// The layout of logs.db:
//
//	bucket "meta":    "layout" -> uvarint logsLayout
//	                  "n/" tenant -> uvarint records, uvarint bytes (of that tenant)
//	bucket "tenants": one nested bucket per tenant, named "t" tenant (so the
//	                  unmatched tenant "" is "t"), holding blocks of records
//	                  time(8, big-endian UnixNano with the sign bit flipped) seq(8) -> block
//
// A block (logs_block.go) holds the records one batch brought for one
// tenant; its key's time is its newest record's, and seq is the bucket's
// own sequence, so a tenant's blocks sort by their newest record and the
// newest block is the cursor's Last. The tenant lives in the bucket's
// name and the time in the block, not in the record.
//
// A record is a version byte (1), then zig-zag varints status, bytes in,
// bytes out, duration, upstream latency, then the strings request ID,
// client IP, method, host, path, upstream, TLS version, SNI and outcome,
// each a uvarint length and its bytes. A typical record is 45 to 100
// bytes.
//
// Layout 1 kept one record per key (time, seq); a file of that layout is
// set aside on open (see OpenLogs).
const (
	logsLayout    = 2
	logKeyLen     = 16
	logRecVersion = 1
)

var (
	logsMetaBucket    = []byte("meta")
	logsTenantsBucket = []byte("tenants")
	logsLayoutKey     = []byte("layout")
)

// logBucketName is the nested bucket of tenant.
func logBucketName(tenant string) []byte { return []byte("t" + tenant) }

// logMetaKey is the meta key of tenant's counters.
func logMetaKey(tenant string) []byte { return []byte("n/" + tenant) }

// appendLogKey appends the key of a block whose newest record is at t,
// with sequence seq, to b.
func appendLogKey(b []byte, t time.Time, seq uint64) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^(1<<63))
	return binary.BigEndian.AppendUint64(b, seq)
}

// appendLogRecord appends r's encoding (without tenant and time) to b.
func appendLogRecord(b []byte, r *store.LogRecord) []byte {
	b = append(b, logRecVersion)
	for _, n := range []int64{int64(r.Status), r.BytesIn, r.BytesOut, int64(r.Duration), int64(r.UpstreamLatency)} {
		b = binary.AppendVarint(b, n)
	}
	for _, s := range []string{r.RequestID, r.ClientIP, r.Method, r.Host, r.Path, r.Upstream, r.TLSVersion, r.SNI, r.Outcome} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

var errLogValue = errors.New("malformed access-log record")

// logStatus reads only the status of an encoded record, for filters.
func logStatus(v []byte) (int, error) {
	if len(v) < 2 || v[0] != logRecVersion {
		return 0, errLogValue
	}
	n, w := binary.Varint(v[1:])
	if w <= 0 {
		return 0, errLogValue
	}
	return int(n), nil
}

// decodeLogRecord reads a record written by appendLogRecord; the tenant
// and the time (UnixNano) come from the bucket and the block. Strings are
// copied: v is valid only inside its transaction.
func decodeLogRecord(tenant string, t int64, v []byte) (store.LogRecord, error) {
	r := store.LogRecord{Tenant: tenant, Time: time.Unix(0, t).UTC()}
	if len(v) == 0 || v[0] != logRecVersion {
		return r, fmt.Errorf("%w: unknown version", errLogValue)
	}
	v = v[1:]
	var status, dur, up int64
	for _, p := range []*int64{&status, &r.BytesIn, &r.BytesOut, &dur, &up} {
		n, w := binary.Varint(v)
		if w <= 0 {
			return r, errLogValue
		}
		*p, v = n, v[w:]
	}
	r.Status, r.Duration, r.UpstreamLatency = int(status), time.Duration(dur), time.Duration(up)
	// One copy of the strings' part (their lengths too, a few bytes), and
	// every field a substring of it: one allocation per record, not nine.
	all, off := string(v), 0
	for _, p := range []*string{&r.RequestID, &r.ClientIP, &r.Method, &r.Host, &r.Path, &r.Upstream, &r.TLSVersion, &r.SNI, &r.Outcome} {
		n, w := binary.Uvarint(v[off:])
		if w <= 0 || n > uint64(len(v)-off-w) {
			return r, errLogValue
		}
		off += w
		*p, off = all[off:off+int(n)], off+int(n)
	}
	if off != len(v) {
		return r, fmt.Errorf("%w: %d trailing bytes", errLogValue, len(v)-off)
	}
	return r, nil
}

// logCounts is one tenant's entry in meta: its records and their bytes
// (keys plus values).
type logCounts struct {
	records, bytes int64
}

func (c logCounts) encode() []byte {
	b := binary.AppendUvarint(nil, uint64(max(c.records, 0)))
	return binary.AppendUvarint(b, uint64(max(c.bytes, 0)))
}

func decodeLogCounts(v []byte) logCounts {
	n, w := binary.Uvarint(v)
	if w <= 0 {
		return logCounts{}
	}
	b, _ := binary.Uvarint(v[w:])
	return logCounts{records: int64(n), bytes: int64(b)}
}
