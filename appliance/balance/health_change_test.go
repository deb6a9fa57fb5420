package balance

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Ensure that a registry's HealthFunc hears each transition once, with
// the backend's ID and, going down, its last error: a passive ejection, its end seen by
// the next pick, and the active checker's verdicts; and not repeated
// failures that change nothing.
func TestOnHealthChange(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	var got []string
	reg := NewRegistryClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	reg.OnHealthChange(func(id uint64, from, to, lastErr string) {
		got = append(got, string(rune('0'+id))+" "+from+">"+to+" "+lastErr)
	})
	u := &Upstream{ID: 7, Conf: &Conf{MaxFails: 2, Cooldown: time.Second}, State: reg.Backend(7)}
	u.Report(false, 0, "refused")
	u.Report(false, 0, "refused") // the second failure ejects
	u.Report(false, 0, "refused") // already out: no new event
	u.Report(false, 0, "refused")
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	if !u.usable(0, false) {
		t.Fatal("not usable after its cool-down")
	}
	u.State.setDown(true, "status 500")
	u.State.setDown(true, "status 500")
	u.State.SetHealthy(true)
	want := []string{"7 healthy>ejected refused", "7 ejected>healthy ", "7 healthy>unhealthy status 500",
		"7 unhealthy>healthy "}
	if !slices.Equal(got, want) {
		t.Fatalf("transitions\n%q\nwant\n%q", got, want)
	}
}

// Ensure that a Breakers' BreakerFunc hears each state change of a
// tenant's breaker once, with the tenant's ID: closed -> open on errors,
// open -> half_open after the cool-down, half_open -> closed when the
// probe passes.
func TestBreakersOnChange(t *testing.T) {
	now := time.Unix(1000, 0)
	bs := NewBreakers(func() time.Time { return now })
	var got []string
	bs.OnChange(func(id uint64, from, to string) { got = append(got, string(rune('0'+id))+" "+from+">"+to) })
	bs.Sync(map[uint64]BreakerConf{4: {ErrorRatio: 0.5, Window: 10 * time.Second, MinRequests: 2, Cooldown: time.Second, Probes: 1}})
	b := bs.Get(4)
	for range 3 { // the third is refused: open
		if tk, ok, _ := b.Allow(); ok {
			tk.Done(false, 0)
		}
	}
	now = now.Add(2 * time.Second)
	tk, ok, _ := b.Allow()
	if !ok {
		t.Fatal("no probe let through after the cool-down")
	}
	tk.Done(true, 0)
	want := []string{"4 closed>open", "4 open>half_open", "4 half_open>closed"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %q, want %q", got, want)
	}
}
