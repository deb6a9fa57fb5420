package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// This file enforces DESIGN.md's package table ("may import") and its
// rules of the house. A change to the tables below is a change to
// DESIGN.md (docs/architecture.md): make both in the same commit and say
// why.

// foyerModule is the module path; fixtures under testdata use it too, so the
// same rules apply to them.
const foyerModule = "github.com/foyerhq/foyer"

// importRule is one row of DESIGN.md's package table: the packages it
// covers, the foyer packages and the third-party modules they may import.
// The standard library is always allowed, except what denyStd names.
type importRule struct {
	pkg     string   // module-relative; "x/..." covers x and every package below it
	foyer   []string // foyer packages it may import, same pattern syntax; "..." is all
	modules []string // third-party import path prefixes it may import; "*" is all
	denyStd []string // standard packages it must not import
	row     string   // the row's "may import" column, quoted in failures
}

// importRules mirrors DESIGN.md's package table row by row, plus bench/
// from its repository layout. Third-party prefixes come from the row and
// from the libraries table. A package no row covers is itself a failure.
var importRules = []importRule{
	{pkg: "cmd/...", foyer: []string{"..."}, modules: []string{"*"},
		row: "cmd/foyer may import everything below"},
	{pkg: "appliance", foyer: []string{"appliance/...", "store", "acme"}, modules: []string{"golang.org/x/sync"},
		row: "appliance may import its sub-packages, store, acme (and errgroup)"},
	{pkg: "appliance/route", foyer: []string{"store"}, denyStd: []string{"net/http", "net", "os", "io/fs"},
		row: "appliance/route may import store (types only); pure, no I/O"},
	{pkg: "appliance/proxy", foyer: []string{"appliance/route", "appliance/policy", "appliance/balance", "appliance/traffic", "appliance/proxy/h1", "store"},
		row: "appliance/proxy may import route, policy, balance, traffic, its h1 parser (and store for types: Settings, DefaultPool, LogRecord; a documented departure)"},
	{pkg: "appliance/proxy/h1",
		row: "appliance/proxy/h1 may import the standard library only"},
	{pkg: "appliance/balance",
		row: "appliance/balance may import the standard library only"},
	{pkg: "appliance/policy", modules: []string{"golang.org/x/time/rate", "github.com/hashicorp/golang-lru/v2", "github.com/golang-jwt/jwt/v5"},
		row: "appliance/policy may import the standard library and the chosen libraries (x/time/rate, golang-lru, golang-jwt)"},
	{pkg: "appliance/traffic", foyer: []string{"store"}, modules: []string{"github.com/VictoriaMetrics/metrics"},
		row: "appliance/traffic may import store (and VictoriaMetrics/metrics)"},
	{pkg: "appliance/admin", foyer: []string{"appliance/admin/api", "store", "acme", "appliance/route",
		"appliance/policy", "appliance/balance", "appliance/traffic"}, modules: []string{"golang.org/x/sys/unix"},
		row: "appliance/admin may import admin/api, store, acme, route, policy, balance, traffic (and x/sys/unix for the build-tagged peer-credential check)"},
	{pkg: "appliance/admin/api",
		row: "appliance/admin/api may import the standard library only"},
	{pkg: "store", modules: []string{"golang.org/x/net/idna"},
		row: "store may import the standard library (and golang.org/x/net/idna for host names, a documented departure)"},
	{pkg: "store/boltstore", foyer: []string{"store"}, modules: []string{"go.etcd.io/bbolt"},
		row: "store/boltstore may import store, bbolt"},
	{pkg: "store/memstore", foyer: []string{"store"},
		row: "store/memstore may import store"},
	{pkg: "store/backupfile", modules: []string{"github.com/klauspost/compress/zstd", "filippo.io/age"},
		row: "store/backupfile may import the standard library, zstd, age"},
	{pkg: "store/storetest", foyer: []string{"store"},
		row: "store/storetest may import store"},
	{pkg: "acme/acmetest",
		row: "acme/acmetest may import the standard library (test support, beside store/storetest)"},
	{pkg: "acme", foyer: []string{"store"}, modules: []string{"github.com/caddyserver/certmagic",
		"github.com/mholt/acmez", "go.uber.org/zap", "github.com/miekg/dns", "golang.org/x/net/publicsuffix"},
		row: "acme may import store, certmagic (and acmez, zap, which certmagic's API exposes), miekg/dns (domain checks), x/net/publicsuffix (registered domains for the weekly budget)"},
	{pkg: "tui/...", foyer: []string{"tui/...", "appliance/admin/api"}, modules: []string{"charm.land",
		"github.com/charmbracelet", "golang.org/x/crypto/ssh", "golang.org/x/time/rate", "github.com/hashicorp/golang-lru/v2"},
		row: "tui/... may import the charm libraries, admin/api (and x/crypto/ssh for wish; x/time/rate in golang-lru for tui/console's failed-login limit, the libraries table's choice)"},
	{pkg: "ops/...", foyer: []string{"ops/...", "store", "store/backupfile", "appliance/admin/api"}, modules: []string{"go.yaml.in/yaml/v3"},
		row: "ops may import store, store/backupfile, admin/api (and yaml for apply/export)"},
	{pkg: "bench/...", foyer: []string{"..."}, modules: []string{"*"},
		row: "bench/ holds benchmark programs, which may import anything"},
}

