package store

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Settings is the appliance-wide configuration. It lives in the store (not
// in flags) so a backup carries it and a change applies live.
type Settings struct {
	// BaseDomain makes <slug>.<BaseDomain> route to tenant <slug>. Empty
	// (the default) turns slug routing off.
	BaseDomain string `json:"base_domain"`
	// ReadHeaderTimeout bounds reading a request's head. Default 10s.
	ReadHeaderTimeout Duration `json:"read_header_timeout"`
	// IdleTimeout closes idle client keep-alive connections. Default 2m.
	IdleTimeout Duration `json:"idle_timeout"`
	// UpstreamDialTimeout bounds connecting to a backend. Default 5s.
	UpstreamDialTimeout Duration `json:"upstream_dial_timeout"`
	// UpstreamResponseHeaderTimeout bounds waiting for a backend's
	// response head. Default 60s.
	UpstreamResponseHeaderTimeout Duration `json:"upstream_response_header_timeout"`
	// UpstreamIdleConnsPerHost is the keep-alive pool size per backend. Default 64.
	UpstreamIdleConnsPerHost int `json:"upstream_idle_conns_per_host"`
	// ShutdownTimeout bounds draining in-flight requests on stop. Default 15s.
	ShutdownTimeout Duration `json:"shutdown_timeout"`
	// TrustedProxies lists the CIDRs whose X-Forwarded-* headers are kept.
	// Empty (the default): incoming forwarding headers are always replaced.
	TrustedProxies []string `json:"trusted_proxies"`
	// ACMEDirectory is the ACME directory URL certificates are obtained
	// from on demand. Empty (the default) turns issuance off: only
	// imported certificates are served. Setting it accepts the CA's terms
	// of service on the operator's behalf.
	ACMEDirectory string `json:"acme_directory,omitempty"`
	// ACMEEmail is the ACME account's contact address. Default empty.
	ACMEEmail string `json:"acme_email,omitempty"`
	// ACMERoots is PEM text of extra roots trusted when talking to the
	// ACME directory (a private CA). Empty (the default): the system roots.
	ACMERoots string `json:"acme_roots,omitempty"`
	// ACMEChallenges lists the challenge types offered, of "http-01" and
	// "tls-alpn-01". Empty (the default) means both.
	ACMEChallenges []string `json:"acme_challenges,omitempty"`
	// InternalCA makes foyer's own CA (kept in the store) issue the
	// certificates the on-demand gate allows, instead of ACME:
	// ACMEDirectory and the other ACME settings are then ignored. Default
	// false. See docs/domains.md, "Internal CA".
	InternalCA bool `json:"internal_ca,omitempty"`
	// TLSHandshakeTimeout bounds choosing (and, on demand, obtaining) a
	// certificate during a TLS handshake. Default 10s; zero means 10s.
	TLSHandshakeTimeout Duration `json:"tls_handshake_timeout,omitempty"`
	// DNSResolver is the host:port of the DNS server domain verification
	// asks. Empty (the default): the system's resolver.
	DNSResolver string `json:"dns_resolver,omitempty"`
	// PublicIPs are this box's public addresses, which a custom domain's
	// A/AAAA records may point at. Default empty.
	PublicIPs []string `json:"public_ips,omitempty"`
	// CNAMETarget is the host a custom domain's CNAME should point at.
	// Empty (the default): <slug>.<base_domain> of the domain's tenant.
	CNAMETarget string `json:"cname_target,omitempty"`
	// ACMEFallback lists further ACME directory URLs tried in order when
	// ACMEDirectory fails an order (CA fallback). Default empty.
	ACMEFallback []string `json:"acme_fallback,omitempty"`
	// ACMEEABKeyID and ACMEEABMACKey are the External Account Binding
	// credentials ACMEDirectory requires (ZeroSSL, some private CAs);
	// the MAC key is base64url as the CA gives it. It is a secret: the
	// API and CLI show only whether it is set. Default empty.
	ACMEEABKeyID  string `json:"acme_eab_key_id,omitempty"`
	ACMEEABMACKey string `json:"acme_eab_mac_key,omitempty"`
	// APIListen is the host:port of the HTTPS API listener, which serves
	// the admin API to bearer tokens (docs/domains.md, "Programmatic
	// onboarding"). Empty (the default) turns it off.
	APIListen string `json:"api_listen,omitempty"`
	// APIHost is the name the HTTPS API's certificate is for; the
	// issuance gate allows it. Default empty.
	APIHost string `json:"api_host,omitempty"`
	// SSHListen is the host:port of the SSH console (tui/console,
	// docs/ssh-console.md); `foyer serve --ssh ADDR` overrides it. Empty
	// (the default) turns it off.
	SSHListen string `json:"ssh_listen,omitempty"`
	// SelfTestPort is the port the HTTP self-test of domain verification
	// connects to (where foyer's HTTP listener is reachable from outside).
	// Default 80.
	SelfTestPort int `json:"self_test_port"`
	// AccessLog turns recording every request in logs.db on or off.
	// Default on. Counters and metrics are kept either way.
	AccessLogOff bool `json:"access_log_off,omitempty"`
	// LogRetentionAge, LogRetentionPerTenant and LogRetentionMB bound
	// logs.db (docs/observability.md). Defaults 168h, 1,000,000 records,
	// 1024 MB; 0 removes that bound.
	LogRetentionAge       Duration `json:"log_retention_age"`
	LogRetentionPerTenant int      `json:"log_retention_per_tenant"`
	LogRetentionMB        int      `json:"log_retention_mb"`
	// UsageRetention is how long usage rollups are kept. Default 9600h
	// (400 days).
	UsageRetention Duration `json:"usage_retention"`
	// MetricsTenantBudget is how many tenants get their own label in
	// /metrics; the rest are folded into tenant="_other". Default 1000.
	MetricsTenantBudget int `json:"metrics_tenant_budget"`
	// MaxHeaderBytes bounds a request's head (request line and headers);
	// larger ones get 431. Default 65536 (64 KiB).
	MaxHeaderBytes int `json:"max_header_bytes"`
	// MaxHeaderCount bounds the number of header lines of a request;
	// more get 431. Default 100.
	MaxHeaderCount int `json:"max_header_count"`
	// MaxURIBytes bounds a request's target (path and query); longer ones
	// get 414. Default 8192; at most MaxHeaderBytes.
	MaxURIBytes int `json:"max_uri_bytes"`
	// BodyReadTimeout and BodyMinRate bound reading a request body: it
	// must arrive within BodyReadTimeout plus one second for every
	// BodyMinRate bytes received, else the client is cut off. BodyMinRate
	// 0 makes BodyReadTimeout the longest wait for the next bytes instead.
	// Defaults 20s and 500 bytes/s.
	BodyReadTimeout Duration `json:"body_read_timeout"`
	BodyMinRate     int      `json:"body_min_rate"`
}

// DefaultSettings returns the settings of a new store.
func DefaultSettings() Settings {
	return Settings{
		ReadHeaderTimeout:             Duration(10 * time.Second),
		IdleTimeout:                   Duration(2 * time.Minute),
		UpstreamDialTimeout:           Duration(5 * time.Second),
		UpstreamResponseHeaderTimeout: Duration(60 * time.Second),
		UpstreamIdleConnsPerHost:      64,
		ShutdownTimeout:               Duration(15 * time.Second),
		TrustedProxies:                []string{},
		TLSHandshakeTimeout:           Duration(10 * time.Second),
		LogRetentionAge:               Duration(7 * 24 * time.Hour),
		LogRetentionPerTenant:         1_000_000,
		LogRetentionMB:                1024,
		UsageRetention:                Duration(400 * 24 * time.Hour),
		MetricsTenantBudget:           1000,
		SelfTestPort:                  80,
		MaxHeaderBytes:                64 << 10,
		MaxHeaderCount:                100,
		MaxURIBytes:                   8 << 10,
		BodyReadTimeout:               Duration(20 * time.Second),
		BodyMinRate:                   500,
	}
}

// SettingKey describes one key of `foyer settings`.
type SettingKey struct {
	Key string // kebab-case, as typed on the command line
	Doc string
	// Secret keys are write-only outside the store: the API and CLI show
	// only whether they are set (Shown).
	Secret bool
	get    func(*Settings) string
	set    func(*Settings, string) error
}

// Get returns the key's current value in s, as text.
func (k SettingKey) Get(s *Settings) string { return k.get(s) }

// Shown is Get for display: a Secret key's value is replaced by
// "(set)" or "".
func (k SettingKey) Shown(s *Settings) string {
	v := k.get(s)
	if k.Secret && v != "" {
		return "(set)"
	}
	return v
}

func durationKey(key, doc string, f func(*Settings) *Duration, lo, hi time.Duration) SettingKey {
	return SettingKey{Key: key, Doc: doc,
		get: func(s *Settings) string { return f(s).String() },
		set: func(s *Settings, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return invalid("settings."+key, "use a Go duration such as 10s, 1m30s or 2h", "%q is not a duration", v)
			}
			if d < lo || d > hi {
				return invalid("settings."+key, "", "must be between %s and %s, got %s", lo, hi, d)
			}
			*f(s) = Duration(d)
			return nil
		}}
}

