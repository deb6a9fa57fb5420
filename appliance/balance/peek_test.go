package balance

import (
	"testing"
	"time"
)

func TestPeekPredictsSelect(t *testing.T) {
	// Ensure that for every algorithm Peek names the backend the next Select picks, and moves no counter or random state.
	clk := newClock()
	for _, alg := range []string{"round_robin", "weighted_round_robin", "least_conn", "least_latency", "ip_hash", "first"} {
		t.Run(alg, func(t *testing.T) {
			reg := NewRegistryClock(clk.now)
			u := ups(reg, 4)
			u[1].Weight = 3
			u[2].State.SetHealthy(false)
			u[3].State.Begin() // load for least_conn
			sel := New(reg, Config{Algorithm: alg, PoolID: 1, IDs: idsOf(u), Weights: weightsOf(u)})
			for i := range 50 {
				k := Key{Hash: uint64(i * 7919)}
				p, _ := Peek(sel, u, k)
				p2, _ := Peek(sel, u, k)
				if p != p2 {
					t.Fatalf("pick %d: Peek moved state: %v then %v", i, p.ID, p2.ID)
				}
				if s := sel.Select(u, k); s != p {
					t.Fatalf("pick %d: Peek said %d, Select took %d", i, p.ID, s.ID)
				}
			}
			if n := testing.AllocsPerRun(100, func() { Peek(sel, u, Key{Hash: 42}) }); n != 0 {
				t.Fatalf("Peek allocates %.0f times", n)
			}
		})
	}
}

func TestPeekLeavesEjectionAlone(t *testing.T) {
	// Ensure that Peek treats an ejection that has run out as over without ending it (Select ends it).
	clk := newClock()
	reg := NewRegistryClock(clk.now)
	u := ups(reg, 1)
	u[0].State.eject(time.Second)
	if p, _ := Peek(First{}, u, Key{}); p != nil {
		t.Fatalf("ejected backend peeked: %v", p)
	}
	clk.add(2 * time.Second)
	if p, _ := Peek(First{}, u, Key{}); p != u[0] || u[0].State.ejectedTo.Load() == 0 {
		t.Fatalf("after the cool-down: %v, ejectedTo %d", p, u[0].State.ejectedTo.Load())
	}
}
