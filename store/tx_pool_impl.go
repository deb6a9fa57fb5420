package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Pool defaults, applied by SetPool and WithDefaults.
const (
	DefaultHealthInterval     = 10 * time.Second
	DefaultHealthTimeout      = 2 * time.Second
	DefaultHealthStatus       = "200-399"
	DefaultHealthyThreshold   = 2
	DefaultUnhealthyThreshold = 3
	DefaultCooldown           = 10 * time.Second
)

// WithDefaults returns p with every zero setting replaced by its default.
// Pools stored before these settings existed read back this way too.
func (p Pool) WithDefaults() Pool {
	if p.Algorithm == "" {
		p.Algorithm = RoundRobin
	}
	if p.HealthInterval == 0 {
		p.HealthInterval = Duration(DefaultHealthInterval)
	}
	if p.HealthTimeout == 0 {
		p.HealthTimeout = Duration(min(DefaultHealthTimeout, p.HealthInterval.D()))
	}
	if p.HealthStatus == "" {
		p.HealthStatus = DefaultHealthStatus
	}
	if p.HealthyThreshold == 0 {
		p.HealthyThreshold = DefaultHealthyThreshold
	}
	if p.UnhealthyThreshold == 0 {
		p.UnhealthyThreshold = DefaultUnhealthyThreshold
	}
	if p.Cooldown == 0 {
		p.Cooldown = Duration(DefaultCooldown)
	}
	if p.Algorithm != HeaderHash && p.Algorithm != CookieHash {
		p.HashKey = ""
	}
	return p
}

// ParseStatusRange reads "200-399" or "204" as an inclusive range of HTTP
// status codes.
func ParseStatusRange(s string) (lo, hi int, err error) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		b = a
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 100 || hi > 599 || lo > hi {
		return 0, 0, fmt.Errorf("%q is not a status range such as 200-399", truncate(s))
	}
	return lo, hi, nil
}

// validatePool checks a pool that WithDefaults has filled in.
func validatePool(p Pool) error {
	if !ValidSlug(p.Name, 32) {
		return invalid("pool.name", "use 1 to 32 lower-case letters, digits and inner hyphens", "%q is not a valid pool name", truncate(p.Name))
	}
	if err := validateAlgorithm(p); err != nil {
		return err
	}
	if err := validateHealth(p); err != nil {
		return err
	}
	if p.MaxFails < 0 || p.MaxFails > 1000 {
		return invalid("pool.max_fails", "0 turns passive ejection off", "must be from 0 to 1000, got %d", p.MaxFails)
	}
	if err := durationIn("pool.cooldown", p.Cooldown.D(), 100*time.Millisecond, time.Hour); err != nil {
		return err
	}
	if p.SlowStart != 0 {
		return durationIn("pool.slow_start", p.SlowStart.D(), 100*time.Millisecond, time.Hour)
	}
	return nil
}

func validateAlgorithm(p Pool) error {
	known := false
	for _, a := range Algorithms {
		known = known || a == p.Algorithm
	}
	if !known {
		names := make([]string, len(Algorithms))
		for i, a := range Algorithms {
			names[i] = string(a)
		}
		return invalid("pool.algorithm", "use one of "+strings.Join(names, ", "), "unknown algorithm %q", truncate(string(p.Algorithm)))
	}
	if p.Algorithm != HeaderHash && p.Algorithm != CookieHash {
		return nil
	}
	if !validToken(p.HashKey) {
		return invalid("pool.hash_key", "name the header or cookie to hash, e.g. --hash-key X-User-ID",
			"%s needs a header or cookie name of 1 to 64 token characters, got %q", p.Algorithm, truncate(p.HashKey))
	}
	return nil
}

// validToken reports whether s is an HTTP token (a header or cookie name).
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