// exclusiveRule says that only owners may import the library lib (an
// import path prefix), in code or in tests.
type exclusiveRule struct {
	lib    string
	owners []string
	rule   string
}

var exclusiveRules = []exclusiveRule{
	{"go.etcd.io/bbolt", []string{"store/boltstore"}, "only store/boltstore imports bbolt"},
	{"github.com/caddyserver/certmagic", []string{"acme"}, "only acme imports certmagic"},
	{"charm.land", []string{"tui/..."}, "only tui/... imports Bubble Tea and the charm libraries"},
	{"github.com/charmbracelet", []string{"tui/..."}, "only tui/... imports Bubble Tea and the charm libraries"},
}

// apartRule says that pkgs never depend on banned (foyer patterns or
// third-party prefixes), neither directly, nor in tests, nor through any
// chain of imports.
type apartRule struct {
	pkgs   []string
	foyer  []string // banned foyer packages
	except []string // foyer packages excepted from foyer
	libs   []string // banned third-party prefixes
	rule   string
}

var apartRules = []apartRule{
	{pkgs: []string{"tui/...", "ops/..."}, foyer: []string{"store/boltstore", "acme/...", "appliance/..."},
		except: []string{"appliance/admin/api"}, libs: []string{"go.etcd.io/bbolt", "github.com/caddyserver/certmagic"},
		rule: "tui and ops reach the daemon only through appliance/admin/api (never store/boltstore or acme)"},
}

// violation is one forbidden edge: pkg imports (or, with via, depends
// through its import via on) imp, against rule. Foyer paths are module-relative.
type violation struct {
	pkg, imp, via, rule string
}

func (v violation) String() string {
	switch {
	case v.imp == "":
		return fmt.Sprintf("%s: %s", v.pkg, v.rule)
	case v.via != "":
		return fmt.Sprintf("%s depends on %s through its import of %s: %s", v.pkg, v.imp, v.via, v.rule)
	}
	return fmt.Sprintf("%s imports %s: %s", v.pkg, v.imp, v.rule)
}

// listedPackage is the part of `go list -json` output the checker reads.
type listedPackage struct {
	ImportPath   string
	Module       *struct{ Main bool }
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// listPackages runs `go list -deps -json ./...` in dir and returns every
// package by import path, and the main module's packages in order.
func listPackages(t *testing.T, dir string, env ...string) (map[string]*listedPackage, []*listedPackage) {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Module,Imports,TestImports,XTestImports,Deps", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v\n%s", dir, err, stderr.Bytes())
	}
	all := map[string]*listedPackage{}
	var mine []*listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := &listedPackage{}
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		all[p.ImportPath] = p
		if p.Module != nil && p.Module.Main {
			mine = append(mine, p)
		}
	}
	return all, mine
}

// checkImports returns every forbidden edge among the main module's packages.
func checkImports(all map[string]*listedPackage, mine []*listedPackage) []violation {
	var out []violation
	for _, p := range mine {
		out = append(out, checkPackage(all, p)...)
	}
	return out
}

// checkPackage checks one package's direct imports against its row and
// the house rules, its test imports against the house rules, and its
// whole dependency graph against the apart rules.
func checkPackage(all map[string]*listedPackage, p *listedPackage) []violation {
	name := rel(p.ImportPath)
	row := ruleFor(name)
	if row == nil {
		return []violation{{pkg: name, rule: "no row of DESIGN.md's package table covers this package; add one there and in importRules"}}
	}
	var out []violation
	var clean []string // direct imports that broke no rule
	for _, imp := range p.Imports {
		if v, bad := checkEdge(name, imp, row); bad {
			out = append(out, v)
		} else {
			clean = append(clean, imp)
		}
	}
	for _, imp := range testImports(p) {
		if v, bad := checkEdge(name, imp, nil); bad {
			v.pkg += " (test)"
			out = append(out, v)
		}
	}
	return append(out, checkDeps(all, name, clean)...)
}

// testImports returns the imports of p's test files that its code does
// not import already, minus p itself.
func testImports(p *listedPackage) []string {
	var out []string
	for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
		if imp != p.ImportPath && !slices.Contains(p.Imports, imp) && !slices.Contains(out, imp) {
			out = append(out, imp)
		}
	}
	return out
}

// checkEdge checks the edge pkg -> imp against the house rules and, when
// row is not nil (code, not tests), against the package's row.
func checkEdge(pkg, imp string, row *importRule) (violation, bool) {
	v := violation{pkg: pkg, imp: rel(imp)}
	if r := exclusiveFor(pkg, imp); r != "" {
		v.rule = r
		return v, true
	}
	if r := apartFor(pkg, imp); r != "" {
		v.rule = r
		return v, true
	}
	if row != nil && !row.allows(imp) {
		v.rule = row.row
		return v, true
	}
	return v, false
}

