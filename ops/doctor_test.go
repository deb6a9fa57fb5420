package ops

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// acmeServer is a local HTTPS server on 127.0.0.1 that answers an ACME
// directory at /dir, and the PEM of its certificate.
func acmeServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dir" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"newNonce":"https://x/nonce","newAccount":"https://x/acct","newOrder":"https://x/order"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted test's refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// acmeDoctor runs the ACME check alone with the given settings.
func acmeDoctor(settings map[string]string) DoctorCheck {
	d := &doctor{opts: DoctorOptions{ACMETimeout: 5 * time.Second, Now: time.Now}, settings: settings}
	d.acme(context.Background())
	return d.checks[0]
}

// Ensure that the ACME check passes against a directory that answers,
// trusting it through the acme-roots setting, and keeps its Date header
// for the clock check.
func TestDoctorACMEReachable(t *testing.T) {
	srv, rootPEM := acmeServer(t)
	d := &doctor{opts: DoctorOptions{ACMETimeout: 5 * time.Second, Now: time.Now},
		settings: map[string]string{"acme-directory": srv.URL + "/dir", "acme-roots": rootPEM}}
	d.acme(context.Background())
	if c := d.checks[0]; c.Level != LevelOK || !strings.Contains(c.Detail, "answers") {
		t.Fatalf("check = %+v, want ok", c)
	}
	if d.acmeDate.IsZero() || time.Since(d.acmeDate) > time.Minute {
		t.Errorf("acmeDate = %v, want the server's Date", d.acmeDate)
	}
}

// Ensure that a closed port fails with one plain sentence naming the host,
// not a stack of wrapped errors.
func TestDoctorACMEClosedPort(t *testing.T) {
	addr := closedPort(t)
	c := acmeDoctor(map[string]string{"acme-directory": "https://" + addr + "/dir"})
	want := "cannot reach " + addr + ": connection refused - nothing listens there"
	if c.Level != LevelFail || c.Detail != want {
		t.Fatalf("check = %+v, want fail %q", c, want)
	}
	if c.Hint == "" {
		t.Error("no hint")
	}
}

// Ensure that network failures read as plain sentences: a DNS failure and
// an unreachable network say the box has no outbound network.
func TestExplainNetError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"dns", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "acme.test"}},
			"cannot reach acme.test: DNS failure - this box has no outbound network (or a firewall blocks it)"},
		{"no route", &net.OpError{Op: "dial", Err: errnoErr("ENETUNREACH")},
			"cannot reach acme.test: no route - this box has no outbound network (or a firewall blocks it)"},
		{"timeout", context.DeadlineExceeded,
			"cannot reach acme.test: no answer in time - this box has no outbound network (or a firewall blocks it)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, hint := explainNetError("acme.test", c.err)
			if got != c.want || hint == "" {
				t.Errorf("explainNetError = %q (hint %q), want %q", got, hint, c.want)
			}
		})
	}
}

// Ensure that a directory whose certificate is not trusted says so and
// points at acme-roots.
func TestDoctorACMEUntrusted(t *testing.T) {
	srv, _ := acmeServer(t)
	c := acmeDoctor(map[string]string{"acme-directory": srv.URL + "/dir"})
	if c.Level != LevelFail || !strings.HasPrefix(c.Detail, "cannot trust 127.0.0.1:") || !strings.Contains(c.Hint, "acme-roots") {
		t.Fatalf("check = %+v, want fail: cannot trust, with an acme-roots hint", c)
	}
}

// Ensure that the ACME check is skipped, as ok, with the internal CA on or
// no directory set, and never fetches anything then.
func TestDoctorACMESkipped(t *testing.T) {
	for _, s := range []map[string]string{
		{"internal-ca": "on", "acme-directory": "https://" + closedPort(t) + "/dir"},
		{"acme-directory": ""},
	} {
		if c := acmeDoctor(s); c.Level != LevelOK || !strings.HasPrefix(c.Detail, "skipped:") {
			t.Errorf("settings %v: check = %+v, want skipped", s, c)
		}
	}
}

// Ensure that the disk thresholds are 10% (warn) and 2% (fail).
func TestDiskLevel(t *testing.T) {
	cases := []struct {
		free uint64
		want Level
	}{{50, LevelOK}, {10, LevelOK}, {9, LevelWarn}, {2, LevelWarn}, {1, LevelFail}, {0, LevelFail}}
	for _, c := range cases {
		if got, detail := DiskLevel(Disk{Total: 100 << 30, Free: c.free << 30}); got != c.want {
			t.Errorf("%d%% free: %s (%s), want %s", c.free, got, detail, c.want)
		}
	}
	if got, _ := DiskLevel(Disk{}); got != LevelWarn {
		t.Errorf("no size: %s, want warn", got)
	}
}

