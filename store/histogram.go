package store

import (
	"math"
	"time"
)

// HistogramBuckets is the number of latency buckets. Bucket i holds
// durations in (bound(i-1), bound(i)]: bounds grow by a factor of 1.25
// from 50µs, so the last finite bound is about 80 s (bucket 63 also takes
// everything above it). A percentile read from the buckets is within 25%
// of the truth, which is what capacity planning and chargeback need.
const HistogramBuckets = 64

const (
	histBase   = 50 * time.Microsecond
	histFactor = 1.25
)

// Histogram is a mergeable latency distribution with fixed buckets. The
// zero value is empty. Not safe for concurrent use; its JSON form is the
// counts array.
type Histogram struct {
	Counts [HistogramBuckets]uint64 `json:"counts"`
}

var histLogFactor = math.Log(histFactor)

// HistogramBucket returns the bucket index for d.
func HistogramBucket(d time.Duration) int {
	if d <= histBase {
		return 0
	}
	i := int(math.Ceil(math.Log(float64(d)/float64(histBase)) / histLogFactor))
	return min(i, HistogramBuckets-1)
}

// HistogramBound returns bucket i's upper bound.
func HistogramBound(i int) time.Duration {
	return time.Duration(float64(histBase) * math.Pow(histFactor, float64(i)))
}

// Observe adds one duration.
func (h *Histogram) Observe(d time.Duration) { h.Counts[HistogramBucket(d)]++ }

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
}

// Total is the number of durations observed.
func (h *Histogram) Total() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns the duration below which a fraction q (0..1) of the
// observations lie, interpolated inside its bucket; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.Total()
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var seen float64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		if seen+float64(c) >= rank {
			lo := time.Duration(0)
			if i > 0 {
				lo = HistogramBound(i - 1)
			}
			hi := HistogramBound(i)
			frac := (rank - seen) / float64(c)
			return lo + time.Duration(frac*float64(hi-lo))
		}
		seen += float64(c)
	}
	return HistogramBound(HistogramBuckets - 1)
}
