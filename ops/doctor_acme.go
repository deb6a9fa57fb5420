package ops

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// acme checks that the ACME directory in the acme-directory setting
// answers, unless foyer's internal CA is on or no directory is set.
func (d *doctor) acme(ctx context.Context) {
	dir := d.settings["acme-directory"]
	switch on := d.settings["internal-ca"]; {
	case on == "on" || on == "true":
		d.add("acme", LevelOK, "skipped: internal-ca is on, certificates come from foyer's own CA", "")
		return
	case dir == "":
		d.add("acme", LevelOK, "skipped: no acme-directory is set (imported certificates only)", "")
		return
	}
	hc := d.opts.HTTP
	if hc == nil {
		var err error
		if hc, err = acmeClient(d.settings["acme-roots"], d.opts.ACMETimeout); err != nil {
			d.add("acme", LevelFail, err.Error(), "fix the acme-roots setting: `foyer settings set acme-roots \"$(cat ca.pem)\"`")
			return
		}
	}
	res := FetchDirectory(ctx, hc, dir)
	d.acmeDate = res.Date
	if res.Err != "" {
		d.add("acme", LevelFail, res.Err, res.Hint)
		return
	}
	d.add("acme", LevelOK, fmt.Sprintf("%s answers (%s)", dir, res.Elapsed.Round(time.Millisecond)), "")
}

// acmeClient is an HTTP client with timeout that trusts the system roots
// plus the PEM roots of the acme-roots setting.
func acmeClient(rootsPEM string, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the daemon does not use a proxy either
	if rootsPEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(rootsPEM)) {
			return nil, errors.New("the acme-roots setting holds no PEM certificate")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// DirectoryResult is what fetching an ACME directory found.
type DirectoryResult struct {
	Date    time.Time     // the answer's Date header; zero without an answer
	Elapsed time.Duration // how long the fetch took
	// Err is one plain line when the directory did not answer as one
	// should, with Hint saying what to do; empty when it did.
	Err, Hint string
}

// FetchDirectory GETs an ACME directory with hc (whose Timeout bounds it)
// and checks that it answers 200 with a JSON object naming newOrder. A
// network failure becomes one plain sentence (no route, DNS failure,
// refused, timed out, certificate not trusted) instead of a stack of
// wrapped errors.
func FetchDirectory(ctx context.Context, hc *http.Client, dirURL string) DirectoryResult {
	start := time.Now()
	u, err := url.Parse(dirURL)
	if err != nil || u.Host == "" {
		return DirectoryResult{Err: fmt.Sprintf("acme-directory %q is not a URL", dirURL), Hint: "`foyer settings set acme-directory https://...`"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dirURL, nil)
	if err != nil {
		return DirectoryResult{Err: err.Error()}
	}
	resp, err := hc.Do(req)
	res := DirectoryResult{Elapsed: time.Since(start)}
	if err != nil {
		res.Err, res.Hint = explainNetError(u.Host, err)
		return res
	}
	defer resp.Body.Close()
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		res.Date = t
	}
	if resp.StatusCode != http.StatusOK {
		res.Err = fmt.Sprintf("%s answered %s, not an ACME directory", u.Host, resp.Status)
		res.Hint = "check the acme-directory URL (it ends in /directory for Let's Encrypt)"
		return res
	}
	var dir struct {
		NewOrder string `json:"newOrder"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&dir); err != nil || dir.NewOrder == "" {
		res.Err = fmt.Sprintf("%s answered, but not with an ACME directory (no newOrder)", u.Host)
		res.Hint = "check the acme-directory URL"
	}
	return res
}

// explainNetError turns a failed fetch into one sentence and a hint.
func explainNetError(host string, err error) (msg, hint string) {
	const closed = "this box has no outbound network (or a firewall blocks it)"
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var uaErr x509.UnknownAuthorityError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot reach %s: DNS failure - %s", host, closed),
			"check /etc/resolv.conf and outbound DNS (port 53); on a closed network set internal-ca on or import certificates"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Sprintf("cannot reach %s: no route - %s", host, closed),
			"open outbound HTTPS (port 443) to the CA, or set internal-ca on / import certificates"
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot reach %s: connection refused - nothing listens there", host),
			"check the acme-directory URL and that the CA (or its proxy) is up"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("cannot reach %s: no answer in time - %s", host, closed),
			"open outbound HTTPS (port 443) to the CA, or set internal-ca on / import certificates"
	case errors.As(err, &certErr) || errors.As(err, &uaErr):
		return fmt.Sprintf("cannot trust %s: its certificate is not signed by a known root", host),
			"for a private CA, give its root: `foyer settings set acme-roots \"$(cat root.pem)\"`"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return fmt.Sprintf("cannot reach %s: %v", host, op.Err), "check the box's outbound network"
	}
	if u := errors.Unwrap(err); u != nil {
		err = u // drop url.Error's "Get <url>:" prefix
	}
	return fmt.Sprintf("cannot reach %s: %v", host, err), "check the box's outbound network"
}

// isTimeout reports a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
