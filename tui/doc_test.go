package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/keymap"
	"github.com/foyerhq/foyer/tui/screen"
)

// docPath is the operator's guide to the console, which must list every key.
var docPath = filepath.Join("..", "docs", "tui.md")

// docArgs are the arguments the doc test opens screens that need one with
// (a form that removes a backend needs the tenant, pool and URL).
var docArgs = map[string]string{
	"remove-backend": "acme default http://10.0.0.1:8080",
	"revoke-apikey":  "acme ci",
}

// Ensure that docs/tui.md lists every key of tui/keymap (the global,
// list and tenant-action keys) in its "Global keys" section, and every key of every registered screen (its Keys and,
// when it has them, its HelpKeys) in the section whose heading names the
// screen as `name`: the guide cannot drift from the code.
func TestDocListsEveryKey(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read the console's guide: %v", err)
	}
	doc := string(b)

	global := docSection(doc, "Global keys")
	if global == "" {
		t.Fatalf("%s has no section headed \"Global keys\"", docPath)
	}
	ks := keymapBindings(reflect.ValueOf(keymap.Default()))
	if len(ks) < 10 {
		t.Fatalf("found only %d bindings in keymap.Default()", len(ks))
	}
	for _, k := range ks {
		for _, missing := range missingKeys(global, k) {
			t.Errorf("%s, Global keys: key `%s` (%s) is not listed", docPath, missing, k.Help().Desc)
		}
	}

	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	d.Apply(fixtureLists())
	env := NewEnv(d, nil, false, false)
	for _, e := range Screens() {
		sec := docSection(doc, "`"+e.Name+"`")
		if sec == "" {
			t.Errorf("%s has no section whose heading names the screen `%s` (%s)", docPath, e.Name, e.Summary)
			continue
		}
		arg := ""
		if e.NeedsArg {
			arg = "acme"
			if a, ok := docArgs[e.Name]; ok {
				arg = a
			}
		}
		for _, k := range screenKeys(e.New(env, arg)) {
			for _, missing := range missingKeys(sec, k) {
				t.Errorf("%s, screen `%s`: key `%s` (%s) is not listed", docPath, e.Name, missing, k.Help().Desc)
			}
		}
	}
}

// Ensure that the doc test's own reading of the guide can fail: a section
// ends at the next heading of its level or above, and a key counts only
// when it is written as code.
func TestDocSectionAndKeys(t *testing.T) {
	doc := "# t\n## Global keys\n| `q` | quit |\n### `tenants`\n| `/` | filter |\n## Other\nq ctrl+c\n"
	quit := key.NewBinding(key.WithKeys("q", "ctrl+c"))
	if m := missingKeys(docSection(doc, "Global keys"), quit); fmt.Sprint(m) != "[ctrl+c]" {
		t.Errorf("missing keys of the Global section = %v, want [ctrl+c] (bare text does not count)", m)
	}
	if s := docSection(doc, "`tenants`"); strings.Contains(s, "ctrl+c") || !strings.Contains(s, "`/`") {
		t.Errorf("the `tenants` section runs past its end or misses its table:\n%s", s)
	}
	if docSection(doc, "`logs`") != "" {
		t.Error("found a section for a heading that does not exist")
	}
}

// keymapBindings is every key.Binding in v, a keymap struct, however deep
// its groups nest: a group added to keymap.Keys is checked without a
// change here.
func keymapBindings(v reflect.Value) []key.Binding {
	if b, ok := v.Interface().(key.Binding); ok {
		return []key.Binding{b}
	}
	var out []key.Binding
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, keymapBindings(v.Field(i))...)
			}
		}
	}
	return out
}

// screenKeys is every binding a screen shows: its footer keys and its help
// overlay's.
func screenKeys(s screen.Screen) []key.Binding {
	ks := s.Keys()
	if h, ok := s.(screen.Helper); ok {
		ks = append(ks, h.HelpKeys()...)
	}
	return ks
}

// missingKeys lists the keys of b not written as `key` in text.
func missingKeys(text string, b key.Binding) []string {
	var out []string
	for _, k := range b.Keys() {
		if !strings.Contains(text, "`"+k+"`") {
			out = append(out, k)
		}
	}
	return out
}

// docSection is the text under the first heading that contains name, up
// to the next heading of the same level or above ("" when there is none).
func docSection(doc, name string) string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		level := headingLevel(l)
		if level == 0 || !strings.Contains(l, name) {
			continue
		}
		var b strings.Builder
		for _, m := range lines[i+1:] {
			if n := headingLevel(m); n > 0 && n <= level {
				break
			}
			b.WriteString(m + "\n")
		}
		return b.String()
	}
	return ""
}

// headingLevel is 1 for "# x", 2 for "## x"..., 0 for a line that is not a
// heading.
func headingLevel(l string) int {
	n := len(l) - len(strings.TrimLeft(l, "#"))
	if n == 0 || n > 6 || !strings.HasPrefix(l[n:], " ") {
		return 0
	}
	return n
}
