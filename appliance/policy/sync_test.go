package policy

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func TestSameConfigFields(t *testing.T) {
	// Ensure that sameConfig notices a change in every field of Config, so
	// a field added later cannot be skipped by Sync's unchanged-tenant
	// shortcut without this test failing.
	base := Config{Rate: 1, Burst: 2, IPRate: 3, IPBurst: 4, MaxInFlight: 5, Queue: 6, QueueTimeout: time.Second,
		Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Deny: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")},
		APIKeys: KeysOptional, Keys: map[string]Key{"k1": {Name: "one"}}, Maintenance: true, Message: "m",
		RedirectHTTPS: true, JWT: &JWTConfig{}}
	if !sameConfig(base, base) {
		t.Fatal("sameConfig(c, c) = false")
	}
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.Float64:
			f.SetFloat(f.Float() + 1)
		case reflect.Int, reflect.Int64:
			f.SetInt(f.Int() + 1)
		case reflect.Uint8:
			f.SetUint(f.Uint() + 1)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Slice:
			f.Set(reflect.Append(reflect.MakeSlice(f.Type(), 0, f.Len()+1), f.Index(0), f.Index(0)))
		case reflect.Map:
			m := reflect.MakeMap(f.Type())
			m.SetMapIndex(reflect.ValueOf("k2"), reflect.ValueOf(Key{Name: "two"}))
			f.Set(m)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("Config.%s: kind %s is not covered by this test; teach it and sameConfig the field", v.Type().Field(i).Name, f.Kind())
		}
		if sameConfig(base, changed) {
			t.Errorf("sameConfig misses a change of Config.%s", v.Type().Field(i).Name)
		}
	}
}

func TestSyncUnchangedKeepsState(t *testing.T) {
	// Ensure that syncing a tenant with the configuration it already has
	// keeps its compiled state as it is, and that a changed one is
	// configured anew.
	r := New(Options{})
	c := Config{MaxInFlight: 3, Keys: map[string]Key{"k": {Name: "key"}}}
	r.Sync([]Tenant{{ID: 1, Slug: "a", Config: c}})
	first := r.state(1).cfg.Load()
	r.Sync([]Tenant{{ID: 1, Slug: "a", Config: Config{MaxInFlight: 3, Keys: map[string]Key{"k": {Name: "key"}}}}})
	if got := r.state(1).cfg.Load(); got != first {
		t.Fatal("an unchanged tenant was configured again")
	}
	r.Sync([]Tenant{{ID: 1, Slug: "a", Config: Config{MaxInFlight: 4}}})
	if got := r.state(1).cfg.Load(); got == first || got.MaxInFlight != 4 || len(got.Keys) != 0 {
		t.Fatalf("a changed tenant kept %+v", got.Config)
	}
	if running, queued := r.InFlight(1); running != 0 || queued != 0 {
		t.Fatalf("InFlight = %d, %d", running, queued)
	}
}
