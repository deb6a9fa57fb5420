package balance

import (
	"fmt"
	"testing"
)

func ups(reg *Registry, n int) []*Upstream {
	out := make([]*Upstream, n)
	for i := range out {
		out[i] = &Upstream{ID: uint64(i + 1), Weight: 1, State: reg.Backend(uint64(i + 1))}
	}
	return out
}

// Ensure that round robin honours weights, in an interleaved order.
func TestRoundRobinWeights(t *testing.T) {
	cases := []struct {
		weights []int
		want    []int // picks per backend over one schedule
		first   string
	}{
		{[]int{1, 1, 1}, []int{1, 1, 1}, "[1 2 3 1 2 3]"},
		{[]int{2, 1}, []int{2, 1}, "[1 2 1 1 2 1]"},
		{[]int{5, 1, 1}, []int{5, 1, 1}, ""},
		{[]int{10, 10}, []int{1, 1}, "[1 2 1 2 1 2]"}, // gcd reduced
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.weights), func(t *testing.T) {
			reg := NewRegistry()
			u := ups(reg, len(c.weights))
			rr := NewRoundRobin(reg, 100, c.weights)
			got := make([]int, len(u))
			var order []uint64
			for i := 0; i < len(rr.schedule); i++ {
				p := rr.Select(u, Key{})
				got[p.ID-1]++
				order = append(order, p.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("picks %v, want %v", got, c.want)
			}
			if c.first != "" {
				for i := 0; len(order) < 6; i++ {
					order = append(order, rr.Select(u, Key{}).ID)
				}
				if fmt.Sprint(order[:6]) != c.first {
					t.Fatalf("order %v, want %s", order[:6], c.first)
				}
			}
		})
	}
}

// Ensure that unhealthy backends are skipped and nil is returned when none is healthy.
func TestRoundRobinSkipsUnhealthy(t *testing.T) {
	reg := NewRegistry()
	u := ups(reg, 3)
	rr := NewRoundRobin(reg, 1, []int{1, 1, 1})
	u[1].State.SetHealthy(false)
	for i := 0; i < 10; i++ {
		if p := rr.Select(u, Key{}); p.ID == 2 {
			t.Fatalf("picked unhealthy backend 2")
		}
	}
	u[0].State.SetHealthy(false)
	u[2].State.SetHealthy(false)
	if p := rr.Select(u, Key{}); p != nil {
		t.Fatalf("picked %d with every backend down", p.ID)
	}
	if p := NewRoundRobin(reg, 2, nil).Select(nil, Key{}); p != nil {
		t.Fatal("empty pool picked a backend")
	}
}

// Ensure that the rotation and backend state survive a rebuild of the selector.
func TestRegistryOutlivesSelector(t *testing.T) {
	reg := NewRegistry()
	u := ups(reg, 2)
	a := NewRoundRobin(reg, 7, []int{1, 1})
	if a.Select(u, Key{}).ID != 1 {
		t.Fatal("first pick is not backend 1")
	}
	b := NewRoundRobin(reg, 7, []int{1, 1}) // same pool after a config change
	if b.Select(u, Key{}).ID != 2 {
		t.Fatal("rotation restarted after rebuild")
	}
	u[0].State.SetHealthy(false)
	if reg.Backend(1).Healthy() {
		t.Fatal("backend state not shared through the registry")
	}
	reg.Retain(map[uint64]bool{2: true}, map[uint64]bool{})
	if !reg.Backend(1).Healthy() {
		t.Fatal("Retain kept a dropped backend's state")
	}
}

func BenchmarkRoundRobin(b *testing.B) {
	reg := NewRegistry()
	u := ups(reg, 4)
	rr := NewRoundRobin(reg, 1, []int{1, 2, 3, 4})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rr.Select(u, Key{})
		}
	})
}
