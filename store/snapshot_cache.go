package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// snapCache keeps the records the last Snapshot decoded, by bucket and key,
// with the bytes they were decoded from. A configuration change touches a
// record or two, yet Snapshot reads every tenant, pool and backend: with
// the cache a record whose bytes did not change is not decoded again, so
// a snapshot of 10,000 tenants costs a walk over the keys and a byte
// comparison each, not 30,000 JSON decodes (which were most of a
// rebuild's time).
//
// Records handed out from the cache share their maps and slices (a
// tenant's Policy and Aliases, say) with earlier snapshots: a Snapshot is
// read-only, as its documentation says.
type snapCache struct {
	mu      sync.Mutex // held for a whole Snapshot: one snapshot reads and refills the cache at a time
	gen     uint64     // the snapshot in progress; entries not seen in it are dropped
	buckets map[string]map[string]*cached

	// certs is the imported certificates' count at certsRev: every write
	// to them bumps the revision (PutCert, RemoveCert), so the count is
	// walked again only then, not over 10,000 keys on every change.
	certs, certsRev int64
	certsKnown      bool
}

// certCount returns the number of imported certificates at revision rev.
// The caller holds c.mu.
func (c *snapCache) certCount(k KVTx, rev uint64) (int, error) {
	if c.certsKnown && c.certsRev == int64(rev) {
		return int(c.certs), nil
	}
	n := 0
	if err := k.ForEach(BucketCerts, "", func(string, []byte) error { n++; return nil }); err != nil {
		return 0, err
	}
	c.certs, c.certsRev, c.certsKnown = int64(n), int64(rev), true
	return n, nil
}

// cached is one decoded record.
type cached struct {
	raw []byte // the record's bytes as stored, copied
	v   any    // the decoded record (a T of cachedList)
	gen uint64 // the last snapshot that read it
}

// begin starts a snapshot's use of the cache; the caller holds mu.
func (c *snapCache) begin() {
	c.gen++
	if c.buckets == nil {
		c.buckets = map[string]map[string]*cached{}
	}
}

// cachedList is list[T] over a whole bucket, decoding only the records
// whose bytes changed since the last snapshot. The caller holds c.mu and
// has called begin.
func cachedList[T any](c *snapCache, k KVTx, bucket string) ([]T, error) {
	m := c.buckets[bucket]
	if m == nil {
		m = map[string]*cached{}
		c.buckets[bucket] = m
	}
	out := make([]T, 0, len(m))
	hit := func(e *cached, ok bool, v []byte) bool {
		if !ok || !bytes.Equal(e.raw, v) {
			return false
		}
		e.gen = c.gen
		out = append(out, e.v.(T))
		return true
	}
	decode := func(key string, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
		}
		m[key] = &cached{raw: bytes.Clone(v), v: x, gen: c.gen}
		out = append(out, x)
		return nil
	}
	var err error
	if w, ok := k.(BytesWalker); ok {
		// m[string(key)] looks up without allocating: only a record
		// decoded anew gets its key as a string.
		err = w.ForEachBytes(bucket, "", func(key, v []byte) error {
			if e, ok := m[string(key)]; hit(e, ok, v) {
				return nil
			}
			return decode(string(key), v)
		})
	} else {
		err = k.ForEach(bucket, "", func(key string, v []byte) error {
			if e, ok := m[key]; hit(e, ok, v) {
				return nil
			}
			return decode(key, v)
		})
	}
	if err != nil {
		delete(c.buckets, bucket) // start afresh next time
		return nil, err
	}
	if len(m) > len(out) { // records deleted since the last snapshot
		for key, e := range m {
			if e.gen != c.gen {
				delete(m, key)
			}
		}
	}
	return out, nil
}
