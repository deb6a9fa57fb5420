package traffic

import (
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// Ensure that FollowFilter matches by tenant, exact status and status class.
func TestFollowFilterMatch(t *testing.T) {
	rec := store.LogRecord{Tenant: "acme", Status: 503}
	cases := []struct {
		name string
		f    FollowFilter
		want bool
	}{
		{"zero filter", FollowFilter{}, true},
		{"tenant", FollowFilter{Tenant: "acme"}, true},
		{"other tenant", FollowFilter{Tenant: "globex"}, false},
		{"status", FollowFilter{Status: 503}, true},
		{"other status", FollowFilter{Status: 500}, false},
		{"class", FollowFilter{StatusClass: 5}, true},
		{"other class", FollowFilter{StatusClass: 4}, false},
		{"tenant and class", FollowFilter{Tenant: "acme", StatusClass: 5}, true},
	}
	for _, c := range cases {
		if got := c.f.Match(&rec); got != c.want {
			t.Errorf("%s: Match = %v, want %v", c.name, got, c.want)
		}
	}
}

// Ensure that followers receive live records through their filter, that
// a follower that never reads drops (counted) while another still gets
// every record, that the access log keeps storing meanwhile, and that Done
// closes when the access log stops.
func TestFollowFilterAndSlowFollower(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, BatchSize: 16, FlushInterval: time.Millisecond})
	stop := runLog(t, a)
	fast := a.Follow(FollowFilter{Tenant: "acme", StatusClass: 5}, 10_000)
	slow := a.Follow(FollowFilter{}, 4) // never read
	all := a.Follow(FollowFilter{}, 10_000)

	const n = 600
	wantFast := 0
	for i := range n {
		tenant := []string{"acme", "globex"}[i%2]
		status := []int{200, 500, 503}[i%3]
		rec := testRecord(tenant, time.Now(), status, i)
		if tenant == "acme" && status >= 500 {
			wantFast++
		}
		a.Enqueue(&rec)
	}
	for got := range wantFast {
		select {
		case rec := <-fast.C:
			if rec.Tenant != "acme" || rec.Status < 500 {
				t.Fatalf("record %d: %s %d passed the filter acme 5xx", got, rec.Tenant, rec.Status)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("fast follower got %d of %d records", got, wantFast)
		}
	}
	for got := range n {
		select {
		case <-all.C:
		case <-time.After(10 * time.Second):
			t.Fatalf("unfiltered follower got %d of %d records", got, n)
		}
	}
	waitFor(t, "the slow follower's drops", func() bool { return slow.Dropped() == n-4 })
	if fast.Dropped() != 0 || all.Dropped() != 0 {
		t.Fatalf("drops: fast %d, all %d; want none", fast.Dropped(), all.Dropped())
	}
	select {
	case rec := <-fast.C:
		t.Fatalf("an extra record reached the fast follower: %+v", rec)
	default:
	}

	fast.Close()
	fast.Close() // twice is fine
	rec := testRecord("acme", time.Now(), 500, n)
	a.Enqueue(&rec)
	<-all.C
	select {
	case rec := <-fast.C:
		t.Fatalf("a closed follower still receives: %+v", rec)
	default:
	}
	stop()
	if got := logCount(t, logs); got != n+1 {
		t.Fatalf("stored %d records with followers attached, want %d", got, n+1)
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("Done is not closed after the access log stopped")
	}
}

// Ensure that followers get records while the access log is off, and that
// nothing is stored then.
func TestFollowWithAccessLogOff(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, FlushInterval: time.Millisecond})
	s := store.DefaultSettings()
	s.AccessLogOff = true
	a.Apply(s)
	stop := runLog(t, a)
	f := a.Follow(FollowFilter{}, 0)
	defer f.Close()
	rec := testRecord("acme", time.Now(), 200, 1)
	a.Enqueue(&rec)
	select {
	case got := <-f.C:
		if got.RequestID != rec.RequestID {
			t.Fatalf("followed %q, want %q", got.RequestID, rec.RequestID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no record reached the follower with the access log off")
	}
	stop()
	if got := logCount(t, logs); got != 0 {
		t.Fatalf("stored %d with the access log off, want 0", got)
	}
}
