package appliance

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/traffic"
)

// serveMetrics is the ops listener's GET /metrics: the Prometheus text
// format (version 0.0.4) of the per-tenant series (traffic.Live), the
// upstreams' health, the certificates' expiry, every metrics set
// registered with the VictoriaMetrics library, and the process and Go
// runtime. docs/observability.md lists every series.
func (a *Appliance) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	a.live.WritePrometheus(bw)
	a.writeUpstreamUp(bw)
	a.writeCertExpiry(bw)
	traffic.WriteRegistered(bw) // sets registered with the library (the access log's), process and Go runtime
}

// writeUpstreamUp writes foyer_upstream_up{tenant,backend}: 1 while the
// backend is healthy by the balancer's checks (active and passive), 0
// when unhealthy or ejected. Only tenants with their own label have the
// series (a gauge cannot be folded into _other).
func (a *Appliance) writeUpstreamUp(w *bufio.Writer) {
	t := a.proxy.Table()
	if t == nil {
		return
	}
	w.WriteString("# TYPE foyer_upstream_up gauge\n")
	for _, tn := range t.Tenants() {
		label := a.live.TenantLabel(tn.Slug)
		if label == traffic.LabelOther {
			continue
		}
		for _, p := range tn.Pools() {
			for _, b := range p.Backends {
				up := "1"
				if h, ok := a.proxy.Health(b.ID); ok && h.State != balance.Healthy {
					up = "0"
				}
				w.WriteString(`foyer_upstream_up{tenant="` + label + `",pool="` + escapeLabel(p.Name) +
					`",backend="` + escapeLabel(b.URL.String()) + `"} ` + up + "\n")
			}
		}
	}
}

// writeCertExpiry writes foyer_certificate_expiry_timestamp_seconds{name,
// source}: when each certificate foyer serves expires (Unix seconds):
// every imported certificate (source "imported"), and the obtained
// certificate of every custom domain that has one (source "issued", from
// the domain's recorded expiry, so a scrape reads no certificate).
// Slug hosts' certificates, obtained and renewed in handshakes, are not
// listed.
func (a *Appliance) writeCertExpiry(w *bufio.Writer) {
	certs := a.certs.Certificates()
	w.WriteString("# TYPE foyer_certificate_expiry_timestamp_seconds gauge\n")
	for _, c := range certs {
		w.WriteString(`foyer_certificate_expiry_timestamp_seconds{name="` + escapeLabel(c.Name) + `",source="` +
			escapeLabel(c.Source) + `"} ` + strconv.FormatInt(c.NotAfter.Unix(), 10) + "\n")
	}
	t := a.proxy.Table()
	if t == nil {
		return
	}
	for _, tn := range t.Tenants() {
		for _, d := range tn.Domains() {
			if d.NotAfter.IsZero() || a.certs.ImportedCovers(d.Name) {
				continue
			}
			w.WriteString(`foyer_certificate_expiry_timestamp_seconds{name="` + escapeLabel(d.Name) +
				`",source="issued"} ` + strconv.FormatInt(d.NotAfter.Unix(), 10) + "\n")
		}
	}
}

// escapeLabel escapes a Prometheus label value (backslash, quote, newline).
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
