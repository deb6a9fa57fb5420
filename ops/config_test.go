package ops

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// sampleDoc is a document with every kind of entry.
func sampleDoc() api.ConfigDocument {
	return api.ConfigDocument{
		Settings: map[string]string{"base-domain": "saas.test", "idle-timeout": "3m0s"},
		Plans:    []api.ConfigPlan{{Name: "pro", Policy: map[string]string{"rate": "100"}}},
		Tenants: []api.ConfigTenant{{
			Slug: "acme", Name: "Acme Inc.", State: "active", Plan: "pro", Aliases: []string{"acme-eu"},
			Policy: map[string]string{"id-path": "/t/acme", "maintenance-message": "back: soon"},
			Pools: []api.ConfigPool{{Name: "default", Algorithm: "least_conn", HealthPath: "/healthz",
				Backends: []api.ConfigBackend{{URL: "http://127.0.0.1:8001"}, {URL: "http://127.0.0.1:8002", Weight: 3, Drained: true}}}},
			Domains: []api.ConfigDomain{{Name: "shop.acme.test"}},
			JWTKey:  &api.ConfigJWTKey{Kind: "pem", Data: "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"},
			APIKeys: []api.ConfigAPIKey{{Name: "ci"}, {Name: "deploy", Expires: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)}},
		}, {Slug: "beta", State: "suspended"}},
	}
}

// Ensure that rendering a document and parsing it back gives the same
// document, and that rendering is byte-for-byte deterministic.
func TestConfigRenderParse(t *testing.T) {
	doc := sampleDoc()
	b, err := RenderConfig(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig("foyer.yaml", b)
	if err != nil {
		t.Fatalf("parse rendered file: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(c.Doc, doc) {
		t.Fatalf("parsed back:\n%+v\nwant\n%+v\nfile:\n%s", c.Doc, doc, b)
	}
	b2, _ := RenderConfig(c.Doc)
	if !bytes.Equal(b, b2) {
		t.Fatalf("rendering is not deterministic:\n%s\n---\n%s", b, b2)
	}
	if !strings.HasPrefix(string(b), "# foyer configuration") || !strings.Contains(string(b), "data: |") {
		t.Errorf("want a header comment and a literal block for the PEM key:\n%s", b)
	}
}

// Ensure that a secret setting that is set is named in a comment, never
// with its value, and that the comment does not become a field.
func TestConfigRenderSecrets(t *testing.T) {
	doc := sampleDoc()
	doc.SecretSettingsSet = []string{"acme-eab-mac-key"}
	b, err := RenderConfig(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "# `foyer settings set KEY VALUE`): acme-eab-mac-key.") {
		t.Fatalf("no comment naming the secret setting:\n%s", b)
	}
	c, err := ParseConfig("foyer.yaml", b)
	if err != nil || c.Doc.SecretSettingsSet != nil || c.Doc.Settings["acme-eab-mac-key"] != "" {
		t.Fatalf("the comment was read as data: %v %+v", err, c.Doc)
	}
}

// Ensure that unknown fields, wrong types and a second document are
// refused with the file, line and field.
func TestConfigParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
		line             int
		field            string
	}{
		{"unknown field", "tenants:\n  - slug: acme\n    pools:\n      - name: default\n        algoritm: first\n",
			`unknown field "algoritm"`, 5, "tenants[0].pools[0].algoritm"},
		{"unknown top-level", "settings: {}\ntennants: []\n", `unknown field "tennants"`, 2, "tennants"},
		{"wrong type", "tenants:\n  - slug: acme\n    pools:\n      - name: p\n        max_fails: many\n",
			"cannot unmarshal", 5, "tenants[0].pools[0].max_fails"},
		{"bad yaml", "tenants:\n  - slug: [\n", "did not find expected node content", 2, ""},
		{"two documents", "tenants: []\n---\nplans: []\n", "more than one YAML document", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("f.yaml", []byte(tc.yaml))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want *ConfigError", err, err)
			}
			if tc.line != 0 && ce.Line != tc.line || ce.Field != tc.field || !strings.Contains(ce.Msg, tc.want) {
				t.Fatalf("got line %d field %q msg %q; want line %d field %q msg ~%q", ce.Line, ce.Field, ce.Msg, tc.line, tc.field, tc.want)
			}
			if !strings.HasPrefix(ce.Error(), "f.yaml:") {
				t.Errorf("error %q does not start with the file name", ce.Error())
			}
		})
	}
}

// Ensure that the daemon's error about a field path is placed on the
// line of that field, or of its nearest enclosing entry.
func TestConfigExplain(t *testing.T) {
	src := "settings:\n  idle-timeout: 3m\ntenants:\n  - slug: acme\n    policy:\n      rate: lots\n  - slug: beta\n    pools:\n      - name: p\n"
	c, err := ParseConfig("foyer.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for field, line := range map[string]int{
		"settings.idle-timeout":         2,
		"tenants[0].policy.rate":        6,
		"tenants[1].pools[0].algorithm": 9, // not written: the pool's line
		"tenants[1].slug":               7,
		"tenants[1].domains[0].name":    7, // nothing below the tenant: its line
	} {
		err := c.Explain(&api.Error{Status: 422, Msg: field + ": bad", Field: field, Hint: "fix it"})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Line != line || ce.Hint() != "fix it" {
			t.Errorf("%s: %v, want line %d", field, err, line)
		}
		if want := "foyer.yaml:"; !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), field) != 1 {
			t.Errorf("%s: message %q", field, err.Error())
		}
	}
	plain := errors.New("cannot reach foyer")
	if c.Explain(plain) != plain {
		t.Error("an error without a field was changed")
	}
}

// Ensure that the diff shows each change with its mark and counts them.
func TestWriteDiff(t *testing.T) {
	var b bytes.Buffer
	err := WriteDiff(&b, api.ApplyResult{Applied: true, Revision: 9, Changes: []api.ConfigChange{
		{Op: api.ChangeCreate, Kind: "tenant", Name: "delta"},
		{Op: api.ChangeUpdate, Kind: "pool", Name: "acme/default", Detail: "algorithm: round_robin -> first"},
		{Op: api.ChangeRemove, Kind: "domain", Name: "acme old.test"},
		{Op: api.ChangeKeep, Kind: "plan", Name: "free", Detail: "not in the file"},
	}, Keys: []api.CreatedAPIKey{{APIKey: api.APIKey{Tenant: "delta", Name: "ci"}, Token: "fy_x"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "+ tenant delta\n~ pool acme/default: algorithm: round_robin -> first\n- domain acme old.test\n= plan free: not in the file\n" +
		"1 to create, 1 to change, 1 to remove, 1 kept (applied in one transaction, revision 9)\n" +
		"new API key ci of delta (shown once): fy_x\n"
	if b.String() != want {
		t.Fatalf("diff:\n%s\nwant:\n%s", b.String(), want)
	}
}
