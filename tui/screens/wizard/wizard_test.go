package wizard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/forms/formtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// setup is AddDomain's answer for shop.customer.test.
func setup() api.Domain {
	return api.Domain{Name: "shop.customer.test", Tenant: "acme", State: "pending_dns", Token: "fyc_7d1b0e6a29c34f5e",
		Setup: &api.DomainSetup{CNAME: "acme.edge.example.net", Addresses: []string{"203.0.113.10", "2001:db8::10"},
			TXTName: "_foyer-challenge.shop.customer.test", TXTValue: "fyc_7d1b0e6a29c34f5e"}}
}

// failing is a check where the CNAME is not set yet.
func failing() api.DomainCheck {
	d := setup()
	d.Setup = nil
	return api.DomainCheck{Domain: d, Resolver: "127.0.0.1:53", Checks: []api.CheckLine{
		{Name: "cname", OK: false, Detail: "shop.customer.test has no CNAME record", Hint: "ask the customer to add: shop.customer.test CNAME acme.edge.example.net (DNS changes can take a few minutes to show)"},
		{Name: "txt", OK: true, Detail: "_foyer-challenge.shop.customer.test has the token"},
		{Name: "caa", OK: true, Detail: "no CAA records: any CA may issue"},
		{Name: "http", OK: false, Detail: "GET http://shop.customer.test/.well-known/foyer did not reach foyer", Hint: "the domain must point here before a certificate can be issued over HTTP"},
	}}
}

func withState(state string) data.Lists {
	d := setup()
	d.Setup, d.State = nil, state
	if state == "active" {
		d.NotAfter = t0.Add(90 * 24 * time.Hour)
	}
	return data.Lists{Time: t0, Tenants: []api.Tenant{{Slug: "acme", State: "active"}}, Domains: []api.Domain{d}}
}

var cases = []struct {
	name string
	do   func(m *Model, tm *formtest.Term)
	want string
}{
	{name: "Domain", want: "shop.customer.test", do: func(m *Model, tm *formtest.Term) { tm.Type("shop.customer.test") }},
	{name: "DomainInvalid", want: "a domain has at least two", do: func(m *Model, tm *formtest.Term) {
		tm.Type("localhost")
		tm.Press("enter")
	}},
	{name: "Records", want: "watch the check live", do: func(m *Model, tm *formtest.Term) { addDomain(m, tm) }},
	{name: "Check", want: "checked 1×", do: func(m *Model, tm *formtest.Term) {
		addDomain(m, tm)
		tm.Press("enter")
		tm.TM.Send(checked{m: m, c: failing()})
	}},
	{name: "Issuing", want: "Obtaining its certificate", do: func(m *Model, tm *formtest.Term) {
		addDomain(m, tm)
		tm.Press("enter")
		tm.TM.Send(checked{m: m, c: failing()})
		tm.WaitFor("checked 1×")
		tm.TM.Send(withState("issuing"))
	}},
	{name: "Active", want: "Certificate expires", do: func(m *Model, tm *formtest.Term) {
		addDomain(m, tm)
		tm.Press("enter")
		tm.TM.Send(withState("verified"))
		tm.WaitFor("Obtaining")
		tm.TM.Send(withState("active"))
	}},
}

// addDomain sends the daemon's answer to the domain's add and waits until
// the screen shows both the records and the flash line that follows them
// (the flash comes in a command of its own, a moment later: a golden taken
// between the two, or a key pressed between them, would vary from run to
// run).
func addDomain(m *Model, tm *formtest.Term) {
	tm.TM.Send(added{m: m, d: setup()})
	tm.WaitUntil(func(screen string) bool {
		return strings.Contains(screen, "watch the check") && strings.Contains(screen, "added to acme: pending")
	})
}

// Ensure that each step of the wizard draws as its golden file shows, at
// 100x30 and 80x24: the domain typed (and refused by the daemon's rules
// before it is sent), the records one a line, the live check with a tick
// or cross and a hint per failure, the issuance, and active with the
// certificate's expiry.
func TestGolden(t *testing.T) {
	CheckEvery = 0 // the test moves the check on; no timer runs
	for _, c := range cases {
		for _, size := range [][2]int{{100, 30}, {80, 24}} {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				env := formtest.Env(&data.Model{}, nil, false)
				m := New(env, "acme").(*Model)
				tm := formtest.Run(t, formtest.NewHostWith(env, []screen.Entry{Entry}, m), size[0], size[1])
				c.do(m, tm)
				tm.WaitFor(c.want)
				tm.Golden()
				tm.Quit()
			})
		}
	}
}

// Ensure that the wizard checks a domain by the daemon's rules before it
// sends it, and gives it in the daemon's normal form.
func TestCheckDomain(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{in: "Shop.Customer.COM.", want: "shop.customer.com"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "https://shop.customer.com", err: "is not a host name"},
		{in: "shop.customer.com/path", err: "is not a host name"},
		{in: "10.0.0.1", err: "is an IP address"},
		{in: "localhost", err: "a single label"},
		{in: "a..b", err: "empty label"},
		{in: "-a.b", err: "hyphen"},
		{in: "ab--cd.example", err: "reserved by IDNA"},
		{in: "", err: "type the customer's domain"},
	} {
		got, err := checkDomain(c.in)
		if c.err != "" {
			if err == nil || !contains(err.Error(), c.err) {
				t.Errorf("checkDomain(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("checkDomain(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
