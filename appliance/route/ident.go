package route

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/foyerhq/foyer/store"
)

// pathRef is one tenant's id-path.
type pathRef struct {
	prefix string
	tenant *Tenant
}

// addIdent indexes aliases, id-paths, JWT claim names and JWT keys. The
// store refuses conflicts at write time; Build refuses them again here as
// a safety net (a restored or hand-edited file).
func (t *Table) addIdent(s *store.Snapshot) error {
	t.aliases = map[string]hostRef{}
	claims := map[string]bool{}
	for _, tn := range t.tenants {
		for _, a := range tn.Aliases {
			if !store.ValidSlug(a, 63) {
				return fmt.Errorf("tenant %s: invalid alias %q", tn.Slug, a)
			}
			if o, dup := t.slugs[a]; dup {
				return fmt.Errorf("alias %s of tenant %s is the slug of tenant %s", a, tn.Slug, o.Slug)
			}
			if o, dup := t.aliases[a]; dup {
				return fmt.Errorf("alias %s is claimed by tenants %s and %s", a, o.tenant.Slug, tn.Slug)
			}
			name := ""
			if t.base != "" {
				name = a + "." + t.base
			}
			t.aliases[a] = hostRef{tenant: tn, name: name}
		}
		if p := tn.Effective.IDPath; p != "" {
			for _, o := range t.paths {
				if store.PathsOverlap(o.prefix, p) {
					return fmt.Errorf("id-path %s of tenant %s overlaps %s of tenant %s", p, tn.Slug, o.prefix, o.tenant.Slug)
				}
			}
			t.paths = append(t.paths, pathRef{prefix: p, tenant: tn})
		}
		if tn.Effective.JWT && !claims[tn.Effective.JWTClaim] {
			claims[tn.Effective.JWTClaim] = true
			t.jwtClaims = append(t.jwtClaims, tn.Effective.JWTClaim)
		}
	}
	sort.Slice(t.paths, func(i, j int) bool { return len(t.paths[i].prefix) > len(t.paths[j].prefix) })
	sort.Strings(t.jwtClaims)
	for _, k := range s.JWTKeys {
		tn := t.slugs[k.Tenant]
		if tn == nil {
			return fmt.Errorf("jwt key: unknown tenant %q", k.Tenant)
		}
		ks, err := store.ParseJWTKey(k.Kind, k.Data)
		if err != nil {
			return fmt.Errorf("jwt key of tenant %s: %w", k.Tenant, err)
		}
		tn.JWTKeys = &ks
	}
	return nil
}

// shared reports whether the normalised host b is the bare base domain,
// the one host on which the path, header and JWT rules apply.
func (t *Table) shared(b []byte) bool { return t.base != "" && string(b) == t.base }

// SharedHost reports whether host (normalised) is the bare base domain.
func (t *Table) SharedHost(host string) bool {
	n, ok := NormalizeHost(host)
	return ok && t.shared([]byte(n))
}

// identifyShared tries the opt-in rules: id-path, X-Tenant-ID, JWT claim.
func (t *Table) identifyShared(path string, header func(string) string) (Match, bool) {
	for _, p := range t.paths {
		if strings.HasPrefix(path, p.prefix) && (len(path) == len(p.prefix) || path[len(p.prefix)] == '/') {
			m := Match{Tenant: p.tenant, Rule: RulePath, Name: p.prefix}
			if p.tenant.Effective.IDPathStrip {
				m.Strip = p.prefix
			}
			return m, true
		}
	}
	if header == nil {
		return Match{}, false
	}
	if slug := header(TenantHeader); slug != "" {
		if tn := t.slugs[slug]; tn != nil && tn.Effective.IDHeader {
			return Match{Tenant: tn, Rule: RuleHeader, Name: tn.Slug}, true
		}
		return Match{}, false
	}
	if len(t.jwtClaims) > 0 {
		if tok := BearerJWT(header("Authorization")); tok != "" {
			return t.identifyJWT(tok)
		}
	}
	return Match{}, false
}

// BearerJWT returns the token of "Authorization: Bearer <jwt>" when it has
// the three-part shape of a JWT, else "".
func BearerJWT(auth string) string {
	if len(auth) < 8 || !strings.EqualFold(auth[:7], "Bearer ") {
		return ""
	}
	tok := strings.TrimSpace(auth[7:])
	if strings.Count(tok, ".") != 2 {
		return ""
	}
	return tok
}

// identifyJWT reads the claims of an unverified token to find which tenant
// it proposes; the policy step then verifies it with that tenant's key
// and pinned algorithm, and checks the claim again.
func (t *Table) identifyJWT(tok string) (Match, bool) {
	parts := strings.SplitN(tok, ".", 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Match{}, false
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return Match{}, false
	}
	for _, c := range t.jwtClaims {
		slug, _ := claims[c].(string)
		if tn := t.slugs[slug]; tn != nil && tn.Effective.JWT && tn.Effective.JWTClaim == c {
			return Match{Tenant: tn, Rule: RuleJWT, Name: tn.Slug}, true
		}
	}
	return Match{}, false
}
