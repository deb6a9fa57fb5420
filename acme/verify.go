package acme

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// TXTPrefix is the label under which a domain's ownership token is
// published: _foyer-challenge.<domain> TXT <token>.
const TXTPrefix = "_foyer-challenge."

// VerifyInput is what Verify checks a custom domain against.
type VerifyInput struct {
	// Domain is the normalised custom domain.
	Domain string
	// CNAMETarget is the host its CNAME should point at; "" skips the
	// CNAME check (with a hint to configure one).
	CNAMETarget string
	// PublicIPs are this box's addresses its A/AAAA records may name.
	PublicIPs []string
	// Token is the domain's ownership token (the TXT record, the self-test path).
	Token string
	// Resolver is the DNS server's host:port; "" uses /etc/resolv.conf's first.
	Resolver string
	// CAIdentity is the configured CA's CAA issuer domain (CAIdentity);
	// "" skips the CAA check.
	CAIdentity string
	// HTTPPort is the port of the HTTP self-test; zero means 80.
	HTTPPort int
	// Nonce is what foyer's HTTP listener answers on the self-test path
	// (SelfTest.Nonce); "" skips the self-test.
	Nonce string
	// Timeout bounds each DNS query and the self-test. Zero means 5s.
	Timeout time.Duration
}

// Check is one verification step's outcome.
type Check struct {
	Name   string `json:"name"`   // cname, a, aaaa, txt, caa, http
	OK     bool   `json:"ok"`     // it passed
	Detail string `json:"detail"` // what was found
	Hint   string `json:"hint,omitempty"`
}

// Report is the outcome of Verify.
type Report struct {
	Resolver string  `json:"resolver"` // the DNS server asked
	Checks   []Check `json:"checks"`
	// Verified: (the CNAME or the A/AAAA records point here, or the TXT
	// record carries the token) and no CAA record forbids the CA.
	Verified bool `json:"verified"`
	// CAARefused is set when a CAA record forbids the configured CA: no
	// order may be placed.
	CAARefused bool `json:"caa_refused"`
}

// Failed returns the check that explains why the domain is not
// verified: the CAA refusal; a stale AAAA beside a right A record; else
// the CNAME check (whose hint names A/AAAA as the alternative).
func (r Report) Failed() (Check, bool) {
	if r.Verified && !r.CAARefused {
		return Check{}, false
	}
	by := map[string]Check{}
	for _, c := range r.Checks {
		by[c.Name] = c
	}
	switch {
	case r.CAARefused:
		return by["caa"], true
	case by["a"].OK && !by["aaaa"].OK:
		return by["aaaa"], true
	case !by["cname"].OK && by["cname"].Detail != "no CNAME target configured":
		return by["cname"], true
	}
	return by["a"], true
}

// Verify runs the checks on in.Domain live. It never fails as a whole: a
// DNS error is a failed check with its hint.
func Verify(ctx context.Context, in VerifyInput) Report {
	if in.Timeout <= 0 {
		in.Timeout = 5 * time.Second
	}
	r := &resolver{addr: in.Resolver, timeout: in.Timeout}
	if r.addr == "" {
		r.addr = systemResolver()
	}
	cname := checkCNAME(ctx, r, in)
	a, aaaa, addrs := checkAddrs(ctx, r, in)
	txt := checkTXT(ctx, r, in)
	caa := checkCAA(ctx, r, in)
	rep := Report{Resolver: r.addr, Checks: []Check{cname, a, aaaa, txt, caa}}
	if in.Nonce != "" {
		rep.Checks = append(rep.Checks, checkHTTP(ctx, in, addrs))
	}
	rep.CAARefused = !caa.OK
	rep.Verified = (cname.OK || a.OK && aaaa.OK || txt.OK) && !rep.CAARefused
	return rep
}

