package logs

// Ring holds the newest Cap values pushed into it, in a fixed array
// allocated once: memory stays bounded however long the log runs.
type Ring[T any] struct {
	buf   []T
	head  int    // index of the next write
	n     int    // values held, up to len(buf)
	total uint64 // values ever pushed
}

// NewRing returns an empty ring of capacity n (at least 1).
func NewRing[T any](n int) *Ring[T] { return &Ring[T]{buf: make([]T, max(n, 1))} }

// Cap is how many values the ring keeps.
func (r *Ring[T]) Cap() int { return len(r.buf) }

// Len is how many values it holds now.
func (r *Ring[T]) Len() int { return r.n }

// Total is how many values were ever pushed (held or overwritten).
func (r *Ring[T]) Total() uint64 { return r.total }

// Push adds v, overwriting the oldest value when full.
func (r *Ring[T]) Push(v T) {
	r.buf[r.head] = v
	r.head = (r.head + 1) % len(r.buf)
	r.n = min(r.n+1, len(r.buf))
	r.total++
}

// At returns the i-th oldest value held (0 = oldest, Len()-1 = newest).
func (r *Ring[T]) At(i int) T {
	return r.buf[(r.head-r.n+i+2*len(r.buf))%len(r.buf)]
}

// Ptr returns a pointer to the i-th oldest value held, valid until it is
// overwritten (a cache beside the value may be updated through it).
func (r *Ring[T]) Ptr(i int) *T {
	return &r.buf[(r.head-r.n+i+2*len(r.buf))%len(r.buf)]
}

// Reset empties the ring, keeping its array.
func (r *Ring[T]) Reset() {
	clear(r.buf)
	r.head, r.n = 0, 0
}
