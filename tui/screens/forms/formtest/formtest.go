// Package formtest is the test harness of the action screens (forms and
// the domain wizard): Host, a minimal root that stacks screens and shows a
// footer, run in a real tea.Program through teatest v2 with an emulated
// screen; and Daemon, the real foyer daemon as a process on loopback and
// a temporary data directory (tui may not import the appliance).
package formtest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/keymap"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
	"github.com/foyerhq/foyer/tui/tuitest"
)

// Env returns a screen environment over d with c (nil for model tests),
// colourless styles and the shared keys.
func Env(d *data.Model, c *api.Client, readOnly bool) *screen.Env {
	if d == nil {
		d = &data.Model{}
	}
	return &screen.Env{Data: d, Client: c, ReadOnly: readOnly, Styles: styles.New(true), Keys: keymap.Default()}
}

// Host is a minimal root model: a stack of screens from a registry, the
// top one drawn above a footer line (a flash, or the top screen's keys),
// Open, Back and Flash handled as the console's root does. ctrl+c quits.
type Host struct {
	env      *screen.Env
	registry []screen.Entry
	stack    []screen.Screen
	flash    screen.Flash
	w, h     int
}

// NewHost opens the registry's screen name with arg.
func NewHost(env *screen.Env, registry []screen.Entry, name, arg string) *Host {
	h := &Host{env: env, registry: registry, w: 80, h: 24}
	h.push(screen.Open{Name: name, Arg: arg})
	return h
}

// NewHostWith hosts s, a screen the test made (to send it its own
// messages); registry serves the screens it opens.
func NewHostWith(env *screen.Env, registry []screen.Entry, s screen.Screen) *Host {
	return &Host{env: env, registry: registry, stack: []screen.Screen{s}, w: 80, h: 24}
}

func (h *Host) push(o screen.Open) tea.Cmd {
	for _, e := range h.registry {
		if e.Name == o.Name {
			s := e.New(h.env, o.Arg)
			h.stack = append(h.stack, s)
			return tea.Batch(s.Init(), h.toTop(tea.WindowSizeMsg{Width: h.w, Height: h.h - 1}))
		}
	}
	h.flash = screen.Flash{Text: "no screen named " + o.Name, Err: true}
	return nil
}

// Top is the screen on top (nil when every screen was closed).
func (h *Host) Top() screen.Screen {
	if len(h.stack) == 0 {
		return nil
	}
	return h.stack[len(h.stack)-1]
}

func (h *Host) toTop(msg tea.Msg) tea.Cmd {
	t := h.Top()
	if t == nil {
		return nil
	}
	t, cmd := t.Update(msg)
	h.stack[len(h.stack)-1] = t
	return cmd
}

// Init runs the first screen's Init.
func (h *Host) Init() tea.Cmd {
	if t := h.Top(); t != nil {
		return t.Init()
	}
	return nil
}

// Update routes a message as the console's root does.
func (h *Host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.w, h.h = msg.Width, msg.Height
		return h, h.toTop(tea.WindowSizeMsg{Width: h.w, Height: h.h - 1})
	case screen.Open:
		return h, h.push(msg)
	case screen.Back:
		if len(h.stack) > 0 {
			h.stack = h.stack[:len(h.stack)-1]
		}
		return h, nil
	case screen.Flash:
		h.flash = msg
		return h, nil
	case data.Lists:
		h.env.Data.Apply(msg)
		return h, h.toTop(data.Updated{What: "lists"})
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return h, tea.Quit
		}
		h.flash = screen.Flash{}
	}
	return h, h.toTop(msg)
}

// View draws the top screen and the footer.
func (h *Host) View() tea.View {
	body := styles.Box("(closed)", h.w, h.h-1)
	var ks []key.Binding
	if t := h.Top(); t != nil {
		body = t.View(h.w, h.h-1)
		ks = t.Keys()
	}
	foot := h.flash.Text
	if foot == "" {
		var parts []string
		for _, k := range ks {
			parts = append(parts, k.Help().Key+" "+k.Help().Desc)
		}
		foot = strings.Join(parts, "  ")
	}
	if h.flash.Err {
		foot = "! " + foot
	}
	return tea.NewView(body + "\n" + styles.Fit(foot, h.w))
}

// Term is a Host running in a real tea.Program with an emulated screen
// (tuitest.Term).
type Term struct {
	*tuitest.Term
	Host *Host
}

// Run starts host at w x h cells.
func Run(t *testing.T, host *Host, w, h int) *Term {
	t.Helper()
	return &Term{Term: tuitest.Start(t, host, w, h), Host: host}
}

// Quit ends the program and returns the host as it ended.
func (s *Term) Quit() *Host {
	s.T.Helper()
	return s.Term.Quit().(*Host)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the foyer binary once per test process.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the foyer binary; skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "foyer-forms-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "foyer")
		if out, err := exec.Command("go", "build", "-o", builtBin, "github.com/foyerhq/foyer/cmd/foyer").CombinedOutput(); err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// Daemon runs `foyer serve` on a temporary data directory with every
// listener on 127.0.0.1, waits until its admin socket answers, and stops
// it when the test ends. extra are more serve flags.
func Daemon(t *testing.T, extra ...string) *api.Client {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--ops", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary(t), args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("foyer serve:\n%s", logs.String())
		}
	})
	c := api.NewClient(filepath.Join(dir, api.SocketName))
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := c.Status(context.Background()); err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatal("foyer serve did not answer in 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Lists reads the daemon's tenants, backends and domains as the feed
// would, for a test to send to a Host (or apply to a data.Model).
func Lists(t *testing.T, c *api.Client) data.Lists {
	t.Helper()
	ctx := context.Background()
	ts, err := c.AllTenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := data.Lists{Time: time.Now(), Tenants: ts, Backends: map[string][]api.Backend{}, Domains: []api.Domain{}}
	for _, tn := range ts {
		bs, err := c.Backends(ctx, tn.Slug)
		if err != nil {
			t.Fatal(err)
		}
		l.Backends[tn.Slug] = bs
		ds, err := c.Domains(ctx, tn.Slug)
		if err != nil {
			t.Fatal(err)
		}
		l.Domains = append(l.Domains, ds...)
	}
	return l
}
