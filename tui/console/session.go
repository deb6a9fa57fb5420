package console

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui"
	"github.com/foyerhq/foyer/tui/data"
)

// roleAdmin is the api.SSHKey.Role that may change things; "viewer" and
// "tenant:SLUG" may not (beyond the tenant's own scope, which the API
// decides).
const roleAdmin = "admin"

// handle serves one session: a command runs the CLI (exec), a terminal
// without a command runs the console. Each is limited to the key's role
// by the API client the session gets, and counted against the key's
// session limit.
func (s *Server) handle(sess ssh.Session) {
	k, err := s.keyOf(sess)
	if err != nil {
		fail(sess, err.Error(), "ask an admin to add your key: foyer ssh-key add NAME --role ROLE --key '...'")
		return
	}
	release, err := s.acquire(k)
	if err != nil {
		fail(sess, err.Error(), "close another session of this key first")
		return
	}
	defer release()
	c := s.opts.Client(k)
	defer c.CloseIdle()
	remote := hostOf(sess.RemoteAddr())
	_, _, isPty := sess.Pty()
	s.log.Info("SSH session started", "key", k.Name, "fingerprint", k.Fingerprint, "role", k.Role,
		"remote", remote, "pty", isPty, "command", len(sess.Command()) > 0)
	code := 0
	switch {
	case len(sess.Command()) > 0:
		code = s.exec(sess, c)
	case isPty:
		code = s.console(sess, k, c)
	default:
		fail(sess, "no command and no terminal", "run `ssh -t ...` for the console, or give a command such as `tenant list --json`")
		return
	}
	s.log.Info("SSH session ended", "key", k.Name, "remote", remote, "exit", code)
	_ = sess.Exit(code)
}

// fail writes an error (and a hint) to the session's stderr and ends it
// with status 1.
func fail(sess ssh.Session, msg, hint string) {
	nl := "\n"
	if _, _, isPty := sess.Pty(); isPty {
		nl = "\r\n" // a terminal in raw mode does not return the carriage itself
	}
	fmt.Fprintf(sess.Stderr(), "error: %s%s", msg, nl)
	if hint != "" {
		fmt.Fprintf(sess.Stderr(), "hint: %s%s", hint, nl)
	}
	_ = sess.Exit(1)
}

// keyOf looks up the key the session's connection authenticated with
// (not merely one the client offered) in the store, now: a key removed
// since the login opens no new session.
func (s *Server) keyOf(sess ssh.Session) (api.SSHKey, error) {
	pk := sess.PublicKey()
	if pk == nil {
		return api.SSHKey{}, errors.New("the connection has no public key")
	}
	k, err := s.opts.Lookup(sess.Context(), gossh.FingerprintSHA256(pk))
	if err != nil {
		return api.SSHKey{}, fmt.Errorf("key %s: %w", gossh.FingerprintSHA256(pk), err)
	}
	return k, nil
}

// acquire counts a session of k against MaxSessionsPerKey; release gives
// it back.
func (s *Server) acquire(k api.SSHKey) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[k.Fingerprint] >= s.opts.MaxSessionsPerKey {
		return nil, fmt.Errorf("ssh key %s already has %d sessions open (the limit)", k.Name, s.opts.MaxSessionsPerKey)
	}
	s.sessions[k.Fingerprint]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.sessions[k.Fingerprint]--; s.sessions[k.Fingerprint] <= 0 {
			delete(s.sessions, k.Fingerprint)
		}
	}, nil
}

// exec runs the session's command through Options.Exec.
func (s *Server) exec(sess ssh.Session, c *api.Client) int {
	if s.opts.Exec == nil {
		fmt.Fprintln(sess.Stderr(), "error: this console runs no commands")
		return 1
	}
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	return s.opts.Exec(ctx, c, sess.Command(), sess, sess, sess.Stderr())
}

// console runs the Bubble Tea program for the session's terminal, sized
// to it and following its window changes, until the person quits or the
// connection ends.
func (s *Server) console(sess ssh.Session, k api.SSHKey, c *api.Client) int {
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	noColor := lookupEnv(sess.Environ(), "NO_COLOR") != ""
	m, err := s.model(ctx, k, c, noColor)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "error: %s\r\n", err)
		return 1
	}
	opts := append(bubbletea.MakeOptions(sess), tea.WithContext(ctx))
	if noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	opts = append(opts, s.opts.ProgramOptions...)
	p := tea.NewProgram(m, opts...)
	_, windows, _ := sess.Pty()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w, ok := <-windows:
				if !ok {
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	_, err = p.Run()
	p.Kill() // restores the terminal if the program ended abnormally
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		s.log.Warn("SSH console program ended with an error", "key", k.Name, "err", err)
		return 1
	}
	return 0
}

// model returns the program of a session of k: the console `foyer tui`
// runs (read-only for a viewer), or, for a tenant key, the tenant page
// (tenant.go), since the console's lists span every tenant and the API
// refuses them to a tenant's identity.
func (s *Server) model(ctx context.Context, k api.SSHKey, c *api.Client, noColor bool) (tea.Model, error) {
	if slug, ok := strings.CutPrefix(k.Role, "tenant:"); ok {
		return newTenantPage(c, k, slug, s.opts.Refresh), nil
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("ask the daemon for its status: %w", err)
	}
	// As tui.Run builds it, but the program is ours, to send it window
	// changes.
	feed := tui.NewFeed(c)
	feed.Start(ctx)
	d := &data.Model{Socket: c.Socket(), Status: st, Conn: data.Connecting}
	readOnly := k.Role != roleAdmin
	return tui.NewApp(tui.NewEnv(d, c, readOnly, noColor), tui.Screens(), tui.Home, feed.Messages(), nil), nil
}

func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}
