package tui

import (
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/detail"
	"github.com/foyerhq/foyer/tui/screens/domains"
	"github.com/foyerhq/foyer/tui/screens/forms"
	"github.com/foyerhq/foyer/tui/screens/logs"
	"github.com/foyerhq/foyer/tui/screens/tenants"
	"github.com/foyerhq/foyer/tui/screens/wizard"
)

// Home is the screen the console opens on.
const Home = "tenants"

// Screens is every screen the console knows, in the order `:` and the help
// overlay list them. Adding a screen is one line here (and its package
// under tui/screens/). Names opened before their screen exists (enter on a
// tenant opens "detail") answer with a message in the footer.
func Screens() []screen.Entry {
	return append([]screen.Entry{
		tenants.Entry,
		detail.Entry,
		domains.Entry,
		logs.Entry,
		wizard.Entry,
	}, forms.Entries...) // the actions: add-tenant, edit-tenant, backends, policy, apikeys...
}
