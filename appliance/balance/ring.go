package balance

import "sort"

// vnodesPerWeight is how many points a backend of weight 1 has on a ring;
// enough for an even spread (about ±10% with a few backends).
const vnodesPerWeight = 160

// maxPoints bounds a ring's size whatever the weights.
const maxPoints = 1 << 17

// Ring is consistent hashing over a pool's backends (ip_hash, header_hash,
// cookie_hash): each backend has points on a ring of 64-bit hashes, placed
// by its ID (never by its position), in proportion to its weight; a key
// goes to the first point at or after its hash. Adding a backend moves only
// the keys that land on its new points (about 1/n of them); removing one
// moves only its keys. A key whose backend is not usable walks on to the
// next point's backend, so it comes back when its backend does.
type Ring struct {
	points []uint64 // sorted
	owner  []uint16 // owner[i] indexes the upstream of points[i]
}

// NewRing builds the ring for backends ids with weights (same order as
// Select's ups).
func NewRing(ids []uint64, weights []int) *Ring {
	total := 0
	for i := range ids {
		total += max(weightAt(weights, i), 1) * vnodesPerWeight
	}
	scale := 1.0
	if total > maxPoints {
		scale = float64(maxPoints) / float64(total)
	}
	type pt struct {
		h uint64
		o uint16
	}
	pts := make([]pt, 0, min(total, maxPoints)+len(ids))
	for i, id := range ids {
		n := max(int(float64(max(weightAt(weights, i), 1)*vnodesPerWeight)*scale), 1)
		for v := 0; v < n; v++ {
			pts = append(pts, pt{mix(id*0x100000001b3 ^ mix(uint64(v))), uint16(i)})
		}
	}
	sort.Slice(pts, func(a, b int) bool { return pts[a].h < pts[b].h })
	r := &Ring{points: make([]uint64, len(pts)), owner: make([]uint16, len(pts))}
	for i, p := range pts {
		r.points[i], r.owner[i] = p.h, p.o
	}
	return r
}

func weightAt(ws []int, i int) int {
	if i < len(ws) {
		return ws[i]
	}
	return 1
}

// Select implements Selector.
func (r *Ring) Select(ups []*Upstream, k Key) *Upstream {
	n := len(r.points)
	if n == 0 || len(ups) == 0 {
		return nil
	}
	h := mix(k.Hash)
	lo, hi := 0, n // first point >= h, by hand: no closure for sort.Search
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.points[m] < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := 0; i < n; i++ {
		o := int(r.owner[(lo+i)%n])
		if o < len(ups) && ups[o].usable(0, false) {
			return ups[o]
		}
	}
	return nil
}

// FNV-1a, for hashing keys without allocating.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Hash returns the 64-bit FNV-1a hash of s, the Key.Hash of a client IP,
// header or cookie value.
func Hash(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}
