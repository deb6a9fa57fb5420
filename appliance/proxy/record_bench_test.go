package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// BenchmarkRecord measures the record step: one forwarded request (in
// process, to a loopback backend) without and with a recorder feeding the
// live counters, and the step alone (wrap the writer, fill the record,
// count it in the live counters) around a request foyer answers itself.
func BenchmarkRecord(b *testing.B) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer be.Close()
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		f := newPolFixture(b, tenants("example.test", map[string][]string{"acme": {be.URL}}))
		if on {
			f.h = New(Options{Policy: policy.New(policy.Options{Now: f.clock}),
				Recorder: &traffic.Recorder{Live: traffic.NewLive(traffic.LiveOptions{})}})
			f.change(func(store.Tx) error { return nil })
		}
		req := httptest.NewRequest("GET", "http://acme.example.test/p", nil)
		req.RemoteAddr = "127.0.0.1:5555"
		b.Run("forward/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
	h := New(Options{Recorder: &traffic.Recorder{Live: traffic.NewLive(traffic.LiveOptions{})}})
	defer h.Close()
	tn := setupTable(b, h)
	req := httptest.NewRequest("GET", "http://acme.example.test/p", nil)
	req.RemoteAddr = "127.0.0.1:5555"
	w := discardWriter{http.Header{}}
	body := []byte("ok")
	b.Run("step", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rw := h.startRecord(w, req, "id-1", time.Now())
			rw.tenant = tn
			rw.WriteHeader(200)
			_, _ = rw.Write(body)
			rw.setUpstream("http://127.0.0.1:1", time.Millisecond)
			h.finishRecord(rw, req)
		}
	})
}

// discardWriter is a ResponseWriter that keeps nothing, so the step
// benchmark measures the step and not a recorder's buffer.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// setupTable puts a table with tenant acme in service on h and returns
// the tenant.
func setupTable(b *testing.B, h *Handler) *route.Tenant {
	f := newPolFixture(b, tenants("example.test", map[string][]string{"acme": {"http://127.0.0.1:1"}}))
	h.Swap(f.h.Table(), store.DefaultSettings())
	return h.Table().Tenant("acme")
}