func settingIntKey(key, doc string, f func(*Settings) *int, lo, hi int) SettingKey {
	return SettingKey{Key: key, Doc: doc,
		get: func(s *Settings) string { return strconv.Itoa(*f(s)) },
		set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < lo || n > hi {
				return invalid("settings."+key, "", "must be a whole number from %d to %d, got %q", lo, hi, v)
			}
			*f(s) = n
			return nil
		}}
}

// accessLogKey turns the access log on and off.
var accessLogKey = SettingKey{Key: "access-log",
	Doc: "on (the default): every request is recorded in logs.db; off: only counters and metrics",
	get: func(s *Settings) string {
		if s.AccessLogOff {
			return "off"
		}
		return "on"
	},
	set: func(s *Settings, v string) error {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true", "":
			s.AccessLogOff = false
		case "off", "false":
			s.AccessLogOff = true
		default:
			return invalid("settings.access-log", "use on or off", "%q is not on or off", v)
		}
		return nil
	}}

// SettingKeys is every key `foyer settings get|set` accepts, sorted by key.
var SettingKeys = func() []SettingKey {
	keys := []SettingKey{
		{Key: "base-domain", Doc: "tenants answer at <slug>.<base-domain>; empty turns that off",
			get: func(s *Settings) string { return s.BaseDomain },
			set: func(s *Settings, v string) error {
				if v == "" {
					s.BaseDomain = ""
					return nil
				}
				h, err := NormalizeHost(v)
				if err != nil {
					return invalid("settings.base-domain", "give a host name such as saas.example.com", "%v", err)
				}
				s.BaseDomain = h
				return nil
			}},
		durationKey("tls-handshake-timeout", "how long a TLS handshake may wait for its certificate (an on-demand ACME order included)",
			func(s *Settings) *Duration { return &s.TLSHandshakeTimeout }, 0, 5*time.Minute),
		acmeDirectoryKey, acmeEmailKey, acmeRootsKey, acmeChallengesKey, internalCAKey,
		acmeFallbackKey, acmeEABKeyIDKey, acmeEABMACKeyKey,
		dnsResolverKey, publicIPsKey, cnameTargetKey, apiListenKey, apiHostKey, sshListenKey,
		accessLogKey,
		limitKeys[0], limitKeys[1], limitKeys[2], limitKeys[3], limitKeys[4],
		settingIntKey("self-test-port", "port of this box's HTTP listener as the internet reaches it, for domain checks' HTTP self-test",
			func(s *Settings) *int { return &s.SelfTestPort }, 1, 65535),
		durationKey("log-retention-age", "access-log records older than this are pruned; 0s keeps them regardless of age",
			func(s *Settings) *Duration { return &s.LogRetentionAge }, 0, 10*365*24*time.Hour),
		settingIntKey("log-retention-per-tenant", "access-log records kept per tenant, the oldest pruned first; 0 means no bound",
			func(s *Settings) *int { return &s.LogRetentionPerTenant }, 0, 1_000_000_000),
		settingIntKey("log-retention-mb", "size logs.db is pruned to, in MB; 0 means no bound",
			func(s *Settings) *int { return &s.LogRetentionMB }, 0, 10_000_000),
		durationKey("usage-retention", "how long per-tenant usage rollups are kept (minutes become hours after a day, days after 30)",
			func(s *Settings) *Duration { return &s.UsageRetention }, 24*time.Hour, 100*365*24*time.Hour),
		settingIntKey("metrics-tenant-budget", "tenants with their own label in /metrics; the rest are counted as tenant=\"_other\"",
			func(s *Settings) *int { return &s.MetricsTenantBudget }, 1, 1_000_000),
		durationKey("read-header-timeout", "how long a client may take to send a request head",
			func(s *Settings) *Duration { return &s.ReadHeaderTimeout }, time.Second, 10*time.Minute),
		durationKey("idle-timeout", "how long an idle client keep-alive connection is kept",
			func(s *Settings) *Duration { return &s.IdleTimeout }, time.Second, time.Hour),
		durationKey("upstream-dial-timeout", "how long connecting to a backend may take",
			func(s *Settings) *Duration { return &s.UpstreamDialTimeout }, 100*time.Millisecond, 5*time.Minute),
		durationKey("upstream-response-header-timeout", "how long to wait for a backend's response head",
			func(s *Settings) *Duration { return &s.UpstreamResponseHeaderTimeout }, time.Second, time.Hour),
		durationKey("shutdown-timeout", "how long a stop waits for in-flight requests",
			func(s *Settings) *Duration { return &s.ShutdownTimeout }, 0, 10*time.Minute),
		settingIntKey("upstream-idle-conns-per-host", "keep-alive connections kept per backend",
			func(s *Settings) *int { return &s.UpstreamIdleConnsPerHost }, 0, 10000),
		{Key: "trusted-proxies", Doc: "comma-separated CIDRs whose X-Forwarded-* headers are kept",
			get: func(s *Settings) string { return strings.Join(s.TrustedProxies, ",") },
			set: func(s *Settings, v string) error {
				out := []string{}
				for _, p := range strings.Split(v, ",") {
					if p = strings.TrimSpace(p); p == "" {
						continue
					}
					pfx, err := netip.ParsePrefix(p)
					if err != nil {
						return invalid("settings.trusted-proxies", "give CIDRs such as 10.0.0.0/8,192.168.1.10/32", "%q is not a CIDR", p)
					}
					out = append(out, pfx.Masked().String())
				}
				s.TrustedProxies = out
				return nil
			}},
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Key < keys[j].Key })
	return keys
}()

