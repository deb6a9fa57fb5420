package admin

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that POST /v1/trace hands the request to the appliance's Trace
// and returns its report, that Trace's refusal of the request is a 400,
// and that a URL is required.
func TestTrace(t *testing.T) {
	var got api.TraceRequest
	h := newHarness(t, func(o *Options) {
		o.Trace = func(_ context.Context, r api.TraceRequest) (api.TraceReport, error) {
			if r.URL == "bad" {
				return api.TraceReport{}, errors.New("trace: the URL must be absolute")
			}
			got = r
			return api.TraceReport{URL: r.URL, Tenant: "acme", Rule: "slug", Status: 429}, nil
		}
	}).serve()
	req := api.TraceRequest{URL: "http://acme.example.test/", Method: "POST", Headers: map[string][]string{"X-Api-Key": {"k"}}, ClientIP: "192.0.2.1"}
	rep, err := h.client.Trace(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tenant != "acme" || rep.Status != 429 || got.ClientIP != "192.0.2.1" || got.Headers["X-Api-Key"][0] != "k" || got.Method != "POST" {
		t.Fatalf("report %+v for request %+v", rep, got)
	}
	_, err = h.client.Trace(t.Context(), api.TraceRequest{URL: "bad"})
	apiError(t, err, http.StatusBadRequest)
	_, err = h.client.Trace(t.Context(), api.TraceRequest{})
	apiError(t, err, http.StatusBadRequest)
}
