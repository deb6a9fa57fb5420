package store

import (
	"errors"
	"strings"
	"testing"
)

// FuzzPolicyKeyValue checks policy KEY=VALUE pairs as `foyer policy set`
// sends them (any key, any value): Validate never panics, refuses with a
// *store.Error naming the key, gives the same answer twice, and a pair it
// accepts resolves both as a plan's and as a tenant's override.
func FuzzPolicyKeyValue(f *testing.F) {
	for _, k := range PolicyKeyNames() {
		for _, v := range []string{"", "0", "1", "2.5", "-1", "NaN", "true", "x", "10.0.0.0/8", "X-A:1"} {
			f.Add(k + "=" + v)
		}
	}
	for _, s := range []string{"", "=", "rate", "Rate=1", "rate==1", "nope=1", " rate=1", "rate=1=2", "\x00=\x00",
		"allow=" + strings.Repeat("10.0.0.0/8,", 500), "request-headers-set=Host:x", "response-headers-remove=,,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, kv string) {
		k, v, _ := strings.Cut(kv, "=")
		p := Policy{k: v}
		err := p.Validate()
		if err2 := p.Validate(); (err == nil) != (err2 == nil) {
			t.Fatalf("%q: Validate gave %v, then %v", kv, err, err2)
		}
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %T %v, want a *store.Error", kv, err, err)
			}
			if _, lerr := LookupPolicyKey(k); lerr == nil && se.Field != "policy."+k {
				t.Fatalf("%q: error field %q, want policy.%s", kv, se.Field, k)
			}
			return
		}
		if _, err := ResolvePolicy(p, nil); err != nil {
			t.Fatalf("%q validates but does not resolve as a plan: %v", kv, err)
		}
		if _, err := ResolvePolicy(nil, p); err != nil {
			t.Fatalf("%q validates but does not resolve as an override: %v", kv, err)
		}
		if got := ExplainPolicy(nil, p); len(got) != len(PolicyKeys) {
			t.Fatalf("%q: ExplainPolicy gave %d values, want %d", kv, len(got), len(PolicyKeys))
		}
	})
}