// LookupSetting finds a key of SettingKeys.
func LookupSetting(key string) (SettingKey, error) {
	for _, k := range SettingKeys {
		if k.Key == key {
			return k, nil
		}
	}
	names := make([]string, len(SettingKeys))
	for i, k := range SettingKeys {
		names[i] = k.Key
	}
	return SettingKey{}, Errf(ErrNotFound, "key", "known keys: "+strings.Join(names, ", "), "unknown setting %q", key)
}

// Set parses value into the key's field of s, validating it.
func (k SettingKey) Set(s *Settings, value string) error { return k.set(s, value) }

// Validate checks every field of s and returns the first problem.
func (s *Settings) Validate() error {
	for _, k := range SettingKeys {
		cp := *s
		if err := k.set(&cp, k.get(s)); err != nil {
			return err
		}
	}
	if s.MaxURIBytes > s.MaxHeaderBytes {
		return invalid("settings.max-uri-bytes", "raise max-header-bytes first, or lower max-uri-bytes",
			"must be at most max-header-bytes (%d), got %d", s.MaxHeaderBytes, s.MaxURIBytes)
	}
	if s.BaseDomain != "" {
		if h, _ := NormalizeHost(s.BaseDomain); h != s.BaseDomain {
			return invalid("settings.base-domain", "", "%q is not a normalised host name", s.BaseDomain)
		}
	}
	return nil
}