func validateHealth(p Pool) error {
	if p.HealthPath != "" {
		if !strings.HasPrefix(p.HealthPath, "/") || len(p.HealthPath) > 256 || strings.ContainsAny(p.HealthPath, " \t\r\n#") {
			return invalid("pool.health_path", "e.g. --health-path /healthz", "%q must start with / and have no spaces or fragment (256 bytes at most)", truncate(p.HealthPath))
		}
	}
	if err := durationIn("pool.health_interval", p.HealthInterval.D(), 100*time.Millisecond, time.Hour); err != nil {
		return err
	}
	if err := durationIn("pool.health_timeout", p.HealthTimeout.D(), 10*time.Millisecond, p.HealthInterval.D()); err != nil {
		return err
	}
	if _, _, err := ParseStatusRange(p.HealthStatus); err != nil {
		return invalid("pool.health_status", "e.g. 200-399 or 204", "%v", err)
	}
	if p.HealthyThreshold < 1 || p.HealthyThreshold > 100 {
		return invalid("pool.healthy_threshold", "", "must be from 1 to 100, got %d", p.HealthyThreshold)
	}
	if p.UnhealthyThreshold < 1 || p.UnhealthyThreshold > 100 {
		return invalid("pool.unhealthy_threshold", "", "must be from 1 to 100, got %d", p.UnhealthyThreshold)
	}
	return nil
}

func durationIn(field string, d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return invalid(field, "", "must be from %s to %s, got %s", lo, hi, d)
	}
	return nil
}

func poolKey(tenant, name string) string { return tenant + "/" + name }

func (t *tx) Pool(tenant, name string) (Pool, error) {
	if name == "" {
		name = DefaultPool
	}
	var p Pool
	ok, err := getJSON(t.kv, BucketPools, poolKey(tenant, name), &p)
	if err != nil {
		return Pool{}, err
	}
	if !ok {
		return Pool{}, notFound("pool", tenant+"/"+name, fmt.Sprintf("list them with `foyer pool list %s`", tenant))
	}
	return p, nil
}

func (t *tx) SetPool(p *Pool) error {
	if _, err := t.Tenant(p.Tenant); err != nil {
		return err
	}
	if p.Name == "" {
		p.Name = DefaultPool
	}
	*p = p.WithDefaults()
	if err := validatePool(*p); err != nil {
		return err
	}
	cur, err := t.Pool(p.Tenant, p.Name)
	switch {
	case err == nil:
		p.ID = cur.ID
	case errors.Is(err, ErrNotFound):
		if p.ID, err = t.nextID(); err != nil {
			return err
		}
	default:
		return err
	}
	if err := t.change("pool.set %s/%s %s", p.Tenant, p.Name, poolSummary(*p)); err != nil {
		return err
	}
	return putJSON(t.kv, BucketPools, poolKey(p.Tenant, p.Name), p)
}

// poolSummary is the audit line's view of a pool's settings.
func poolSummary(p Pool) string {
	s := "algorithm=" + string(p.Algorithm)
	if p.HashKey != "" {
		s += " hash_key=" + p.HashKey
	}
	if p.Sticky {
		s += " sticky"
	}
	if p.HealthPath != "" {
		s += fmt.Sprintf(" health=%s every %s timeout %s status %s %d/%d", p.HealthPath, p.HealthInterval,
			p.HealthTimeout, p.HealthStatus, p.HealthyThreshold, p.UnhealthyThreshold)
	}
	if p.MaxFails > 0 {
		s += fmt.Sprintf(" max_fails=%d cooldown=%s", p.MaxFails, p.Cooldown)
	}
	if p.SlowStart > 0 {
		s += " slow_start=" + p.SlowStart.String()
	}
	return s
}

func (t *tx) SetBackendDrained(tenant, pool, rawURL string, drained bool) error {
	if _, err := t.Tenant(tenant); err != nil {
		return err
	}
	if pool == "" {
		pool = DefaultPool
	}
	u, err := ValidateBackendURL(rawURL)
	if err != nil {
		return err
	}
	existing, err := list[Backend](t.kv, BucketBackends, tenant+"/"+pool+"/")
	if err != nil {
		return err
	}
	for _, e := range existing {
		if e.URL != u {
			continue
		}
		if e.Drained == drained {
			return nil // nothing changes: no audit line, no new revision
		}
		e.Drained = drained
		verb := "backend.drain"
		if !drained {
			verb = "backend.undrain"
		}
		if err := t.change("%s %s/%s %s", verb, tenant, pool, u); err != nil {
			return err
		}
		return putJSON(t.kv, BucketBackends, backendKey(e), e)
	}
	return notFound("backend", u, fmt.Sprintf("list them with `foyer backend list %s`", tenant))
}
