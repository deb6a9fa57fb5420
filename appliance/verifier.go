package appliance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/foyerhq/foyer/acme"
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
	HTTPPort int           // the HTTP self-test's port; default 80
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
	for _, d := range ds {
		if ctx.Err() != nil {
			return
		}
		switch d.State {
		case store.DomainPendingDNS:
			if v.due(d.Name) {
				v.checkPending(ctx, d)
			}
		case store.DomainVerified, store.DomainIssuing:
			v.issue(ctx, d)
		case store.DomainActive:
			if v.due(d.Name) {
				v.checkActive(ctx, d)
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
	}
	v.set(ctx, d)
}

// checkActive moves an active domain that no longer points here to moved.
func (v *verifier) checkActive(ctx context.Context, d store.Domain) {
	v.after(d.Name, v.timing.Recheck)
	rep, err := v.a.verifyDomain(ctx, d)
	if err != nil || rep.Verified {
		return
	}
	failed, _ := rep.Failed()
	d.State, d.Reason = store.DomainMoved, "no longer points here: "+failed.Detail
	d.Hint = failed.Hint + "; renewals pause until it points here again"
	v.set(ctx, d)
}

// set writes d's state, reason and hint; false if it failed (the domain
// was removed meanwhile, or the store is closing).
func (v *verifier) set(ctx context.Context, d store.Domain) bool {
	err := v.a.opts.Store.Update(ctx, verifierActor, func(tx store.Tx) error {
		cp := d
		return tx.UpdateDomain(&cp)
	})
	if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) {
		v.a.log.Error("domain verifier: update domain", "domain", d.Name, "err", err)
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
		HTTPPort: a.verifier.timing.HTTPPort, Timeout: 3 * time.Second}
	if a.opts.HTTPAddr != "" {
		in.Nonce = a.selfTest.Nonce()
	}
	return acme.Verify(ctx, in), nil
}