// String is used only in error messages.
func (k SettingKey) String() string { return fmt.Sprintf("%s (%s)", k.Key, k.Doc) }

// The ACME keys: where certificates are obtained on demand (see
// docs/domains.md, "ACME issuance").
var (
	acmeDirectoryKey = SettingKey{Key: "acme-directory",
		Doc: "ACME directory URL for on-demand certificates (its terms are accepted); empty serves imported certificates only",
		get: func(s *Settings) string { return s.ACMEDirectory },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || u.Scheme != "https" || u.Host == "" {
					return invalid("settings.acme-directory", "give an https URL such as https://acme-v02.api.letsencrypt.org/directory", "%q is not an https URL", v)
				}
			}
			s.ACMEDirectory = v
			return nil
		}}
	acmeEmailKey = SettingKey{Key: "acme-email", Doc: "contact address of the ACME account; may be empty",
		get: func(s *Settings) string { return s.ACMEEmail },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
					return invalid("settings.acme-email", "give a bare address such as ops@example.com", "%q is not an email address", v)
				}
			}
			s.ACMEEmail = v
			return nil
		}}
	acmeRootsKey = SettingKey{Key: "acme-roots", Doc: "PEM of extra roots trusted for the ACME directory (a private CA); empty uses the system roots",
		get: func(s *Settings) string { return s.ACMERoots },
		set: func(s *Settings, v string) error {
			if strings.TrimSpace(v) == "" {
				s.ACMERoots = ""
				return nil
			}
			if _, err := ParseRoots(v); err != nil {
				return invalid("settings.acme-roots", `pass the file's text: foyer settings set acme-roots "$(cat root.pem)"`, "%v", err)
			}
			s.ACMERoots = v
			return nil
		}}
	acmeChallengesKey = SettingKey{Key: "acme-challenges", Doc: "comma-separated ACME challenges offered: http-01, tls-alpn-01; empty offers both",
		get: func(s *Settings) string { return strings.Join(s.ACMEChallenges, ",") },
		set: func(s *Settings, v string) error {
			out := []string{}
			for _, c := range strings.Split(v, ",") {
				switch c = strings.TrimSpace(c); c {
				case "":
				case "http-01", "tls-alpn-01":
					if !slices.Contains(out, c) {
						out = append(out, c)
					}
				default:
					return invalid("settings.acme-challenges", "use http-01, tls-alpn-01 or both", "unknown challenge %q", c)
				}
			}
			s.ACMEChallenges = out
			return nil
		}}
)