func checkCNAME(ctx context.Context, r *resolver, in VerifyInput) Check {
	c := Check{Name: "cname"}
	if in.CNAMETarget == "" {
		c.Detail = "no CNAME target configured"
		c.Hint = "set base-domain or cname-target, or use A/AAAA records"
		return c
	}
	rrs, err := r.query(ctx, in.Domain, dns.TypeCNAME)
	if err != nil {
		c.Detail, c.Hint = err.Error(), "check the resolver "+r.addr
		return c
	}
	var got []string
	for _, rr := range rrs {
		if cn, ok := rr.(*dns.CNAME); ok && strings.EqualFold(dns.Fqdn(cn.Hdr.Name), dns.Fqdn(in.Domain)) {
			got = append(got, strings.ToLower(strings.TrimSuffix(cn.Target, ".")))
		}
	}
	switch {
	case len(got) == 0:
		c.Detail = "no CNAME record"
	case slices.Contains(got, in.CNAMETarget):
		c.OK, c.Detail = true, "CNAME "+in.CNAMETarget
		return c
	default:
		c.Detail = "CNAME " + strings.Join(got, ", ")
	}
	c.Hint = fmt.Sprintf("set %s CNAME %s (or A/AAAA records to this box)", in.Domain, in.CNAMETarget)
	return c
}

// checkAddrs checks the A and AAAA records (after any CNAME) against
// in.PublicIPs and returns every address found.
func checkAddrs(ctx context.Context, r *resolver, in VerifyInput) (a, aaaa Check, addrs []netip.Addr) {
	a, aaaa = Check{Name: "a"}, Check{Name: "aaaa"}
	public := map[netip.Addr]bool{}
	for _, s := range in.PublicIPs {
		if ip, err := netip.ParseAddr(s); err == nil {
			public[ip.Unmap()] = true
		}
	}
	v4, err4 := r.addrs(ctx, in.Domain, dns.TypeA)
	v6, err6 := r.addrs(ctx, in.Domain, dns.TypeAAAA)
	addrs = append(slices.Clone(v4), v6...)
	foreign := func(ips []netip.Addr) (out []string) {
		for _, ip := range ips {
			if !public[ip] {
				out = append(out, ip.String())
			}
		}
		return out
	}
	want := strings.Join(in.PublicIPs, ", ")
	switch bad := foreign(v4); {
	case err4 != nil:
		a.Detail, a.Hint = err4.Error(), "check the resolver "+r.addr
	case len(public) == 0:
		a.Detail, a.Hint = "A "+joinAddrs(v4), "set public-ips to this box's addresses to check A/AAAA records"
	case len(v4) == 0 && len(v6) == 0:
		a.Detail, a.Hint = "no A or AAAA record", fmt.Sprintf("point %s at %s", in.Domain, want)
	case len(bad) > 0:
		a.Detail, a.Hint = "A "+joinAddrs(v4)+": not this box", fmt.Sprintf("point %s at %s", in.Domain, want)
	default:
		a.OK, a.Detail = true, "A "+joinAddrs(v4)
	}
	switch bad := foreign(v6); {
	case err6 != nil:
		aaaa.Detail, aaaa.Hint = err6.Error(), "check the resolver "+r.addr
	case len(v6) == 0:
		aaaa.OK, aaaa.Detail = true, "no AAAA record"
	case len(bad) > 0:
		aaaa.Detail = "stale AAAA " + strings.Join(bad, ", ") + ": not this box"
		aaaa.Hint = "remove the AAAA record or point it at this box's IPv6 address; IPv6 clients and the CA would reach another server"
	default:
		aaaa.OK, aaaa.Detail = true, "AAAA "+joinAddrs(v6)
	}
	return a, aaaa, addrs
}

func joinAddrs(ips []netip.Addr) string {
	if len(ips) == 0 {
		return "none"
	}
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ", ")
}

