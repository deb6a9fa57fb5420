package store

import (
	"fmt"
	"strings"
)

// IdentPolicy is the part of a tenant's effective policy that says how
// requests are identified beyond the Host header. Every rule is off by
// default and applies only to requests whose host names no tenant (the
// bare base domain; docs/traffic.md "Identifying the tenant").
type IdentPolicy struct {
	// IDPath is a path prefix ("/t/acme") that routes to the tenant; "" is off.
	IDPath string
	// IDPathStrip removes IDPath from the path sent to the backend; default true.
	IDPathStrip bool
	// IDHeader lets X-Tenant-ID: <slug> propose the tenant; the request
	// must then carry one of its API keys or a JWT signed with its key.
	IDHeader bool
	// JWT lets a verified JWT's JWTClaim name the tenant.
	JWT bool
	// JWTClaim is the claim holding the tenant's slug; default "tenant".
	JWTClaim string
	// JWTAlg is the only algorithm accepted: HS256, RS256 (default) or ES256.
	JWTAlg string
}

// JWT algorithms a tenant may pin.
const (
	JWTHS256 = "HS256"
	JWTRS256 = "RS256"
	JWTES256 = "ES256"
)

// MaxIDPath is the longest id-path.
const MaxIDPath = 200

// identKeys are the policy keys of IdentPolicy.
func identKeys() []PolicyKey {
	return []PolicyKey{
		{Key: "id-path", Doc: "a path prefix such as /t/acme that routes requests to the bare base domain to this tenant; empty turns it off",
			parse: func(p *EffectivePolicy, v string) error {
				if err := validIDPath(v); err != nil {
					return err
				}
				p.IDPath = v
				return nil
			}},
		boolKey("id-path-strip", "remove the id-path prefix from the path the backend sees", "true",
			func(p *EffectivePolicy) *bool { return &p.IDPathStrip }),
		boolKey("id-header", "let X-Tenant-ID: <slug> name this tenant (the request must then carry its API key or JWT)", "false",
			func(p *EffectivePolicy) *bool { return &p.IDHeader }),
		{Key: "jwt", Doc: "on lets a verified JWT's jwt-claim name this tenant (the key is set with `foyer tenant jwt-key`)", Default: "off",
			parse: func(p *EffectivePolicy, v string) error {
				switch v {
				case "on", "off":
					p.JWT = v == "on"
					return nil
				}
				return fmt.Errorf("must be on or off, got %q", v)
			}},
		{Key: "jwt-claim", Doc: "the JWT claim that holds the tenant's slug", Default: "tenant",
			parse: func(p *EffectivePolicy, v string) error {
				if v == "" || len(v) > 64 || strings.ContainsAny(v, " \t\"\\") {
					return fmt.Errorf("must be a claim name of 1 to 64 characters without spaces or quotes, got %q", truncate(v))
				}
				p.JWTClaim = v
				return nil
			}},
		{Key: "jwt-alg", Doc: "the one signing algorithm accepted: HS256, RS256 or ES256", Default: JWTRS256,
			parse: func(p *EffectivePolicy, v string) error {
				switch v {
				case JWTHS256, JWTRS256, JWTES256:
					p.JWTAlg = v
					return nil
				}
				return fmt.Errorf("must be HS256, RS256 or ES256, got %q", v)
			}},
	}
}

// validIDPath accepts "" or "/seg[/seg...]" of lower-case letters, digits,
// '-', '_' and '.', without a trailing slash, "." or ".." segments.
func validIDPath(v string) error {
	if v == "" {
		return nil
	}
	bad := fmt.Errorf("must be a path prefix like /t/acme (lower-case letters, digits, - _ . between slashes, no trailing slash), got %q", truncate(v))
	if len(v) > MaxIDPath || v[0] != '/' {
		return bad
	}
	for _, seg := range strings.Split(v[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return bad
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return bad
			}
		}
	}
	return nil
}

// PathsOverlap reports whether two id-paths could both match one request
// path: equal, or one a whole-segment prefix of the other.
func PathsOverlap(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == b || strings.HasPrefix(b, a) && b[len(a)] == '/'
}