// internalCAKey switches issuance to foyer's own CA (docs/domains.md,
// "Internal CA").
var internalCAKey = SettingKey{Key: "internal-ca",
	Doc: "on: foyer's own CA issues certificates for the names the gate allows, and acme-directory is ignored; off (the default): ACME",
	get: func(s *Settings) string {
		if s.InternalCA {
			return "on"
		}
		return "off"
	},
	set: func(s *Settings, v string) error {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true":
			s.InternalCA = true
		case "off", "false", "":
			s.InternalCA = false
		default:
			return invalid("settings.internal-ca", "use on or off", "%q is not on or off", v)
		}
		return nil
	}}

// ParseRoots parses PEM text holding one or more CA certificates.
func ParseRoots(pemText string) ([]*x509.Certificate, error) {
	var roots []*x509.Certificate
	rest := []byte(pemText)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse root certificate: %w", err)
		}
		roots = append(roots, c)
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("no PEM CERTIFICATE block found")
	}
	return roots, nil
}

// The domain verification keys (see docs/domains.md, "Custom domains").
var (
	dnsResolverKey = SettingKey{Key: "dns-resolver",
		Doc: "host:port of the DNS server domain checks ask; empty uses the system's",
		get: func(s *Settings) string { return s.DNSResolver },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if _, err := netip.ParseAddrPort(v); err != nil {
					return invalid("settings.dns-resolver", "give an IP and port such as 1.1.1.1:53 or [2606:4700::1111]:53", "%q is not an IP:port", v)
				}
			}
			s.DNSResolver = v
			return nil
		}}
	publicIPsKey = SettingKey{Key: "public-ips",
		Doc: "comma-separated public IP addresses of this box, for custom domains' A/AAAA records",
		get: func(s *Settings) string { return strings.Join(s.PublicIPs, ",") },
		set: func(s *Settings, v string) error {
			var out []string
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				ip, err := netip.ParseAddr(p)
				if err != nil || ip.Zone() != "" {
					return invalid("settings.public-ips", "give addresses such as 203.0.113.7,2001:db8::7", "%q is not an IP address", p)
				}
				if s := ip.Unmap().String(); !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			s.PublicIPs = out
			return nil
		}}
	cnameTargetKey = SettingKey{Key: "cname-target",
		Doc: "host custom domains' CNAME records point at; empty means <slug>.<base-domain>",
		get: func(s *Settings) string { return s.CNAMETarget },
		set: func(s *Settings, v string) error {
			if v = strings.TrimSpace(v); v == "" {
				s.CNAMETarget = ""
				return nil
			}
			h, err := NormalizeHost(v)
			if err != nil {
				return invalid("settings.cname-target", "give a host name such as edge.saas.example.com", "%v", err)
			}
			s.CNAMETarget = h
			return nil
		}}
)

