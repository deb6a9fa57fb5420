package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// Follower is the access log's live tap (*traffic.AccessLog), behind
// GET /v1/logs/follow.
type Follower interface {
	Follow(f traffic.FollowFilter, buf int) *traffic.Follower
}

// followLogs is GET /v1/logs/follow?tenant=&status=: NDJSON, one
// api.FollowRecord per request as the access log's writer sees it, from
// memory. A client that reads too slowly misses records (each line says
// how many were missed before it); the daemon never waits for it. The
// stream ends when the client goes, the access log stops, or the server
// shuts down.
func (s *Server) followLogs(w http.ResponseWriter, r *http.Request) error {
	if s.accessLog == nil {
		return errors.New("following the access log needs the running appliance; this server has none")
	}
	f, err := followFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.Tenant != "" {
		if _, err := s.store.Tenant(r.Context(), f.Tenant); err != nil {
			return err
		}
	}
	fl := s.accessLog.Follow(f, 0)
	defer fl.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stopCtx, cancel)()

	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve another request
	if err := rc.Flush(); err != nil {     // the client sees the stream open before any record
		return nil
	}
	enc := json.NewEncoder(w)
	var reported uint64 // fl.Dropped() as of the last line sent
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-fl.Done():
			return nil
		case rec := <-fl.C:
			line := followRecord(&rec)
			if d := fl.Dropped(); d > reported {
				line.Dropped, reported = d-reported, d
			}
			if err := sendLine(rc, enc, line); err != nil {
				return nil // the client is gone; nothing to answer
			}
		}
	}
}

// sendLine writes one NDJSON line and flushes it, within watchWriteTimeout.
func sendLine(rc *http.ResponseController, enc *json.Encoder, v any) error {
	if err := rc.SetWriteDeadline(time.Now().Add(watchWriteTimeout)); err != nil &&
		!errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("setting follow write deadline: %w", err)
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing followed record: %w", err)
	}
	return rc.Flush()
}

// followFilter reads ?tenant= and ?status= (a class like 5xx, or an
// exact status like 404).
func followFilter(q url.Values) (traffic.FollowFilter, error) {
	f := traffic.FollowFilter{Tenant: q.Get("tenant")}
	st := strings.ToLower(strings.TrimSpace(q.Get("status")))
	switch {
	case st == "":
	case len(st) == 3 && strings.HasSuffix(st, "xx") && st[0] >= '1' && st[0] <= '5':
		f.StatusClass = int(st[0] - '0')
	default:
		n, err := strconv.Atoi(st)
		if err != nil || n < 100 || n > 599 {
			return f, errorf(errBadRequest, "status", "for example 5xx, 4xx or 404",
				"status %q is neither a status class nor an HTTP status", q.Get("status"))
		}
		f.Status = n
	}
	return f, nil
}

// followRecord is rec on the wire.
func followRecord(rec *store.LogRecord) api.FollowRecord {
	return api.FollowRecord{Time: rec.Time, Tenant: rec.Tenant, RequestID: rec.RequestID, ClientIP: rec.ClientIP,
		Method: rec.Method, Host: rec.Host, Path: rec.Path, Status: rec.Status, BytesIn: rec.BytesIn,
		BytesOut: rec.BytesOut, Duration: rec.Duration, Upstream: rec.Upstream, UpstreamLatency: rec.UpstreamLatency,
		TLSVersion: rec.TLSVersion, SNI: rec.SNI, Outcome: rec.Outcome}
}
