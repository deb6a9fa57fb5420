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
//	                  unmatched tenant "" is "t"), holding
//	                  time(8, big-endian UnixNano with the sign bit flipped) seq(8) -> record
//
// A tenant's keys sort by time, then by the bucket's own sequence (append
// order), so its newest record is the cursor's Last and a time bound is one
// Seek. The tenant and the time live in the key, not in the value.
//
// A record is a version byte (1), then zig-zag varints status, bytes in,
// bytes out, duration, upstream latency, then the strings request ID,
// client IP, method, host, path, upstream, TLS version, SNI and outcome,
// each a uvarint length and its bytes. A typical record is 60 to 120
// bytes with its key.
const (
	logsLayout    = 1
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

// logKey is the key of a record at t with sequence seq.
func logKey(t time.Time, seq uint64) []byte {
	return appendLogKey(make([]byte, 0, logKeyLen), t, seq)
}

// appendLogKey appends the key of a record at t with sequence seq to b.
func appendLogKey(b []byte, t time.Time, seq uint64) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^(1<<63))
	return binary.BigEndian.AppendUint64(b, seq)
}

// logKeyTime reads the time of a record key.
func logKeyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^(1<<63))).UTC()
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
// and the time come from the bucket and the key. Strings are copied: v is
// valid only inside its transaction.
func decodeLogRecord(tenant string, k, v []byte) (store.LogRecord, error) {
	r := store.LogRecord{Tenant: tenant, Time: logKeyTime(k)}
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
	for _, p := range []*string{&r.RequestID, &r.ClientIP, &r.Method, &r.Host, &r.Path, &r.Upstream, &r.TLSVersion, &r.SNI, &r.Outcome} {
		n, w := binary.Uvarint(v)
		if w <= 0 || n > uint64(len(v)-w) {
			return r, errLogValue
		}
		*p, v = string(v[w:w+int(n)]), v[w+int(n):]
	}
	if len(v) != 0 {
		return r, fmt.Errorf("%w: %d trailing bytes", errLogValue, len(v))
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