// httpsURL checks one ACME directory URL.
func httpsURL(key, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return invalid("settings."+key, "give an https URL such as https://acme-v02.api.letsencrypt.org/directory", "%q is not an https URL", v)
	}
	return nil
}

// The CA fallback and External Account Binding keys (docs/domains.md,
// "ACME issuance").
var (
	acmeFallbackKey = SettingKey{Key: "acme-fallback",
		Doc: "comma-separated ACME directory URLs tried in order when acme-directory fails an order",
		get: func(s *Settings) string { return strings.Join(s.ACMEFallback, ",") },
		set: func(s *Settings, v string) error {
			var out []string
			for _, d := range strings.Split(v, ",") {
				if d = strings.TrimSpace(d); d == "" {
					continue
				}
				if err := httpsURL("acme-fallback", d); err != nil {
					return err
				}
				if !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
			s.ACMEFallback = out
			return nil
		}}
	acmeEABKeyIDKey = SettingKey{Key: "acme-eab-key-id",
		Doc: "External Account Binding key ID acme-directory requires (ZeroSSL, some private CAs); set acme-eab-mac-key with it",
		get: func(s *Settings) string { return s.ACMEEABKeyID },
		set: func(s *Settings, v string) error {
			s.ACMEEABKeyID = strings.TrimSpace(v)
			return nil
		}}
	acmeEABMACKeyKey = SettingKey{Key: "acme-eab-mac-key", Secret: true,
		Doc: "External Account Binding MAC key (base64url, as the CA gives it); shown only as (set)",
		get: func(s *Settings) string { return s.ACMEEABMACKey },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if _, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "=")); err != nil {
					return invalid("settings.acme-eab-mac-key", "paste the MAC key exactly as the CA shows it (base64url)", "the value is not base64url")
				}
			}
			s.ACMEEABMACKey = v
			return nil
		}}
)