// checkDeps applies the apart rules to everything pkg depends on through
// the imports it was allowed, naming the import each banned package comes
// through, once per banned package.
func checkDeps(all map[string]*listedPackage, pkg string, imports []string) []violation {
	var out []violation
	seen := map[string]bool{}
	for _, imp := range imports {
		dp := all[imp]
		if dp == nil {
			continue
		}
		for _, d := range dp.Deps {
			if r := apartFor(pkg, d); r != "" && !seen[d] {
				seen[d] = true
				out = append(out, violation{pkg: pkg, imp: rel(d), via: rel(imp), rule: r})
			}
		}
	}
	return out
}

// ruleFor returns the row covering pkg: an exact row first, else the
// longest "x/..." row.
func ruleFor(pkg string) *importRule {
	var best *importRule
	for i := range importRules {
		r := &importRules[i]
		if r.pkg == pkg {
			return r
		}
		if match(r.pkg, pkg) && (best == nil || len(r.pkg) > len(best.pkg)) {
			best = r
		}
	}
	return best
}

// allows reports whether the row lets its packages import imp.
func (r *importRule) allows(imp string) bool {
	switch {
	case isStd(imp):
		return !slices.Contains(r.denyStd, imp)
	case isFoyer(imp):
		return matchAny(r.foyer, rel(imp))
	}
	return slices.Contains(r.modules, "*") || hasPrefixAny(imp, r.modules)
}

// exclusiveFor returns the exclusive rule the edge pkg -> imp breaks, or "".
func exclusiveFor(pkg, imp string) string {
	for _, r := range exclusiveRules {
		if hasPrefix(imp, r.lib) && !matchAny(r.owners, pkg) {
			return r.rule
		}
	}
	return ""
}

// apartFor returns the apart rule that forbids pkg to depend on dep, or "".
func apartFor(pkg, dep string) string {
	for _, r := range apartRules {
		if !matchAny(r.pkgs, pkg) {
			continue
		}
		if isFoyer(dep) && matchAny(r.foyer, rel(dep)) && !matchAny(r.except, rel(dep)) || hasPrefixAny(dep, r.libs) {
			return r.rule
		}
	}
	return ""
}

// match reports whether the module-relative package pkg matches pattern:
// equal to it, or below it for "x/...", or anything for "...".
func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func matchAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, pkg) })
}

// hasPrefix reports whether import path imp is prefix or lies below it.
func hasPrefix(imp, prefix string) bool {
	return imp == prefix || strings.HasPrefix(imp, prefix+"/")
}

func hasPrefixAny(imp string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return hasPrefix(imp, p) })
}

func isFoyer(imp string) bool { return hasPrefix(imp, foyerModule) }

// isStd reports whether imp is a standard package: its first element has
// no dot (the rule the go command itself uses).
func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// rel returns a foyer import path relative to the module, others as they are.
func rel(imp string) string {
	if imp == foyerModule {
		return "."
	}
	return strings.TrimPrefix(imp, foyerModule+"/")
}

func TestImportRules(t *testing.T) {
	// Ensure that no package of the module breaks DESIGN.md's import rules.
	all, mine := listPackages(t, filepath.Join("..", ".."))
	if len(mine) == 0 {
		t.Fatal("go list found no packages of the module")
	}
	for _, v := range checkImports(all, mine) {
		t.Errorf("forbidden import: %s", v)
	}
}

func TestImportRulesFixture(t *testing.T) {
	// Ensure that the checker reports exactly the forbidden edges of the fixture module, and nothing else.
	all, mine := listPackages(t, filepath.Join("testdata", "importrules"), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=readonly")
	const message = "appliance/route imports store/boltstore: appliance/route may import store (types only); pure, no I/O"
	var got, messages []string
	for _, v := range checkImports(all, mine) {
		messages = append(messages, v.String())
		got = append(got, fmt.Sprintf("%s -> %s via %s", v.pkg, v.imp, v.via))
	}
	want := []string{
		"appliance/admin/api -> example.com/leftpad via ", // stdlib only
		"appliance/balance -> go.etcd.io/bbolt via ",      // only store/boltstore imports bbolt
		"appliance/route -> net/http via ",                // pure: no net/http
		"appliance/route -> store/boltstore via ",         // route may import only store
		"internal/x ->  via ",                             // no row covers it
		"ops -> go.etcd.io/bbolt via store/backupfile",    // through an allowed import
		"ops -> store/boltstore via store/backupfile",     // through an allowed import
		"store/backupfile -> store/boltstore via ",        // not in its row
		"tui/screens/home (test) -> store/boltstore via ", // house rule applies to tests
	}
	if !slices.Contains(messages, message) {
		t.Errorf("no violation reads %q; got:\n  %s", message, strings.Join(messages, "\n  "))
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
