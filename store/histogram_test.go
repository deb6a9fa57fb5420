package store

import (
	"testing"
	"time"
)

// Ensure that percentiles read from the histogram are within the 25% the
// bucket width promises, and that merging two halves equals the whole.
func TestHistogramQuantiles(t *testing.T) {
	var all, a, b Histogram
	for i := 1; i <= 1000; i++ { // 1ms .. 1000ms, uniform
		d := time.Duration(i) * time.Millisecond
		all.Observe(d)
		if i%2 == 0 {
			a.Observe(d)
		} else {
			b.Observe(d)
		}
	}
	a.Merge(&b)
	if a != all {
		t.Fatal("merged halves differ from the whole")
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.9, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}} {
		got := all.Quantile(c.q)
		if lo, hi := c.want*3/4, c.want*5/4; got < lo || got > hi {
			t.Errorf("p%v = %v, want within 25%% of %v", c.q*100, got, c.want)
		}
	}
	if all.Total() != 1000 {
		t.Errorf("total = %d", all.Total())
	}
	var empty Histogram
	if empty.Quantile(0.5) != 0 {
		t.Error("empty histogram has a median")
	}
	if HistogramBucket(time.Hour) != HistogramBuckets-1 || HistogramBucket(0) != 0 {
		t.Error("out-of-range durations not clamped")
	}
}