// The HTTPS API keys (docs/domains.md, "Programmatic onboarding"), and
// the SSH console's (docs/ssh-console.md).
var (
	sshListenKey = SettingKey{Key: "ssh-listen",
		Doc: "host:port of the SSH console (foyer ssh-key add; docs/ssh-console.md); empty (the default) turns it off; foyer serve --ssh overrides it",
		get: func(s *Settings) string { return s.SSHListen },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if err := checkListenAddr("ssh-listen", ":2222", v); err != nil {
				return err
			}
			s.SSHListen = v
			return nil
		}}
	apiListenKey = SettingKey{Key: "api-listen",
		Doc: "host:port of the HTTPS API for bearer tokens (foyer token create); empty (the default) turns it off",
		get: func(s *Settings) string { return s.APIListen },
		set: func(s *Settings, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				host, port, err := net.SplitHostPort(v)
				if err != nil {
					return invalid("settings.api-listen", "give host:port such as :8443 or 127.0.0.1:8443", "%q is not host:port", v)
				}
				if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
					return invalid("settings.api-listen", "give a port from 0 to 65535", "%q has no valid port", v)
				}
				if host != "" {
					if _, err := netip.ParseAddr(host); err != nil {
						return invalid("settings.api-listen", "give an IP address or nothing before the colon", "%q is not an IP address", host)
					}
				}
			}
			s.APIListen = v
			return nil
		}}
	apiHostKey = SettingKey{Key: "api-host",
		Doc: "host name of the HTTPS API, which its certificate is issued for; empty: clients must accept an imported certificate",
		get: func(s *Settings) string { return s.APIHost },
		set: func(s *Settings, v string) error {
			if v = strings.TrimSpace(v); v == "" {
				s.APIHost = ""
				return nil
			}
			h, err := NormalizeHost(v)
			if err != nil {
				return invalid("settings.api-host", "give a host name such as api.saas.example.com", "%v", err)
			}
			s.APIHost = h
			return nil
		}}
)

// The request limits (docs/operating.md, "Limits"), read when the
// listeners start.
var limitKeys = []SettingKey{
	settingIntKey("max-header-bytes", "largest request head (request line and headers) in bytes; larger gets 431",
		func(s *Settings) *int { return &s.MaxHeaderBytes }, 4<<10, 1<<20),
	settingIntKey("max-header-count", "most header lines a request may carry; more gets 431",
		func(s *Settings) *int { return &s.MaxHeaderCount }, 10, 10000),
	settingIntKey("max-uri-bytes", "longest request target (path and query) in bytes, at most max-header-bytes; longer gets 414",
		func(s *Settings) *int { return &s.MaxURIBytes }, 256, 1<<20),
	durationKey("body-read-timeout", "time a request body may take, plus a second per body-min-rate bytes received; then the client is cut off",
		func(s *Settings) *Duration { return &s.BodyReadTimeout }, time.Second, time.Hour),
	settingIntKey("body-min-rate", "bytes a second a request body must keep up after body-read-timeout; 0: body-read-timeout bounds each wait for bytes instead",
		func(s *Settings) *int { return &s.BodyMinRate }, 0, 1<<30),
}

// checkListenAddr checks a listener setting's value: empty, or host:port
// with an IP address or nothing as host.
func checkListenAddr(key, example, v string) error {
	if v == "" {
		return nil
	}
	field := "settings." + key
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return invalid(field, "give host:port such as "+example+" or 127.0.0.1"+example, "%q is not host:port", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return invalid(field, "give a port from 0 to 65535", "%q has no valid port", v)
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			return invalid(field, "give an IP address or nothing before the colon", "%q is not an IP address", host)
		}
	}
	return nil
}
