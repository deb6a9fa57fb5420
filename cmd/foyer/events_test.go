package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// eventFeed returns a next function over evs, then err.
func eventFeed(evs []api.Event, err error) func() (api.Event, error) {
	return func() (api.Event, error) {
		if len(evs) == 0 {
			return api.Event{}, err
		}
		e := evs[0]
		evs = evs[1:]
		return e, nil
	}
}

// Ensure that `foyer events` prints event lines only (not config or
// stats lines), one human-readable line each or one JSON object with
// --json, only the tenant's with --tenant, reports skipped events on
// stderr, and treats the end of the stream as the end, a broken one as an
// error.
func TestPrintEvents(t *testing.T) {
	at := time.Date(2030, 1, 2, 12, 3, 4, 0, time.Local)
	evs := []api.Event{
		{Type: api.EventConfig, Rev: 3},
		{Type: api.EventNotice, Rev: 3, Event: &api.Notice{Time: at, Kind: api.NoticeDomain, Tenant: "acme",
			Name: "shop.acme.com", From: "pending_dns", To: "verified", Reason: "CNAME ok"}},
		{Type: api.EventStats, Rev: 3, Stats: &api.Stats{}},
		{Type: api.EventNotice, Rev: 3, Event: &api.Notice{Time: at, Kind: api.NoticeHealth, Tenant: "beta",
			Pool: "default", Name: "http://10.0.0.2:8080", From: "healthy", To: "unhealthy", Reason: "connection refused", Dropped: 5}},
	}
	var out, errOut strings.Builder
	if err := printEvents(context.Background(), &out, &errOut, eventFeed(evs, io.EOF), "", false); err != nil {
		t.Fatal(err)
	}
	want := "12:03:04 domain shop.acme.com pending_dns -> verified (CNAME ok)\n" +
		"12:03:04 health beta/default http://10.0.0.2:8080 healthy -> unhealthy (connection refused)\n"
	if out.String() != want {
		t.Fatalf("text\n%s\nwant\n%s", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "5 events skipped") {
		t.Fatalf("stderr %q, want the 5 skipped events reported", errOut.String())
	}

	out.Reset()
	if err := printEvents(context.Background(), &out, io.Discard, eventFeed(evs, io.EOF), "beta", true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got api.Notice
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &got) != nil || got.Tenant != "beta" || got.Dropped != 0 {
		t.Fatalf("--tenant beta --json printed %q, want beta's event alone without a drop count", out.String())
	}

	broken := errors.New("connection reset")
	if err := printEvents(context.Background(), io.Discard, io.Discard, eventFeed(nil, broken), "", false); !errors.Is(err, broken) {
		t.Fatalf("broken stream: %v, want %v", err, broken)
	}
}
