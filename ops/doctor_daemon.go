package ops

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Thresholds of the certificate and clock checks.
const (
	certWarn  = 14 * 24 * time.Hour // a certificate closer to expiry warns
	certFail  = 3 * 24 * time.Hour  // and closer than this fails
	clockWarn = 30 * time.Second    // clocks further apart warn
	// pendingWarn is how long a domain may wait for DNS before doctor
	// mentions it: DNS changes take minutes, not hours.
	pendingWarn = time.Hour
)

// daemon checks that the daemon answers on its socket and that its
// listeners are bound (GET /v1/status).
func (d *doctor) daemon(ctx context.Context) {
	st, err := d.opts.Client.Status(ctx)
	d.localAt = d.opts.Now()
	if err != nil {
		hint := "start it with `foyer serve` (or `systemctl start foyer`), or point at its data directory with --data DIR"
		var ue *api.UnreachableError
		if errors.As(err, &ue) {
			hint = ue.Hint()
		}
		d.add("daemon", LevelFail, err.Error()+"; running the offline checks only", hint)
		return
	}
	d.up, d.status = true, st
	d.add("daemon", LevelOK, fmt.Sprintf("foyer %s answers at %s, up %s", orUnknown(st.Version), d.opts.Client.Socket(),
		(time.Duration(st.UptimeSeconds)*time.Second).String()), "")
	d.listeners(st)
	if set, err := d.opts.Client.Settings(ctx); err == nil {
		d.settings = map[string]string{}
		for _, s := range set {
			d.settings[s.Key] = s.Value
		}
	}
}

// listeners checks that http, https and ops are bound and the route table
// is current.
func (d *doctor) listeners(st api.Status) {
	var bound, missing []string
	for _, name := range []string{"http", "https", "ops"} {
		if a := st.Listeners[name]; a != "" {
			bound = append(bound, name+" "+a)
		} else {
			missing = append(missing, name)
		}
	}
	switch {
	case len(missing) > 0:
		d.add("listeners", LevelWarn, "not bound: "+strings.Join(missing, ", ")+"; bound: "+orNone(strings.Join(bound, ", ")),
			"check `foyer serve`'s --http/--https/--ops flags and its log for the bind error (port 80/443 in use, or no CAP_NET_BIND_SERVICE)")
	case st.TableError != "":
		d.add("listeners", LevelWarn, "bound ("+strings.Join(bound, ", ")+"), but the newest configuration does not build: "+st.TableError,
			"the previous route table stays in service; fix the change that `foyer status` names")
	default:
		d.add("listeners", LevelOK, strings.Join(bound, ", "), "")
	}
}

// storeCheck checks the store's files: through the daemon when it runs
// (GET /v1/check), else offline.
func (d *doctor) storeCheck(ctx context.Context) {
	var files []api.FileCheck
	var err error
	switch {
	case d.up:
		var sc api.StoreCheck
		sc, err = d.opts.Client.CheckStore(ctx)
		files = sc.Files
	case d.opts.OfflineCheck != nil:
		files, err = d.opts.OfflineCheck(ctx)
	default:
		d.add("store", LevelWarn, "not checked: the daemon is down and no offline check was given", "run `foyer store check`")
		return
	}
	if err != nil {
		d.add("store", LevelFail, "the check did not run: "+err.Error(), hintOf(err, "run `foyer store check` with foyer stopped"))
		return
	}
	d.addFiles(files)
}

// addFiles turns file checks into report lines.
func (d *doctor) addFiles(files []api.FileCheck) {
	for _, f := range files {
		switch {
		case f.Skipped != "":
			d.add("store", LevelWarn, f.Path+": not checked: "+f.Skipped, "")
		case len(f.Problems) > 0:
			d.add("store", LevelFail, fmt.Sprintf("%s: %d problem(s): %s", f.Path, len(f.Problems), strings.Join(f.Problems, "; ")),
				"restore foyer.db from a backup (`foyer restore`); logs.db is disposable: with foyer stopped, delete it")
		default:
			d.add("store", LevelOK, fmt.Sprintf("%s: sound, %d records read", f.Path, f.Records), "")
		}
	}
}

// domains reports every domain whose state needs a person: failed fails,
// moved and expiring warn, and so does a domain waiting for DNS for long.
func (d *doctor) domains(ctx context.Context) {
	ds, err := d.opts.Client.Domains(ctx, "")
	if err != nil {
		d.add("domains", LevelWarn, "cannot list domains: "+err.Error(), hintOf(err, ""))
		return
	}
	fine := 0
	for _, dom := range ds {
		l, detail, hint := domainLevel(dom, d.opts.Now())
		if l == LevelOK {
			fine++
			continue
		}
		d.add("domain "+dom.Name, l, detail, hint)
	}
	if fine == len(ds) {
		d.add("domains", LevelOK, fmt.Sprintf("%d domain(s), none stuck", len(ds)), "")
	} else if fine > 0 {
		d.add("domains", LevelOK, fmt.Sprintf("%d other domain(s) fine", fine), "")
	}
}

