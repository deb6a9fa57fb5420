package appliance

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// verifierActor is the audit trail's actor for the verifier's changes.
const verifierActor = "foyer (domain verifier)"

// VerifyTiming is how often the verifier looks at domains. The zero
// value of a field means its default.
type VerifyTiming struct {
	Tick     time.Duration // how often due domains are looked for; default 1s
	First    time.Duration // first re-check of a pending domain; default 10s
	Max      time.Duration // the backoff's ceiling; default 1h
	GiveUp   time.Duration // pending this long -> failed; default 7 days
	Recheck  time.Duration // re-check of active domains; default 24h
	Obtain   time.Duration // bound on one issuance; default 2m
	HTTPPort int           // overrides the self-test-port setting (tests); 0: the setting
	// Off stops the background verifier; `foyer domain check` still works.
	Off bool
}

func (t VerifyTiming) withDefaults() VerifyTiming {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Tick, time.Second)
	def(&t.First, 10*time.Second)
	def(&t.Max, time.Hour)
	def(&t.GiveUp, 7*24*time.Hour)
	def(&t.Recheck, 24*time.Hour)
	def(&t.Obtain, 2*time.Minute)
	return t
}

// verifier moves custom domains through their lifecycle: pending_dns
// re-checked with backoff, verified -> issuing -> active or failed,
// active re-checked and moved when they no longer point here. Every
// change goes through store.UpdateDomain (audited, on the change feed).
// It is owned by Run and stops with its context.
type verifier struct {
	a      *Appliance
	timing VerifyTiming
	now    func() time.Time
	wake   chan struct{} // a nudge: look now (buffered, 1)

	mu   sync.Mutex          // guards next
	next map[string]schedule // by domain name
}

// schedule is when a domain is next looked at, and the backoff so far.
type schedule struct {
	at      time.Time
	backoff time.Duration
}

func newVerifier(a *Appliance, t VerifyTiming) *verifier {
	return &verifier{a: a, timing: t.withDefaults(), now: time.Now, wake: make(chan struct{}, 1), next: map[string]schedule{}}
}

// nudge makes the loop look at every domain now.
func (v *verifier) nudge() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// run looks at due domains every Tick until ctx ends.
func (v *verifier) run(ctx context.Context) {
	if v.timing.Off {
		return
	}
	t := time.NewTicker(v.timing.Tick)
	defer t.Stop()
	for {
		v.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-v.wake:
		}
	}
}

// pass handles every domain that is due.
func (v *verifier) pass(ctx context.Context) {
	ds, err := v.a.opts.Store.ListDomains(ctx, "")
	if err != nil {
		if ctx.Err() == nil {
			v.a.log.Error("domain verifier: list domains", "err", err)
		}
		return
	}
	tbl := v.a.proxy.Table()
	for _, d := range ds {
		if ctx.Err() != nil {
			return
		}
		if tbl != nil {
			if tn := tbl.Tenant(d.Tenant); tn != nil && tn.Suspended() {
				v.suspend(ctx, d)
				continue
			}
		}
		switch d.State {
		case store.DomainPendingDNS:
			if v.due(d.Name) {
				v.checkPending(ctx, d)
			}
		case store.DomainVerified, store.DomainIssuing:
			v.issue(ctx, d)
		case store.DomainActive, store.DomainExpiring:
			if v.dueSpread(d.Name) {
				v.checkActive(ctx, d)
			}
		case store.DomainMoved, store.DomainSuspended:
			if v.due(d.Name) {
				v.checkReturned(ctx, d)
			}
		}
	}
}

// due reports whether name's next look is now or past; a name never
// seen is due.
func (v *verifier) due(name string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.next[name]
	return !ok || !v.now().Before(s.at)
}

// dueSpread is due for an active domain, except that one never seen (at
// start-up) is first scheduled at a random point within the next hour
// (or Recheck, if shorter): a restart does not re-check every domain at
// once. Renewal windows are days long, and handshakes renew on their own.
func (v *verifier) dueSpread(name string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.next[name]
	if !ok {
		spread := min(v.timing.Recheck, time.Hour)
		v.next[name] = schedule{at: v.now().Add(rand.N(spread))}
		return false
	}
	return !v.now().Before(s.at)
}

// backoff schedules name's next look: First, doubling to Max.
func (v *verifier) backoff(name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.next[name]
	s.backoff = min(max(s.backoff*2, v.timing.First), v.timing.Max)
	s.at = v.now().Add(s.backoff)
	v.next[name] = s
}

// forget drops name's schedule: its next look is due at once, with the
// backoff started afresh.
func (v *verifier) forget(name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.next, name)
}

func (v *verifier) after(name string, d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.next[name] = schedule{at: v.now().Add(d)}
}

