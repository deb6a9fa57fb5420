package forms

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screens/forms/formtest"
)

// The behaviour tests run each action against the real daemon (the foyer
// binary on loopback and a temporary data directory), typing as a person
// would, and check the result with the API, as the CLI would show it.

func run(t *testing.T, c *api.Client, d *data.Model, name, arg string) *formtest.Term {
	t.Helper()
	env := formtest.Env(d, c, false)
	return formtest.Run(t, formtest.NewHost(env, Entries, name, arg), 100, 30)
}

// Ensure that the add form creates a tenant with its slug and name, closes
// and says so; and that a second one with the same slug is refused inline,
// in the daemon's words with its hint, keeping what was typed.
func TestAddTenant(t *testing.T) {
	c := formtest.Daemon(t)
	ctx := context.Background()
	tm := run(t, c, nil, "add-tenant", "")
	tm.Type("acme")
	tm.Press("tab")
	tm.Type("Acme Inc.")
	tm.Press("enter")
	tm.WaitFor("tenant acme added")
	tm.WaitFor("(closed)")
	tm.Quit()
	got, err := c.Tenant(ctx, "acme")
	if err != nil || got.Name != "Acme Inc." || got.State != "active" {
		t.Fatalf("tenant acme = %+v, %v; want active, named Acme Inc.", got.Tenant, err)
	}

	tm = run(t, c, nil, "add-tenant", "")
	tm.Type("acme")
	tm.Press("enter", "enter") // to the name, then submit
	tm.WaitFor(`tenant "acme" already exists`)
	tm.WaitFor("hint: pick another slug")
	if s := tm.Screen(); !strings.Contains(s, "› Slug  acme") {
		t.Errorf("after the refusal the slug field lost its text or focus:\n%s", s)
	}
	tm.Press("backspace", "backspace", "backspace", "backspace")
	tm.Type("globex")
	tm.Press("tab", "enter")
	tm.WaitFor("tenant globex added")
	tm.Quit()
	if _, err := c.Tenant(ctx, "globex"); err != nil {
		t.Fatalf("globex after the retry: %v", err)
	}
}

// Ensure that from the backends screen a adds a backend (pool, URL,
// weight), n drains it, u undrains it, and x removes it after y.
func TestBackends(t *testing.T) {
	c := formtest.Daemon(t)
	ctx := context.Background()
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	d := &data.Model{}
	d.Apply(formtest.Lists(t, c))
	tm := run(t, c, d, "backends", "acme")
	tm.WaitFor("no backends yet")
	tm.Press("a")
	tm.WaitFor("add a backend to acme")
	tm.Press("tab")
	tm.Type("http://127.0.0.1:9")
	tm.Press("tab")
	tm.Type("3")
	tm.Press("enter")
	tm.WaitFor("backend http://127.0.0.1:9 added to acme/default")
	bs, err := c.Backends(ctx, "acme")
	if err != nil || len(bs) != 1 || bs[0].URL != "http://127.0.0.1:9" || bs[0].Weight != 3 || bs[0].Pool != "default" {
		t.Fatalf("backends = %+v, %v; want one, weight 3, in default", bs, err)
	}

	tm.TM.Send(formtest.Lists(t, c)) // as the feed would after the change
	tm.WaitFor("http://127.0.0.1:9")
	tm.Press("n")
	tm.WaitFor("drained: no new requests")
	if bs, _ := c.Backends(ctx, "acme"); len(bs) != 1 || !bs[0].Drained {
		t.Fatalf("after n: %+v; want drained", bs)
	}
	tm.Press("u")
	tm.WaitFor("back in service")
	if bs, _ := c.Backends(ctx, "acme"); len(bs) != 1 || bs[0].Drained {
		t.Fatalf("after u: %+v; want not drained", bs)
	}

	tm.Press("x")
	tm.WaitFor("Remove this backend?")
	tm.Press("n") // no: nothing happens
	tm.WaitFor("backends of acme")
	if bs, _ := c.Backends(ctx, "acme"); len(bs) != 1 {
		t.Fatalf("after x n: %d backends; want 1", len(bs))
	}
	tm.Press("x")
	tm.WaitFor("Remove this backend?")
	tm.Press("y")
	tm.WaitFor("backend http://127.0.0.1:9 removed from acme")
	tm.Quit()
	if bs, _ := c.Backends(ctx, "acme"); len(bs) != 0 {
		t.Fatalf("after x y: %+v; want none", bs)
	}
}

