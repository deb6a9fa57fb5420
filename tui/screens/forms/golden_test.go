package forms

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/forms/formtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is two tenants; acme has two backends (one drained) and a domain.
func fixture() *data.Model {
	d := &data.Model{}
	d.Apply(data.Lists{Time: t0, Tenants: []api.Tenant{
		{Slug: "acme", Name: "Acme Inc.", State: "active"},
		{Slug: "globex", Name: "Globex", State: "suspended"},
	}, Backends: map[string][]api.Backend{"acme": {
		{Tenant: "acme", Pool: "default", URL: "http://10.0.0.1:8080", Weight: 1, Health: "healthy"},
		{Tenant: "acme", Pool: "api", URL: "http://10.0.0.2:9000", Weight: 5, Health: "draining", Drained: true},
	}}, Domains: []api.Domain{{Name: "shop.acme.test", Tenant: "acme", State: "active"}}})
	return d
}

// policy is a tenant's policy as the daemon answers it.
func policy() api.TenantPolicy {
	return api.TenantPolicy{Tenant: "acme", Plan: "gold", Effective: []api.PolicyValue{
		{Key: "body-max", Value: "10MB", Source: "default", Doc: "largest request body accepted; bigger ones get 413"},
		{Key: "rate", Value: "50", Source: "plan", Doc: "requests a second per client before 429 (0 = no limit)"},
		{Key: "rate-burst", Value: "100", Source: "tenant", Doc: "requests a client may send at once above the rate"},
		{Key: "timeout", Value: "30s", Source: "default", Doc: "how long a backend may take to answer"},
	}}
}

// step is one golden case: which screen, and what to do to it before the
// capture (keys and messages), and what the screen must show then.
type goldenCase struct {
	name, screen, arg string
	do                func(s screen.Screen, tm *formtest.Term)
	want              string
}

var goldenCases = []goldenCase{
	{name: "TenantAdd", screen: "add-tenant", want: "Acme Corp",
		do: func(_ screen.Screen, tm *formtest.Term) { tm.Type("acme"); tm.Press("tab"); tm.Type("Acme Corp") }},
	{name: "TenantAddRefused", screen: "add-tenant", want: "already exists",
		do: func(s screen.Screen, tm *formtest.Term) {
			tm.Type("acme")
			tm.Press("tab")
			tm.Type("Acme Inc.")
			tm.TM.Send(submitted{form: s.(*Form), err: &api.Error{Status: 409, Field: "tenant.slug",
				Msg: `tenant "acme" already exists`, Hint: "pick another slug, or change it with `foyer tenant set`"}})
		}},
	{name: "TenantEdit", screen: "edit-tenant", arg: "acme", want: "gold",
		do: func(s screen.Screen, tm *formtest.Term) {
			tm.TM.Send(loaded{form: s.(*Form), vals: map[int]string{1: "gold"}})
		}},
	{name: "TenantSuspend", screen: "suspend-tenant", arg: "acme", want: "Suspend tenant acme?"},
	{name: "TenantResume", screen: "resume-tenant", arg: "globex", want: "Resuming"},
	{name: "TenantDelete", screen: "delete-tenant", arg: "acme", want: "Delete tenant acme?"},
	{name: "Backends", screen: "backends", arg: "acme", want: "10.0.0.2"},
	{name: "BackendAdd", screen: "add-backend", arg: "acme", want: "10.0.0.3:8080",
		do: func(_ screen.Screen, tm *formtest.Term) { tm.Press("tab"); tm.Type("http://10.0.0.3:8080") }},
	{name: "BackendRemove", screen: "remove-backend", arg: Arg("acme", "api", "http://10.0.0.2:9000"), want: "Remove this backend?"},
	// The key press comes first: a key clears the footer's flash, and the
	// flash of the answer arrives asynchronously, so the other order raced.
	{name: "Policy", screen: "policy", arg: "acme", want: "changed: 1 key",
		do: func(s screen.Screen, tm *formtest.Term) {
			tm.TM.Send(policyRead{p: s.(*Policy), pol: policy()}) // loaded, nothing changed yet
			tm.WaitFor("body-max")
			tm.Press("down")
			tm.WaitFor("rate: requests")
			req := api.SetPolicyRequest{Set: map[string]string{"rate": "80"}}
			p := policy()
			p.Effective[1] = api.PolicyValue{Key: "rate", Value: "80", Source: "tenant", Doc: p.Effective[1].Doc}
			tm.TM.Send(policyRead{p: s.(*Policy), pol: p, req: &req})
		}},
	{name: "APIKeys", screen: "apikeys", arg: "acme", want: "partner",
		do: func(_ screen.Screen, tm *formtest.Term) {
			tm.TM.Send(keysRead{slug: "acme", keys: []api.APIKey{
				{Name: "ci", Tenant: "acme", Created: t0, LastUsed: t0.Add(time.Hour)},
				{Name: "partner", Tenant: "acme", Created: t0, Expires: t0.Add(720 * time.Hour)},
			}})
		}},
	{name: "APIKeyCreate", screen: "create-apikey", arg: "acme", want: "48h",
		do: func(_ screen.Screen, tm *formtest.Term) { tm.Type("partner"); tm.Press("tab"); tm.Type("48h") }},
	{name: "APIKeyCreated", screen: "create-apikey", arg: "acme", want: "created (expires never)", // the flash arrives last
		do: func(s screen.Screen, tm *formtest.Term) {
			tm.Type("ci")
			tm.TM.Send(submitted{form: s.(*Form), out: Outcome{Flash: "API key ci of acme created (expires never)",
				Lines: []string{"The key's token:", "", "fyr_4mE2kQ9x7Zt1bLw8Rq3sVn6Hc0Yd5Ju2"}, Note: tokenNote}})
		}},
	{name: "APIKeyRevoke", screen: "revoke-apikey", arg: Arg("acme", "ci"), want: "Revoke API key ci?"},
	{name: "Unreachable", screen: "suspend-tenant", arg: "acme", want: "cannot reach",
		do: func(s screen.Screen, tm *formtest.Term) {
			tm.TM.Send(submitted{form: s.(*Form), err: &api.UnreachableError{Socket: "admin.sock", Err: errors.New("dial")}})
		}},
}

// Ensure that every form and list screen draws as its golden file shows,
// at 100x30 and at 80x24, in each state a case puts it in (typed values,
// a confirmation, a refusal from the daemon, a token shown once).
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, size := range [][2]int{{100, 30}, {80, 24}} {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				env := formtest.Env(fixture(), nil, false)
				var e screen.Entry
				for _, x := range Entries {
					if x.Name == c.screen {
						e = x
					}
				}
				s := e.New(env, c.arg)
				tm := formtest.Run(t, formtest.NewHostWith(env, Entries, s), size[0], size[1])
				if c.do != nil {
					c.do(s, tm)
				}
				tm.WaitFor(c.want)
				tm.Golden()
				tm.Quit()
			})
		}
	}
}