// Ensure that retention is judged against the room logs.db has: its own
// size plus the free space.
func TestRetentionLevel(t *testing.T) {
	cases := []struct {
		mb, logs, free uint64
		want           Level
	}{
		{0, 0, 1 << 40, LevelWarn},              // no bound
		{1024, 0, 10 << 30, LevelOK},            // 1 GiB of 10
		{1024, 0, 1500 << 20, LevelWarn},        // over half
		{1024, 0, 512 << 20, LevelFail},         // more than the room
		{1024, 900 << 20, 200 << 20, LevelWarn}, // logs.db reuses its own pages
	}
	for _, c := range cases {
		if got, detail := RetentionLevel(c.mb, c.logs, c.free); got != c.want {
			t.Errorf("%d MB, logs %d, free %d: %s (%s), want %s", c.mb, c.logs, c.free, got, detail, c.want)
		}
	}
}

// Ensure that certificates warn under 14 days and fail under 3, and that
// an imported one says foyer does not renew it.
func TestCertLevel(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		left   time.Duration
		source string
		want   Level
		hint   string
	}{
		{30 * day, "imported", LevelOK, ""},
		{13 * day, "imported", LevelWarn, "does not renew"},
		{2 * day, "imported", LevelFail, "does not renew"},
		{-day, "imported", LevelFail, "does not renew"},
		{10 * day, "acme", LevelWarn, "renews it on its own"},
	}
	for _, c := range cases {
		l, detail, hint := certLevel(api.Cert{Name: "a.test", Names: []string{"a.test"}, Source: c.source, NotAfter: now.Add(c.left)}, now)
		if l != c.want || !strings.Contains(hint, c.hint) {
			t.Errorf("%s %s: %s %q (hint %q), want %s with %q", c.source, c.left, l, detail, hint, c.want, c.hint)
		}
	}
}

// Ensure that domains are judged by state with their own hint: failed
// fails, moved warns, pending_dns warns only after an hour.
func TestDomainLevel(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		d    api.Domain
		want Level
	}{
		{api.Domain{Name: "a.test", State: "active"}, LevelOK},
		{api.Domain{Name: "a.test", State: "failed", Reason: "CAA forbids the CA", Hint: "add a CAA record"}, LevelFail},
		{api.Domain{Name: "a.test", State: "moved"}, LevelWarn},
		{api.Domain{Name: "a.test", State: "pending_dns", Created: now.Add(-time.Minute)}, LevelOK},
		{api.Domain{Name: "a.test", State: "pending_dns", Created: now.Add(-2 * time.Hour)}, LevelWarn},
	}
	for _, c := range cases {
		l, detail, hint := domainLevel(c.d, now)
		if l != c.want {
			t.Errorf("%s: %s %q, want %s", c.d.State, l, detail, c.want)
		}
		if c.d.Hint != "" && hint != c.d.Hint {
			t.Errorf("%s: hint %q, want the domain's own %q", c.d.State, hint, c.d.Hint)
		}
	}
}

// Ensure that the text report prints a line per check, the hint of a
// check that is not ok, and the counts.
func TestWriteDoctorReport(t *testing.T) {
	var b bytes.Buffer
	err := WriteDoctorReport(&b, DoctorReport{Checks: []DoctorCheck{
		{Name: "daemon", Level: LevelOK, Detail: "up", Hint: "never shown"},
		{Name: "disk", Level: LevelFail, Detail: "1% free", Hint: "free space"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"ok    daemon  up\n", "fail  disk    1% free\n", "hint: free space\n", "1 ok, 0 warn, 1 fail\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "never shown") {
		t.Errorf("report shows an ok check's hint:\n%s", out)
	}
}

// errnoErr returns the syscall error named, for building network errors.
func errnoErr(name string) error {
	switch name {
	case "ENETUNREACH":
		return syscall.ENETUNREACH
	}
	return syscall.EINVAL
}

// Ensure that obtained certificates are judged against their own
// lifetime (renewal overdue warns) and imported ones by days left.
func TestCertLevelByLifetime(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cert := func(src string, life, left time.Duration) api.Cert {
		return api.Cert{Name: "x.test", Names: []string{"x.test"}, Source: src,
			NotBefore: now.Add(left - life), NotAfter: now.Add(left)}
	}
	for _, c := range []struct {
		name string
		cert api.Cert
		want Level
	}{
		{"fresh internal 7-day leaf", cert("internal", 7*day, 7*day-time.Hour), LevelOK},
		{"internal, renewal a day overdue", cert("internal", 7*day, day), LevelWarn},
		{"internal, half a day left", cert("internal", 7*day, 12*time.Hour), LevelFail},
		{"acme 90 days, 45 left", cert("acme", 90*day, 45*day), LevelOK},
		{"acme 90 days, 20 left", cert("acme", 90*day, 20*day), LevelWarn},
		{"acme 90 days, 2 left", cert("acme", 90*day, 2*day), LevelFail},
		{"imported, 20 days left", cert("imported", 365*day, 20*day), LevelOK},
		{"imported, 10 days left", cert("imported", 365*day, 10*day), LevelWarn},
		{"imported, 2 days left", cert("imported", 365*day, 2*day), LevelFail},
	} {
		if got, _, _ := certLevel(c.cert, now); got != c.want {
			t.Errorf("%s: level %v, want %v", c.name, got, c.want)
		}
	}
}
