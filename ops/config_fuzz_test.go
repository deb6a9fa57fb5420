package ops

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParseConfig checks `foyer apply`'s YAML parsing with arbitrary
// files: it never panics; a refused file gives a *ConfigError that begins
// with the file's name and, when it is about a place in a file that has
// lines, names the line ("foyer.yaml:12: ..."); an accepted one renders
// to YAML that parses back to the same document (as the JSON sent to the daemon) and renders to the same
// bytes again.
func FuzzParseConfig(f *testing.F) {
	sample, err := RenderConfig(sampleDoc())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "\n", "---\n", "{}", "[]", "null", "~", "- a\n", "a: b\n", "settings:\n  x: 1\n",
		"tenants:\n  - slug: acme\n    pools:\n      - name: default\n        algoritm: first\n",
		"settings: {}\ntennants: []\n", "tenants:\n  - slug: [\n", "tenants: []\n---\nplans: []\n",
		"tenants:\n  - slug: acme\n    pools:\n      - name: p\n        max_fails: many\n",
		"tenants: &a [*a]\n", "a: &a [*a, *a, *a, *a]\nb: *a\n", "tenants:\n\t- slug: x\n", "\x00", "\xff\xfe",
		"settings:\n  base-domain: !!binary aGk=\n", "tenants:\n  - slug: acme\n    api_keys:\n      - name: ci\n        expires: notadate\n",
		"tenants:\n  - slug: acme\n    slug: again\n", "? [a]\n: b\n", "%YAML 1.3\n---\na: 1\n", string(sample)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("foyer.yaml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v, want a *ConfigError", err, err)
			}
			if !strings.HasPrefix(ce.Error(), "foyer.yaml:") {
				t.Fatalf("error %q does not begin with the file's name", ce.Error())
			}
			if ce.Line < 0 {
				t.Fatalf("error %q has line %d", ce.Error(), ce.Line)
			}
			if ce.Line == 0 && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("error %q names no line", ce.Error())
			}
			return
		}
		out, err := RenderConfig(c.Doc)
		if err != nil {
			t.Fatalf("parsed, but does not render: %v", err)
		}
		c2, err := ParseConfig("foyer.yaml", out)
		if err != nil {
			t.Fatalf("parsed, rendered as\n%s\nwhich does not parse: %v", out, err)
		}
		// The document goes to the daemon as JSON, where a list left
		// out and an empty one are the same: compare what would be sent.
		j1, err1 := json.Marshal(c.Doc)
		j2, err2 := json.Marshal(c2.Doc)
		if err1 != nil || err2 != nil || !bytes.Equal(j1, j2) {
			t.Fatalf("parsed as %s, rendered as\n%s\nwhich parses as %s (%v, %v)", j1, out, j2, err1, err2)
		}
		if out2, err := RenderConfig(c2.Doc); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("rendering is not stable:\n%s\nthen\n%s (%v)", out, out2, err)
		}
	})
}
