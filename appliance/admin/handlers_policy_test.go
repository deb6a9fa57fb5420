package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

func TestPolicyAPI(t *testing.T) {
	// Ensure that a tenant's policy is set and shown with each key's
	// source, that malformed requests get 400 and bad values 422, that a
	// plan in use cannot be deleted (409), and that API keys are shown
	// without token or hash except the token once at creation.
	h := start(t)
	ctx := t.Context()
	if _, err := h.client.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreatePlan(ctx, api.CreatePlanRequest{Name: "pro", Policy: map[string]string{"rate": "100"}}); err != nil {
		t.Fatal(err)
	}
	_, err := h.client.CreatePlan(ctx, api.CreatePlanRequest{Name: "pro"})
	apiError(t, err, http.StatusConflict)
	plan := "pro"
	p, err := h.client.SetPolicy(ctx, "acme", api.SetPolicyRequest{Plan: &plan, Set: map[string]string{"burst": "7"}})
	if err != nil || p.Plan != "pro" || p.Overrides["burst"] != "7" {
		t.Fatalf("SetPolicy = %+v, %v", p, err)
	}
	src := map[string]string{}
	for _, v := range p.Effective {
		src[v.Key] = v.Value + "/" + v.Source
	}
	if src["rate"] != "100/plan" || src["burst"] != "7/tenant" || src["hsts"] != "true/default" {
		t.Fatalf("effective: %v", src)
	}
	_, err = h.client.SetPolicy(ctx, "acme", api.SetPolicyRequest{Set: map[string]string{"rate": "1"}, Unset: []string{"rate"}})
	apiError(t, err, http.StatusBadRequest)
	_, err = h.client.SetPolicy(ctx, "acme", api.SetPolicyRequest{Unset: []string{"nope"}})
	apiError(t, err, http.StatusUnprocessableEntity)
	_, err = h.client.SetPolicy(ctx, "acme", api.SetPolicyRequest{Set: map[string]string{"max-in-flight": "-1"}})
	e := apiError(t, err, http.StatusUnprocessableEntity)
	if e.Field != "policy.max-in-flight" {
		t.Errorf("field %q", e.Field)
	}
	apiError(t, h.client.DeletePlan(ctx, "pro"), http.StatusConflict)

	k, err := h.client.CreateAPIKey(ctx, "acme", api.CreateAPIKeyRequest{Name: "ci", Expires: "24h"})
	if err != nil || !strings.HasPrefix(k.Token, "fy_"+k.ID+"_") || k.Expires.IsZero() {
		t.Fatalf("CreateAPIKey = %+v, %v", k, err)
	}
	ks, err := h.client.APIKeys(ctx, "acme")
	if err != nil || len(ks) != 1 {
		t.Fatalf("APIKeys = %+v, %v", ks, err)
	}
	b, _ := json.Marshal(ks)
	if strings.Contains(string(b), "hash") || strings.Contains(string(b), k.Token[12:]) {
		t.Fatalf("key list shows secrets: %s", b)
	}
	apiError(t, h.client.RevokeAPIKey(ctx, "acme", "nope"), http.StatusNotFound)
}
