// Package forms is the console's actions: a form for every change an
// operator makes to a tenant, each sent through the admin API. Destructive
// ones (delete, suspend, remove a backend, revoke a key) ask y/n first.
// Under --readonly every one of them refuses with a line in the footer.
// The daemon's errors show under the form, in words, and what was typed
// stays.
//
// The forms are screens, registered by Entries; another screen opens one
// with screen.Open{Name: "edit-tenant", Arg: slug}. The names and their
// arguments:
//
//	add-tenant                      (no arg)
//	edit-tenant      SLUG           name and plan
//	suspend-tenant   SLUG           confirmed
//	resume-tenant    SLUG
//	delete-tenant    SLUG           confirmed; says what --force removes
//	backends         SLUG           a tenant's backends: add, remove, drain, undrain
//	add-backend      SLUG [POOL]
//	remove-backend   SLUG POOL URL  confirmed
//	policy           SLUG           KEY=VALUE with every key's doc; the effective policy after
//	apikeys          SLUG           a tenant's API keys: create, revoke
//	create-apikey    SLUG           the token shown once
//	revoke-apikey    SLUG NAME      confirmed
//
// Arguments with more than one part are separated by single spaces
// (Arg("SLUG", "POOL", "URL") builds one).
package forms

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// ReadOnlyMsg is the footer's line when --readonly refuses an action.
const ReadOnlyMsg = "read-only: foyer tui --readonly makes no changes (start it without --readonly to change things)"

// Entries registers every form; tui/screens.go adds them to the console.
var Entries = []screen.Entry{
	{Name: "add-tenant", Summary: "add a tenant", New: newTenantAdd},
	{Name: "edit-tenant", Summary: "change a tenant's name and plan", New: newTenantEdit, NeedsArg: true},
	{Name: "suspend-tenant", Summary: "suspend a tenant", New: newTenantSuspend, NeedsArg: true},
	{Name: "resume-tenant", Summary: "resume a suspended tenant", New: newTenantResume, NeedsArg: true},
	{Name: "delete-tenant", Summary: "delete a tenant", New: newTenantDelete, NeedsArg: true},
	{Name: "backends", Summary: "a tenant's backends: add, remove, drain", New: newBackends, NeedsArg: true},
	{Name: "add-backend", Summary: "add a backend to a tenant's pool", New: newBackendAdd, NeedsArg: true},
	{Name: "remove-backend", Summary: "remove a backend", New: newBackendRemove, NeedsArg: true},
	{Name: "policy", Summary: "a tenant's policy: set KEY=VALUE", New: newPolicy, NeedsArg: true},
	{Name: "apikeys", Summary: "a tenant's API keys: create, revoke", New: newAPIKeys, NeedsArg: true},
	{Name: "create-apikey", Summary: "create an API key", New: newAPIKeyCreate, NeedsArg: true},
	{Name: "revoke-apikey", Summary: "revoke an API key", New: newAPIKeyRevoke, NeedsArg: true},
}

// Arg joins the parts of a form's argument ("acme", "default",
// "http://10.0.0.1:8080") as Open carries them.
func Arg(parts ...string) string { return strings.Join(parts, " ") }

// args splits an argument into n parts; missing ones are "".
func args(arg string, n int) []string {
	out := strings.SplitN(arg, " ", n)
	for len(out) < n {
		out = append(out, "")
	}
	return out
}

// Refusal is the screen a form becomes under --readonly: it closes at once
// and says why in the footer.
type Refusal struct{ title string }

// Refuse returns the screen an action becomes under --readonly (title is
// the action's): it closes at once with ReadOnlyMsg in the footer.
func Refuse(title string) screen.Screen { return &Refusal{title: title} }

// Init closes the screen and shows ReadOnlyMsg.
func (r *Refusal) Init() tea.Cmd {
	return tea.Batch(screen.BackCmd, screen.FlashCmd(ReadOnlyMsg, true))
}

// Update ignores everything: the screen is closing.
func (r *Refusal) Update(tea.Msg) (screen.Screen, tea.Cmd) { return r, nil }

// View is empty.
func (r *Refusal) View(w, h int) string { return styles.Box("", w, h) }

// Title is the refused form's title.
func (r *Refusal) Title() string { return r.title }

// Keys is none.
func (r *Refusal) Keys() []key.Binding { return nil }

// stamp formats t in UTC to the minute, or zero when t is unset.
func stamp(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format("2006-01-02 15:04")
}
