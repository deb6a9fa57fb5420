package admin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// followHarness serves the admin API with a running access log; stop
// ends the access log.
func followHarness(t *testing.T) (*harness, *traffic.AccessLog, context.CancelFunc) {
	t.Helper()
	al := traffic.NewAccessLog(traffic.AccessLogOptions{Logs: memstore.NewLogs(), FlushInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); al.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	h := newHarness(t, func(o *Options) { o.AccessLog = al }).serve()
	return h, al, cancel
}

// Ensure that GET /v1/logs/follow streams the records that pass its
// tenant and status filter, live, and ends when the access log stops.
func TestFollowLogsStreamsFiltered(t *testing.T) {
	h, al, stopLog := followHarness(t)
	h.mustTenant("acme")
	h.mustTenant("globex")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fl, err := h.client.FollowLogs(ctx, api.FollowQuery{Tenant: "acme", Status: "5xx"})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	// The stream is open once the handler's follower is registered; send
	// until the first matching record arrives, then check the rest.
	got := make(chan api.FollowRecord, 100)
	go func() {
		defer close(got)
		for {
			rec, err := fl.Next()
			if err != nil {
				return
			}
			got <- rec
		}
	}()
	send := func(tenant string, status int, id string) {
		al.Enqueue(&store.LogRecord{Time: time.Now(), Tenant: tenant, RequestID: id, Status: status, Method: "GET",
			Path: "/", Outcome: store.OutcomeAllowed})
	}
	send("globex", 500, "other-tenant")
	send("acme", 200, "ok")
	send("acme", 503, "want-1")
	send("acme", 404, "client-error")
	send("acme", 502, "want-2")
	for _, want := range []string{"want-1", "want-2"} {
		select {
		case rec := <-got:
			if rec.RequestID != want || rec.Tenant != "acme" || rec.Status < 500 {
				t.Fatalf("followed %+v, want request %s of acme with a 5xx", rec, want)
			}
		case <-ctx.Done():
			t.Fatalf("no record %s within 10s", want)
		}
	}
	stopLog()
	select {
	case rec, ok := <-got:
		if ok {
			t.Fatalf("an extra record was followed: %+v", rec)
		}
	case <-ctx.Done():
		t.Fatal("the stream did not end when the access log stopped")
	}
}

// Ensure that following refuses an unknown tenant (404) and a malformed
// status (400), and answers an error when there is no access log.
func TestFollowLogsRefusals(t *testing.T) {
	h, _, _ := followHarness(t)
	h.mustTenant("acme")
	ctx := context.Background()
	_, err := h.client.FollowLogs(ctx, api.FollowQuery{Tenant: "nope"})
	apiError(t, err, http.StatusNotFound)
	e := apiError(t, func() error { _, err := h.client.FollowLogs(ctx, api.FollowQuery{Status: "5x"}); return err }(),
		http.StatusBadRequest)
	if e.Field != "status" || e.Hint == "" {
		t.Fatalf("error %+v, want field status and a hint", e)
	}
	resp, body := start(t).raw("GET", "/v1/logs/follow", nil)
	if resp.StatusCode != http.StatusInternalServerError || len(body) == 0 {
		t.Fatalf("without an access log: %d %s, want 500 with a message", resp.StatusCode, body)
	}
}

// Ensure that followFilter parses status classes and exact statuses.
func TestFollowFilterQuery(t *testing.T) {
	cases := []struct {
		status string
		want   traffic.FollowFilter
		err    bool
	}{
		{"", traffic.FollowFilter{}, false},
		{"5xx", traffic.FollowFilter{StatusClass: 5}, false},
		{"2XX", traffic.FollowFilter{StatusClass: 2}, false},
		{"404", traffic.FollowFilter{Status: 404}, false},
		{"6xx", traffic.FollowFilter{}, true},
		{"99", traffic.FollowFilter{}, true},
		{"abc", traffic.FollowFilter{}, true},
	}
	for _, c := range cases {
		got, err := followFilter(map[string][]string{"status": {c.status}})
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("status %q: %+v, %v; want %+v, error %v", c.status, got, err, c.want, c.err)
		}
	}
}