func (v *verifier) checkPending(ctx context.Context, d store.Domain) {
	rep, err := v.a.verifyDomain(ctx, d)
	if err != nil {
		v.a.log.Warn("domain verifier", "domain", d.Name, "err", err)
		v.backoff(d.Name)
		return
	}
	next := d
	switch failed, _ := rep.Failed(); {
	case rep.CAARefused:
		next.State, next.Reason, next.Hint = store.DomainFailed, "CAA forbids the CA: "+failed.Detail, failed.Hint
	case rep.Verified:
		next.State, next.Reason, next.Hint = store.DomainVerified, verifiedReason(rep), ""
	case v.now().Sub(d.Created) >= v.timing.GiveUp:
		next.State, next.Reason = store.DomainFailed, "DNS never pointed here: "+failed.Detail
		next.Hint = failed.Hint + "; then `foyer domain check " + d.Name + "`"
	default:
		next.Reason, next.Hint = failed.Detail, failed.Hint
		v.backoff(d.Name)
	}
	if next.State == store.DomainVerified {
		v.a.log.Info("domain verified", "domain", d.Name, "by", next.Reason)
	}
	v.set(ctx, next)
	if next.State == store.DomainVerified {
		v.issue(ctx, next)
	}
}

func verifiedReason(rep acme.Report) string {
	for _, c := range rep.Checks {
		if c.OK && (c.Name == "cname" || c.Name == "a" || c.Name == "txt") {
			return "verified: " + c.Detail
		}
	}
	return "verified"
}

// issue obtains the certificate of a verified domain: issuing, then
// active with its expiry or failed with the CA's error.
func (v *verifier) issue(ctx context.Context, d store.Domain) {
	if v.servedByImport(ctx, d) {
		return
	}
	if !v.a.certs.Issuing() {
		if d.State == store.DomainVerified && d.Hint == "" {
			d.Hint = "set acme-directory to obtain a certificate, or `foyer cert add " + d.Name + "`"
			v.set(ctx, d)
		}
		return
	}
	d.State, d.Reason, d.Hint = store.DomainIssuing, "obtaining a certificate", ""
	if !v.set(ctx, d) {
		return
	}
	octx, cancel := context.WithTimeout(ctx, v.timing.Obtain)
	notAfter, err := v.a.certs.Obtain(octx, d.Name)
	cancel()
	if ctx.Err() != nil {
		return // stopping: issuing is picked up again at the next start
	}
	if err != nil {
		d.State, d.Reason = store.DomainFailed, err.Error()
		d.Hint = "fix what the CA says, then `foyer domain check " + d.Name + "` to try again"
		if errors.Is(err, acme.ErrIssuanceOff) {
			d.State, d.Reason, d.Hint = store.DomainVerified, "verified", "set acme-directory to obtain a certificate"
		}
	} else {
		d.State, d.Reason, d.Hint, d.NotAfter = store.DomainActive, "certificate until "+notAfter.UTC().Format(time.DateOnly), "", notAfter
		v.after(d.Name, v.timing.Recheck)
		v.a.events.certificate(d.Tenant, d.Name, api.CertObtained, notAfter)
	}
	v.set(ctx, d)
}

// checkActive re-checks an active (or expiring) domain: one that no
// longer points here becomes moved, which pauses its renewals (the gate
// refuses it and the appliance evicts its certificate); one that does has
// its certificate renewed when due, and is active with the new expiry,
// or expiring with the CA's error while renewal fails.
func (v *verifier) checkActive(ctx context.Context, d store.Domain) {
	v.after(d.Name, v.timing.Recheck)
	rep, err := v.a.verifyDomain(ctx, d)
	if err != nil {
		return
	}
	if !rep.Verified {
		failed, _ := rep.Failed()
		d.State, d.Reason = store.DomainMoved, "no longer points here: "+failed.Detail
		d.Hint = failed.Hint + "; renewals pause until it points here again"
		v.set(ctx, d)
		return
	}
	v.renew(ctx, d)
}

// renew keeps a verified domain's certificate current (acme.Renew) and
// records the outcome: active with the expiry, or expiring while renewal
// fails and the certificate still serves.
func (v *verifier) renew(ctx context.Context, d store.Domain) {
	if v.servedByImport(ctx, d) {
		return
	}
	if !v.a.certs.Issuing() {
		return // imported certificates only: nothing to renew
	}
	octx, cancel := context.WithTimeout(ctx, v.timing.Obtain)
	notAfter, err := v.a.certs.Renew(octx, d.Name)
	cancel()
	if ctx.Err() != nil {
		return
	}
	was := d
	if err != nil {
		d.State, d.Reason = store.DomainExpiring, "renewal failed: "+err.Error()
		d.Hint = "fix what the CA says; foyer retries, and `foyer domain check " + d.Name + "` retries now"
		if !notAfter.IsZero() {
			d.NotAfter = notAfter
			d.Reason += "; the certificate expires " + notAfter.UTC().Format(time.DateOnly)
		}
		v.backoff(d.Name)
	} else {
		d.State, d.Reason, d.Hint, d.NotAfter = store.DomainActive, "certificate until "+notAfter.UTC().Format(time.DateOnly), "", notAfter
		if !notAfter.Equal(was.NotAfter) { // a new certificate, not one still current
			v.a.events.certificate(d.Tenant, d.Name, api.CertRenewed, notAfter)
		}
	}
	if d.State != was.State || d.Reason != was.Reason || !d.NotAfter.Equal(was.NotAfter) {
		v.set(ctx, d)
	}
}

