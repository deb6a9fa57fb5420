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
