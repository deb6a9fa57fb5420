package balance

import (
	"fmt"
	"testing"
)

// BenchmarkPick measures one pick per algorithm over 2, 16 and 256
// healthy backends.
func BenchmarkPick(b *testing.B) {
	for _, alg := range []string{"round_robin", "weighted_round_robin", "least_conn", "least_latency", "ip_hash", "header_hash", "cookie_hash", "first"} {
		for _, n := range []int{2, 16, 256} {
			b.Run(fmt.Sprintf("%s/%d", alg, n), func(b *testing.B) {
				reg := NewRegistry()
				u := ups(reg, n)
				for i, x := range u {
					x.Weight = 1 + i%3
				}
				sel := newSel(reg, alg, u)
				b.ReportAllocs()
				var i uint64
				for b.Loop() {
					i++
					if sel.Select(u, Key{Hash: Hash("10.0.0.1") + i}) == nil {
						b.Fatal("no pick")
					}
				}
			})
		}
	}
}
