// Package styles holds the TUI's Lip Gloss styles, so every screen looks the
// same. It is a leaf package: screens import it, it imports no screen.
//
// Colours are written in full (hex); Bubble Tea v2 downsamples them to the
// terminal's colour profile (truecolor, 256, 16, or none) when it renders,
// so a screen never asks what the terminal supports. NO_COLOR and
// --no-color are honoured by New(true), which keeps bold, faint and reverse
// but drops every colour.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is the set of styles every screen draws with. It is a plain value,
// safe to copy.
type Styles struct {
	NoColor bool

	Header      lipgloss.Style // the top bar
	HeaderKey   lipgloss.Style // a label in the header ("req/s")
	HeaderWarn  lipgloss.Style // "reconnecting..." in the header
	Footer      lipgloss.Style // the bottom bar of keys
	FooterKey   lipgloss.Style // a key in the footer
	Title       lipgloss.Style // a screen's title
	TableHead   lipgloss.Style // column headings
	Selected    lipgloss.Style // the row under the cursor
	Highlight   lipgloss.Style // a row that needs attention (5xx or p99 spike)
	Faint       lipgloss.Style // secondary text
	OK          lipgloss.Style // healthy, active
	Warn        lipgloss.Style // issuing, expiring, degraded
	Bad         lipgloss.Style // failed, down, 5xx
	Overlay     lipgloss.Style // the help overlay and the command prompt box
	Error       lipgloss.Style // an error message line
	Sparkline   lipgloss.Style // sparklines and charts
	SortedHead  lipgloss.Style // the heading of the sort column
	FilterInput lipgloss.Style // the filter prompt
}

// Palette colours (Bubble Tea downsamples them by profile).
var (
	colAccent = lipgloss.Color("#7D56F4")
	colOK     = lipgloss.Color("#3FB950")
	colWarn   = lipgloss.Color("#D29922")
	colBad    = lipgloss.Color("#F85149")
	colFaint  = lipgloss.Color("#8B949E")
	colBarFg  = lipgloss.Color("#E6EDF3")
	colBarBg  = lipgloss.Color("#30363D")
)

// New returns the styles; noColor drops every colour (NO_COLOR) but keeps
// bold, faint and reverse so the screen stays readable.
func New(noColor bool) Styles {
	c := func(col color.Color) color.Color {
		if noColor {
			return nil
		}
		return col
	}
	fg := func(s lipgloss.Style, col color.Color) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(col)
	}
	bar := lipgloss.NewStyle()
	if !noColor {
		bar = bar.Foreground(c(colBarFg)).Background(c(colBarBg))
	} else {
		bar = bar.Reverse(true)
	}
	s := Styles{NoColor: noColor}
	s.Header = bar
	s.HeaderKey = bar.Bold(true)
	s.HeaderWarn = fg(bar.Bold(true), colWarn)
	s.Footer = fg(lipgloss.NewStyle(), colFaint)
	s.FooterKey = fg(lipgloss.NewStyle().Bold(true), colAccent)
	s.Title = fg(lipgloss.NewStyle().Bold(true), colAccent)
	s.TableHead = lipgloss.NewStyle().Bold(true)
	s.SortedHead = fg(lipgloss.NewStyle().Bold(true).Underline(true), colAccent)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Highlight = fg(lipgloss.NewStyle().Bold(true), colBad)
	s.Faint = fg(lipgloss.NewStyle().Faint(true), colFaint)
	s.OK = fg(lipgloss.NewStyle(), colOK)
	s.Warn = fg(lipgloss.NewStyle(), colWarn)
	s.Bad = fg(lipgloss.NewStyle().Bold(true), colBad)
	s.Overlay = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1)
	if !noColor {
		s.Overlay = s.Overlay.BorderForeground(colAccent)
	}
	s.Error = fg(lipgloss.NewStyle().Bold(true), colBad)
	s.Sparkline = fg(lipgloss.NewStyle(), colAccent)
	s.FilterInput = fg(lipgloss.NewStyle().Bold(true), colAccent)
	return s
}
