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

// followFeed returns a next function over recs, then err.
func followFeed(recs []api.FollowRecord, err error) func() (api.FollowRecord, error) {
	return func() (api.FollowRecord, error) {
		if len(recs) == 0 {
			return api.FollowRecord{}, err
		}
		r := recs[0]
		recs = recs[1:]
		return r, nil
	}
}

// Ensure that followed records print one JSON object a line with --json
// (without the drop count) and one text line otherwise, that skipped
// records are reported on stderr, and that the end of the stream is not
// an error while a broken stream is.
func TestPrintFollowed(t *testing.T) {
	at := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	recs := []api.FollowRecord{
		{Time: at, Tenant: "acme", Method: "GET", Host: "acme.example.com", Path: "/a", Status: 200, Outcome: "allowed"},
		{Time: at, Tenant: "acme", Method: "POST", Host: "acme.example.com", Path: "/b", Status: 503, Outcome: "no_backend", Dropped: 7},
	}
	var out, errOut strings.Builder
	if err := printFollowed(context.Background(), &out, &errOut, followFeed(recs, io.EOF), true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d JSON lines, want 2:\n%s", len(lines), out.String())
	}
	var got api.FollowRecord
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil || got.Path != "/b" || got.Dropped != 0 {
		t.Fatalf("second line %s: %+v, %v; want /b without a drop count", lines[1], got, err)
	}
	if !strings.Contains(errOut.String(), "7 records skipped") {
		t.Fatalf("stderr %q, want the 7 skipped records reported", errOut.String())
	}

	out.Reset()
	if err := printFollowed(context.Background(), &out, io.Discard, followFeed(recs[:1], io.EOF), false); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "acme") || !strings.Contains(s, "200") ||
		!strings.Contains(s, "acme.example.com/a") || strings.HasPrefix(s, "{") {
		t.Fatalf("text line %q, want tenant, status, host and path", s)
	}

	broken := errors.New("connection reset")
	if err := printFollowed(context.Background(), io.Discard, io.Discard, followFeed(nil, broken), false); !errors.Is(err, broken) {
		t.Fatalf("a broken stream: %v, want it reported", err)
	}
}
