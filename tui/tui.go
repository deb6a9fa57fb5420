package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/keymap"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// Options are Run's settings; the zero value is a full-colour console that
// may change things.
type Options struct {
	// ReadOnly allows no changes (foyer tui --readonly): screens hide or
	// refuse every action.
	ReadOnly bool
	// NoColor drops colours (NO_COLOR in the environment does the same).
	NoColor bool
	// Input and Output are the terminal; nil means the process's own.
	Input  io.Reader
	Output io.Writer
	// Env is the terminal's environment (TERM, COLORTERM, NO_COLOR...);
	// nil means os.Environ().
	Env []string
	// ProgramOptions are added last (tests pin a size or colour profile).
	ProgramOptions []tea.ProgramOption
}

// NoDaemonError says no daemon answered on Socket when the TUI started.
type NoDaemonError struct {
	Socket string
	Err    error
}

func (e *NoDaemonError) Error() string {
	return fmt.Sprintf("no foyer daemon is running on %s: start it with `foyer serve`", e.Socket)
}

// Hint says how to point at another daemon.
func (e *NoDaemonError) Hint() string {
	return "or point at another data directory with --data DIR or FOYER_DATA"
}

func (e *NoDaemonError) Unwrap() error { return e.Err }

// Run shows the console until the person quits or ctx ends. It first asks
// the daemon for its status: when none answers it returns a
// *NoDaemonError at once, without touching the terminal. Later losses of
// the daemon show "reconnecting..." and recover by themselves.
func Run(ctx context.Context, c *api.Client, opts Options) error {
	st, err := c.Status(ctx)
	if err != nil {
		var ue *api.UnreachableError
		if errors.As(err, &ue) {
			return &NoDaemonError{Socket: c.Socket(), Err: err}
		}
		return fmt.Errorf("ask the daemon for its status: %w", err)
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	noColor := opts.NoColor || lookupEnv(env, "NO_COLOR") != ""
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := NewFeed(c)
	feed.Start(ctx)
	d := &data.Model{Socket: c.Socket(), Status: st, Conn: data.Connecting}
	app := NewApp(NewEnv(d, c, opts.ReadOnly, noColor), Screens(), Home, feed.Messages(), nil)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithEnvironment(env)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if noColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	popts = append(popts, opts.ProgramOptions...)
	_, err = tea.NewProgram(app, popts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// NewEnv returns the environment screens get.
func NewEnv(d *data.Model, c *api.Client, readOnly, noColor bool) *screen.Env {
	return &screen.Env{Data: d, Client: c, ReadOnly: readOnly, Styles: styles.New(noColor), Keys: keymap.Default()}
}

func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}