// domainLevel judges one domain by its state, with its own reason and hint.
func domainLevel(dom api.Domain, now time.Time) (Level, string, string) {
	why := dom.State
	if dom.Reason != "" {
		why += ": " + dom.Reason
	}
	hint := dom.Hint
	switch dom.State {
	case "failed":
		return LevelFail, why, orDefault(hint, "fix what the reason says, then `foyer domain check "+dom.Name+"`")
	case "moved":
		return LevelWarn, why + " (renewals paused)", orDefault(hint, "point its DNS here again, or remove it with `foyer domain rm "+dom.Name+"`")
	case "expiring":
		return LevelWarn, why, orDefault(hint, "see `foyer cert list`; renewal retries on its own")
	case "pending_dns":
		if since := now.Sub(dom.Created); since > pendingWarn {
			return LevelWarn, fmt.Sprintf("%s for %s", why, since.Round(time.Minute)),
				orDefault(hint, "set the DNS record `foyer domain list` shows, then `foyer domain check "+dom.Name+"`")
		}
	}
	return LevelOK, why, ""
}

// certs reports every certificate near expiry (certLevel); imported ones
// say that foyer does not renew them.
func (d *doctor) certs(ctx context.Context) {
	cs, err := d.opts.Client.Certs(ctx)
	if err != nil {
		d.add("certs", LevelWarn, "cannot list certificates: "+err.Error(), hintOf(err, ""))
		return
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].NotAfter.Before(cs[j].NotAfter) })
	fine := 0
	for _, c := range cs {
		l, detail, hint := certLevel(c, d.opts.Now())
		if l == LevelOK {
			fine++
			continue
		}
		d.add("cert "+c.Name, l, detail, hint)
	}
	if fine == len(cs) {
		d.add("certs", LevelOK, fmt.Sprintf("%d certificate(s), none near expiry or overdue for renewal", len(cs)), "")
	} else if fine > 0 {
		d.add("certs", LevelOK, fmt.Sprintf("%d other certificate(s) fine", fine), "")
	}
}

// certLevel judges one certificate by the time it has left. An imported
// one warns under 14 days and fails under 3 (foyer does not renew it). An
// obtained one is judged against its own lifetime, since foyer renews it
// once a third of it is left (the internal CA's leaves live 7 days): it
// warns when that point is more than a day past (renewal overdue), and
// fails under a tenth of its lifetime or 3 days, whichever is less.
func certLevel(c api.Cert, now time.Time) (Level, string, string) {
	left := c.NotAfter.Sub(now)
	warn, fail := certWarn, certFail
	if life := c.NotAfter.Sub(c.NotBefore); c.Source != "imported" && life > 0 {
		warn = life/3 - 24*time.Hour
		fail = min(life/10, certFail)
	}
	l := LevelOK
	switch {
	case left < fail:
		l = LevelFail
	case left < warn:
		l = LevelWarn
	default:
		return LevelOK, "", ""
	}
	when := "expires in " + roughDuration(left)
	if left <= 0 {
		when = "expired " + roughDuration(-left) + " ago"
	}
	detail := fmt.Sprintf("%s (%s) %s, on %s", c.Source, strings.Join(c.Names, ", "), when, c.NotAfter.UTC().Format(time.DateOnly))
	if c.Source == "imported" {
		return l, detail, "foyer does not renew imported certificates: get a new one and `foyer cert add " + c.Name + " --cert FILE --key FILE`"
	}
	return l, detail + "; renewal: " + orUnknown(c.Renewal),
		"foyer renews it on its own; if it has not, see the domain's state (`foyer domain list`) and the daemon's log"
}

// clock compares the local clock with the daemon's (its status's start
// plus uptime) and the ACME directory's Date header.
func (d *doctor) clock() {
	var notes []string
	worst := time.Duration(0)
	if !d.status.Started.IsZero() {
		daemonNow := d.status.Started.Add(time.Duration(d.status.UptimeSeconds * float64(time.Second)))
		off := d.localAt.Sub(daemonNow)
		worst = max(worst, abs(off))
		notes = append(notes, "daemon "+signed(off))
	}
	if !d.acmeDate.IsZero() {
		off := d.localAt.Sub(d.acmeDate)
		// Date has whole seconds: an offset under a second is noise.
		worst = max(worst, abs(off)-time.Second)
		notes = append(notes, "ACME directory "+signed(off))
	}
	if len(notes) == 0 {
		d.add("clock", LevelOK, "nothing to compare with", "")
		return
	}
	detail := "local clock vs " + strings.Join(notes, ", ")
	if worst > clockWarn {
		d.add("clock", LevelWarn, detail, "run a time service (systemd-timesyncd, chrony): certificates look not yet valid or expired to a skewed clock")
		return
	}
	d.add("clock", LevelOK, detail, "")
}

// hintOf returns the hint an error carries (the daemon's or the store's),
// else def.
func hintOf(err error, def string) string {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Hint != "" {
		return ae.Hint
	}
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		return h.Hint()
	}
	return def
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// signed writes an offset as "+1.5s ahead" or "2s behind".
func signed(d time.Duration) string {
	d = d.Round(100 * time.Millisecond)
	switch {
	case d > 0:
		return d.String() + " ahead"
	case d < 0:
		return (-d).String() + " behind"
	}
	return "in step"
}

// roughDuration is a duration in days and hours, or minutes when short.
func roughDuration(d time.Duration) string {
	if d < time.Hour {
		return d.Round(time.Minute).String()
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if days == 0 {
		return fmt.Sprintf("%dh", hours)
	}
	return fmt.Sprintf("%dd %dh", days, hours)
}

func orUnknown(s string) string { return orDefault(s, "unknown") }
func orNone(s string) string    { return orDefault(s, "none") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
