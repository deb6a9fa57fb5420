package appliance

import (
	"context"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// checkDomain is `foyer domain check` (admin Options.CheckDomain): it runs
// the checks live and moves the domain: to verified when they pass (the
// verifier then obtains its certificate at once), to failed when a CAA
// record forbids the CA, and back to pending_dns with the failed check's
// reason and hint when it was failed or moved. The admin server fills in
// the domain as it is afterwards.
func (a *Appliance) checkDomain(ctx context.Context, name string) (api.DomainCheck, error) {
	d, err := a.opts.Store.Domain(ctx, name)
	if err != nil {
		return api.DomainCheck{}, err
	}
	rep, err := a.verifyDomain(ctx, d)
	if err != nil {
		return api.DomainCheck{}, err
	}
	out := api.DomainCheck{Resolver: rep.Resolver, Verified: rep.Verified && !rep.CAARefused}
	for _, c := range rep.Checks {
		out.Checks = append(out.Checks, api.CheckLine{Name: c.Name, OK: c.OK, Detail: c.Detail, Hint: c.Hint})
	}
	if next, ok := afterCheck(d, rep); ok {
		a.verifier.forget(d.Name)
		if a.verifier.set(ctx, next) {
			a.verifier.nudge()
		}
	}
	return out, nil
}

// afterCheck is d's next state after a manual check, and whether it changes.
func afterCheck(d store.Domain, rep acme.Report) (store.Domain, bool) {
	failed, _ := rep.Failed()
	next := d
	switch {
	case d.State == store.DomainSuspended:
		return d, false
	case rep.CAARefused:
		next.State, next.Reason, next.Hint = store.DomainFailed, "CAA forbids the CA: "+failed.Detail, failed.Hint
	case rep.Verified:
		switch d.State {
		case store.DomainPendingDNS, store.DomainFailed, store.DomainMoved:
			next.State, next.Reason, next.Hint = store.DomainVerified, verifiedReason(rep), ""
		default:
			return d, false
		}
	case d.State == store.DomainPendingDNS || d.State == store.DomainFailed || d.State == store.DomainMoved:
		next.State, next.Reason, next.Hint = store.DomainPendingDNS, failed.Detail, failed.Hint
	default:
		return d, false
	}
	return next, next != d
}