// servedByImport records a verified domain that an imported certificate
// covers as active with that certificate's expiry, and reports whether
// it did: foyer never obtains a certificate beside an imported one (the
// imported one wins; acme/select.go), and does not renew imported ones.
func (v *verifier) servedByImport(ctx context.Context, d store.Domain) bool {
	c, ok := v.a.certs.ImportedFor(d.Name)
	if !ok {
		return false
	}
	was := d
	d.State, d.Reason, d.NotAfter = store.DomainActive, "served by the imported certificate "+c.Name+" until "+c.NotAfter.UTC().Format(time.DateOnly), c.NotAfter
	d.Hint = "import a new one before then (foyer does not renew imported certificates)"
	if d.State != was.State || d.Reason != was.Reason || !d.NotAfter.Equal(was.NotAfter) {
		v.set(ctx, d)
	}
	v.after(d.Name, v.timing.Recheck)
	return true
}

// checkReturned re-checks a moved domain, or one whose tenant was
// suspended and is active again: verified means active again, its
// certificate renewed if due; otherwise moved, re-checked with backoff.
func (v *verifier) checkReturned(ctx context.Context, d store.Domain) {
	rep, err := v.a.verifyDomain(ctx, d)
	if err != nil {
		return
	}
	if !rep.Verified {
		v.backoff(d.Name)
		if d.State == store.DomainSuspended {
			failed, _ := rep.Failed()
			d.State, d.Reason = store.DomainMoved, "no longer points here: "+failed.Detail
			d.Hint = failed.Hint + "; renewals pause until it points here again"
			v.set(ctx, d)
		}
		return
	}
	v.after(d.Name, v.timing.Recheck)
	if !v.a.certs.Issuing() {
		d.State, d.Reason, d.Hint = store.DomainVerified, verifiedReason(rep), "set acme-directory to obtain a certificate, or `foyer cert add "+d.Name+"`"
		v.set(ctx, d)
		return
	}
	d.State, d.Reason, d.Hint = store.DomainActive, "points here again", ""
	if v.set(ctx, d) { // active first, so the gate allows the name again
		v.renew(ctx, d)
	}
}

// suspend records that d's tenant is suspended: no checks, no renewals
// (the gate refuses the tenant's names) until it is resumed.
func (v *verifier) suspend(ctx context.Context, d store.Domain) {
	if d.State == store.DomainSuspended {
		return
	}
	d.State, d.Reason = store.DomainSuspended, "tenant "+d.Tenant+" is suspended"
	d.Hint = "`foyer tenant resume " + d.Tenant + "` to serve it again; it is re-checked then"
	v.forget(d.Name)
	v.set(ctx, d)
}

// set writes d's state, reason and hint; false if it failed (the domain
// was removed meanwhile, or the store is closing).
func (v *verifier) set(ctx context.Context, d store.Domain) bool {
	var was store.Domain // the state before, for the event (events.go)
	err := v.a.opts.Store.Update(ctx, verifierActor, func(tx store.Tx) error {
		was, _ = tx.Domain(d.Name)
		cp := d
		return tx.UpdateDomain(&cp)
	})
	if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) {
		v.a.log.Error("domain verifier: update domain", "domain", d.Name, "err", err)
	}
	if err == nil {
		v.a.events.domainChanged(was, d)
	}
	return err == nil
}

// verifyDomain runs acme.Verify for d with the settings in the store.
func (a *Appliance) verifyDomain(ctx context.Context, d store.Domain) (acme.Report, error) {
	s, err := a.currentSettings()
	if err != nil {
		return acme.Report{}, fmt.Errorf("read settings: %w", err)
	}
	target := s.CNAMETarget
	if target == "" && s.BaseDomain != "" {
		target = d.Tenant + "." + s.BaseDomain
	}
	in := acme.VerifyInput{Domain: d.Name, CNAMETarget: target, PublicIPs: s.PublicIPs, Token: d.Token,
		Resolver: s.DNSResolver, CAIdentity: acme.CAIdentity(s.ACMEDirectory),
		HTTPPort: s.SelfTestPort, Timeout: 3 * time.Second}
	if p := a.verifier.timing.HTTPPort; p != 0 { // tests' override
		in.HTTPPort = p
	}
	if a.opts.HTTPAddr != "" {
		in.Nonce = a.selfTest.Nonce()
	}
	return acme.Verify(ctx, in), nil
}