func checkTXT(ctx context.Context, r *resolver, in VerifyInput) Check {
	c := Check{Name: "txt"}
	name := TXTPrefix + in.Domain
	hint := fmt.Sprintf("optional: set %s TXT %q to verify ownership before the DNS switch", name, in.Token)
	rrs, err := r.query(ctx, name, dns.TypeTXT)
	if err != nil {
		c.Detail, c.Hint = err.Error(), hint
		return c
	}
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok && in.Token != "" && strings.Join(t.Txt, "") == in.Token {
			c.OK, c.Detail = true, name+" carries the token"
			return c
		}
	}
	c.Detail, c.Hint = "no TXT record with the token at "+name, hint
	return c
}

// checkCAA finds the CAA record set that applies (the domain's, else its
// closest parent's, RFC 8659) and fails if its issue records name other
// CAs only.
func checkCAA(ctx context.Context, r *resolver, in VerifyInput) Check {
	c := Check{Name: "caa"}
	if in.CAIdentity == "" {
		c.OK, c.Detail = true, "no CA configured"
		return c
	}
	for name := in.Domain; strings.Contains(name, "."); name = name[strings.Index(name, ".")+1:] {
		rrs, err := r.query(ctx, name, dns.TypeCAA)
		if err != nil {
			c.Detail, c.Hint = err.Error(), "check the resolver "+r.addr
			return c
		}
		var issuers []string
		for _, rr := range rrs {
			if caa, ok := rr.(*dns.CAA); ok && caa.Tag == "issue" {
				issuers = append(issuers, strings.TrimSpace(strings.SplitN(caa.Value, ";", 2)[0]))
			}
		}
		if len(issuers) == 0 {
			continue
		}
		if slices.Contains(issuers, in.CAIdentity) {
			c.OK, c.Detail = true, "CAA at "+name+" allows "+in.CAIdentity
			return c
		}
		c.Detail = fmt.Sprintf("CAA at %s allows only %s, not %s", name, strings.Join(issuers, ", "), in.CAIdentity)
		c.Hint = fmt.Sprintf("add %s CAA 0 issue %q", name, in.CAIdentity)
		return c
	}
	c.OK, c.Detail = true, "no CAA record"
	return c
}

// CAIdentity returns the CAA issuer domain of the CA behind an ACME
// directory URL: the well-known CAs' own, else the directory's host.
func CAIdentity(directory string) string {
	u, err := url.Parse(directory)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for suffix, id := range map[string]string{"letsencrypt.org": "letsencrypt.org", "zerossl.com": "sectigo.com",
		"buypass.com": "buypass.com", "pki.goog": "pki.goog", "ssl.com": "ssl.com"} {
		if host == suffix || strings.HasSuffix(host, "."+suffix) {
			return id
		}
	}
	return host
}

// resolver asks one DNS server, recursion desired.
type resolver struct {
	addr    string
	timeout time.Duration
}

func systemResolver() string {
	if conf, err := dns.ClientConfigFromFile("/etc/resolv.conf"); err == nil && len(conf.Servers) > 0 {
		return net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	return "127.0.0.1:53"
}

// query returns the answer section; NXDOMAIN is an empty answer.
func (r *resolver) query(ctx context.Context, name string, typ uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), typ)
	m.RecursionDesired = true
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, _, err := (&dns.Client{Timeout: r.timeout}).ExchangeContext(ctx, m, r.addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", dns.TypeToString[typ], name, err)
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("%s %s: %s from %s", dns.TypeToString[typ], name, dns.RcodeToString[resp.Rcode], r.addr)
	}
	return resp.Answer, nil
}

// addrs returns the A or AAAA addresses of name, following a CNAME.
func (r *resolver) addrs(ctx context.Context, name string, typ uint16) ([]netip.Addr, error) {
	rrs, err := r.query(ctx, name, typ)
	var out []netip.Addr
	for _, rr := range rrs {
		var ip net.IP
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A
		case *dns.AAAA:
			ip = v.AAAA
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	return out, err
}
