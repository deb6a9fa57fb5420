package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// policyOn turns on everything BenchmarkPolicy measures: both rate limits
// (high enough never to refuse), the concurrency limit, an allow list and a
// required API key.
func policyOn(tok, id, hash string) func(tx store.Tx) error {
	return func(tx store.Tx) error {
		if err := tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "bench", Hash: hash}); err != nil {
			return err
		}
		return tx.SetTenantPolicy("acme", store.Policy{"rate": "1000000", "burst": "1000000", "ip-rate": "1000000",
			"ip-burst": "1000000", "max-in-flight": "1000", "allow": "127.0.0.0/8,10.0.0.0/8", "deny": "192.0.2.0/24",
			"api-keys": "required"})
	}
}

// BenchmarkPolicy measures the CPU and allocations of one forwarded request
// (in process, to a loopback backend) with every policy off and with rate
// limits, concurrency limit, IP rules and API key on; and of the policy
// check alone.
func BenchmarkPolicy(b *testing.B) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer be.Close()
	tok, id, hash, err := store.NewAPIKeyToken()
	if err != nil {
		b.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		f := newPolFixture(b, tenants("example.test", map[string][]string{"acme": {be.URL}}))
		f.now = time.Now()
		if on {
			f.change(policyOn(tok, id, hash))
		}
		req := httptest.NewRequest("GET", "http://acme.example.test/p", nil)
		req.RemoteAddr = "127.0.0.1:5555"
		tn := f.h.Table().Tenant("acme")
		b.Run("forward/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.advance(time.Microsecond) // the fixture clock refills the buckets like real time at 1M/s
				req.Header = http.Header{"X-Api-Key": {tok}}
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
		b.Run("check/"+name, func(b *testing.B) {
			b.ReportAllocs()
			h := http.Header{}
			req.Header = http.Header{"X-Api-Key": {tok}}
			trusted := *f.h.fwd.trusted.Load()
			for b.Loop() {
				f.advance(time.Microsecond) // keep the buckets from running dry however long the run
				v := f.h.pol.Check(tn.ID, req, h, trusted)
				if v.Status != 0 {
					b.Fatalf("refused: %d %s", v.Status, v.Msg)
				}
				v.Slot.Release()
			}
		})
	}
}