// Ensure that creating an API key shows its token once, on a line of its
// own, with the note that it cannot be shown again; that the daemon then
// lists the key (without the token) and the token is nowhere on the list
// screen; and that x then y revokes it.
func TestAPIKey(t *testing.T) {
	c := formtest.Daemon(t)
	ctx := context.Background()
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	tm := run(t, c, nil, "apikeys", "acme")
	tm.WaitFor("no API keys")
	tm.Press("a")
	tm.WaitFor("create an API key for acme")
	tm.Type("ci")
	tm.Press("enter", "enter")
	tm.WaitFor("cannot be shown again")
	lines := strings.Split(tm.Screen(), "\n")
	token := ""
	for i, l := range lines {
		if strings.HasPrefix(l, "The key's token:") && i+2 < len(lines) {
			token = strings.TrimSpace(lines[i+2])
		}
	}
	if len(token) < 20 || strings.Contains(token, " ") {
		t.Fatalf("no token on a line of its own:\n%s", tm.Screen())
	}
	ks, err := c.APIKeys(ctx, "acme")
	if err != nil || len(ks) != 1 || ks[0].Name != "ci" {
		t.Fatalf("keys = %+v, %v; want ci", ks, err)
	}
	tm.Press("enter") // close: back on the list, re-read
	tm.WaitFor("a create  x revoke")
	tm.WaitFor("LAST USED")
	if strings.Contains(tm.Screen(), token) {
		t.Errorf("the list shows the token:\n%s", tm.Screen())
	}
	tm.Press("x")
	tm.WaitFor("Revoke API key ci?")
	tm.Press("y")
	tm.WaitFor("API key ci of acme revoked")
	tm.Quit()
	if ks, _ := c.APIKeys(ctx, "acme"); len(ks) != 0 {
		t.Fatalf("after revoke: %+v", ks)
	}
}

// Ensure that deleting a tenant with a backend says that the backend goes
// too (--force), does nothing on n, and deletes it on y.
func TestDeleteTenant(t *testing.T) {
	c := formtest.Daemon(t)
	ctx := context.Background()
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddBackend(ctx, "acme", "", api.AddBackendRequest{URL: "http://127.0.0.1:9"}); err != nil {
		t.Fatal(err)
	}
	d := &data.Model{}
	d.Apply(formtest.Lists(t, c))
	tm := run(t, c, d, "delete-tenant", "acme")
	tm.WaitFor("acme has 1 backend and 0 domains: deleting it removes them too")
	tm.Press("n")
	tm.WaitFor("(closed)")
	tm.Quit()
	if _, err := c.Tenant(ctx, "acme"); err != nil {
		t.Fatalf("after n: %v", err)
	}
	tm = run(t, c, d, "delete-tenant", "acme")
	tm.WaitFor("Delete tenant acme?")
	tm.Press("y")
	tm.WaitFor("tenant acme deleted")
	tm.Quit()
	var ae *api.Error
	if _, err := c.Tenant(ctx, "acme"); err == nil || !asAPIError(err, &ae) || ae.Status != 404 {
		t.Fatalf("after y: %v; want 404", err)
	}
}

// Ensure that edit changes the name, suspend (after y) and resume change
// the state, and the policy line overrides a key, marks it and shows the
// effective policy the daemon answers.
func TestEditSuspendPolicy(t *testing.T) {
	c := formtest.Daemon(t)
	ctx := context.Background()
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	d := &data.Model{}
	d.Apply(formtest.Lists(t, c))
	tm := run(t, c, d, "edit-tenant", "acme")
	tm.WaitFor("edit acme")
	tm.Type(" Corp")
	tm.Press("enter", "enter")
	tm.WaitFor("tenant acme saved")
	tm.Quit()
	if got, _ := c.Tenant(ctx, "acme"); got.Name != "Acme Corp" {
		t.Fatalf("name = %q; want Acme Corp", got.Name)
	}

	tm = run(t, c, d, "suspend-tenant", "acme")
	tm.Press("y")
	tm.WaitFor("tenant acme is suspended")
	tm.Quit()
	tm = run(t, c, d, "resume-tenant", "acme")
	tm.Press("enter")
	tm.WaitFor("tenant acme is active")
	tm.Quit()

	pol, err := c.Policy(ctx, "acme")
	if err != nil || len(pol.Effective) == 0 {
		t.Fatalf("policy: %+v, %v", pol, err)
	}
	k := pol.Effective[0]
	tm = run(t, c, d, "policy", "acme")
	tm.WaitFor(k.Key)
	tm.Press("tab") // copies KEY=VALUE of the key under the cursor
	tm.Press("enter")
	tm.WaitFor("changed: 1 key (marked *)")
	tm.WaitFor("* " + k.Key)
	tm.Quit()
	pol, _ = c.Policy(ctx, "acme")
	if pol.Overrides[k.Key] != k.Value {
		t.Fatalf("overrides = %v; want %s=%s", pol.Overrides, k.Key, k.Value)
	}
}

// Ensure that under --readonly a form refuses: it closes at once and the
// footer says why.
func TestReadOnly(t *testing.T) {
	env := formtest.Env(fixture(), nil, true)
	for _, name := range []string{"add-tenant", "delete-tenant", "create-apikey"} {
		tm := formtest.Run(t, formtest.NewHost(env, Entries, name, "acme"), 100, 30)
		tm.WaitFor("read-only: foyer tui --readonly makes no changes")
		tm.WaitFor("(closed)")
		tm.Quit()
	}
	tm := formtest.Run(t, formtest.NewHost(env, Entries, "backends", "acme"), 100, 30)
	tm.WaitFor("10.0.0.1")
	tm.Press("x")
	tm.WaitFor("read-only: foyer tui --readonly makes no changes")
	tm.Quit()
}
