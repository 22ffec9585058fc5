// Package theme holds vaultrepl's look: palettes named by purpose, styles
// grouped by component, and glyphs with ASCII fallbacks. It imports lipgloss
// only, so every UI package (the dashboard, the wizards) can share one value
// built once in cmd and passed down; nothing here is a mutable package global.
//
// Meaning is never carried by colour alone: every level has a glyph, and the
// callers print a word next to it. Under NO_COLOR (or --no-color, which selects
// the same Ascii colour profile on the renderer) the screens read the same.
package theme

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Level is a health level as the theme draws it. The UI maps its domain
// severities onto these; theme knows nothing about Vault.
type Level int

const (
	// LevelUnknown is not enough data to judge.
	LevelUnknown Level = iota
	// LevelOK is healthy.
	LevelOK
	// LevelSyncing is healthy but catching up.
	LevelSyncing
	// LevelWarn needs attention soon.
	LevelWarn
	// LevelCrit is broken now.
	LevelCrit
)

// Palette is a set of colours named by what they mean. The built-in palettes
// use ANSI indices 0–15 and the 256-colour cube as adaptive light/dark pairs,
// so they follow the user's terminal theme.
type Palette struct {
	Name string

	Text        lipgloss.TerminalColor // ordinary text (terminal default)
	Muted       lipgloss.TerminalColor // secondary text, stale data
	Accent      lipgloss.TerminalColor // titles, focus, key hints
	Border      lipgloss.TerminalColor // unfocused pane borders
	FocusBorder lipgloss.TerminalColor // the focused pane's border
	Protected   lipgloss.TerminalColor // protected (production) clusters
	OK          lipgloss.TerminalColor
	Syncing     lipgloss.TerminalColor
	Warn        lipgloss.TerminalColor
	Crit        lipgloss.TerminalColor
	Unknown     lipgloss.TerminalColor
	Inverse     lipgloss.TerminalColor // text drawn on a coloured background (banners, tags)
}

// DefaultPalette is green/cyan/yellow/red on the terminal's own colours.
func DefaultPalette() Palette {
	return Palette{
		Name:        "default",
		Text:        lipgloss.NoColor{},
		Muted:       lipgloss.AdaptiveColor{Light: "243", Dark: "245"},
		Accent:      lipgloss.AdaptiveColor{Light: "4", Dark: "12"},
		Border:      lipgloss.AdaptiveColor{Light: "250", Dark: "238"},
		FocusBorder: lipgloss.AdaptiveColor{Light: "4", Dark: "12"},
		Protected:   lipgloss.AdaptiveColor{Light: "5", Dark: "13"},
		OK:          lipgloss.AdaptiveColor{Light: "2", Dark: "10"},
		Syncing:     lipgloss.AdaptiveColor{Light: "6", Dark: "14"},
		Warn:        lipgloss.AdaptiveColor{Light: "3", Dark: "11"},
		Crit:        lipgloss.AdaptiveColor{Light: "1", Dark: "9"},
		Unknown:     lipgloss.AdaptiveColor{Light: "242", Dark: "250"},
		Inverse:     lipgloss.AdaptiveColor{Light: "15", Dark: "0"},
	}
}

// ColorBlindPalette replaces green/red with blue/orange (after the Okabe–Ito
// set), which deuteranopes and protanopes can tell apart.
func ColorBlindPalette() Palette {
	p := DefaultPalette()
	p.Name = "colorblind"
	p.Accent = lipgloss.AdaptiveColor{Light: "90", Dark: "177"}
	p.FocusBorder = p.Accent
	p.Protected = lipgloss.AdaptiveColor{Light: "126", Dark: "205"}
	p.OK = lipgloss.AdaptiveColor{Light: "25", Dark: "33"}
	p.Syncing = lipgloss.AdaptiveColor{Light: "31", Dark: "117"}
	p.Warn = lipgloss.AdaptiveColor{Light: "136", Dark: "220"}
	p.Crit = lipgloss.AdaptiveColor{Light: "166", Dark: "208"}
	return p
}

var palettes = map[string]func() Palette{
	"default":    DefaultPalette,
	"colorblind": ColorBlindPalette,
}

// PaletteNames lists the names PaletteByName accepts.
func PaletteNames() []string {
	names := make([]string, 0, len(palettes))
	for n := range palettes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PaletteByName returns a built-in palette; "" is the default. The error
// lists the valid names, for a flag or config error message.
func PaletteByName(name string) (Palette, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "":
		return DefaultPalette(), nil
	case "colourblind", "color-blind", "colour-blind", "cb":
		n = "colorblind"
	}
	if f, ok := palettes[n]; ok {
		return f(), nil
	}
	return Palette{}, fmt.Errorf("unknown theme %q (valid: %s)", name, strings.Join(PaletteNames(), ", "))
}

// Borders are the pane frames. Focus and protection differ in shape as well as
// colour, so they stay visible under NO_COLOR.
type Borders struct {
	Pane      lipgloss.Border
	Focused   lipgloss.Border
	Protected lipgloss.Border
	Modal     lipgloss.Border
}

func unicodeBorders() Borders {
	return Borders{
		Pane:      lipgloss.RoundedBorder(),
		Focused:   lipgloss.ThickBorder(),
		Protected: lipgloss.DoubleBorder(),
		Modal:     lipgloss.RoundedBorder(),
	}
}

func asciiBorders() Borders {
	focused := lipgloss.ASCIIBorder()
	focused.Top, focused.Bottom = "=", "="
	protected := lipgloss.ASCIIBorder()
	protected.Top, protected.Bottom, protected.Left, protected.Right = "#", "#", "#", "#"
	protected.TopLeft, protected.TopRight, protected.BottomLeft, protected.BottomRight = "#", "#", "#", "#"
	return Borders{
		Pane:      lipgloss.ASCIIBorder(),
		Focused:   focused,
		Protected: protected,
		Modal:     lipgloss.ASCIIBorder(),
	}
}

// HeaderStyles style the top bar.
type HeaderStyles struct {
	Bar      lipgloss.Style // the whole line
	Title    lipgloss.Style // the app name
	Item     lipgloss.Style // one fact ("3/4 reachable")
	Paused   lipgloss.Style
	ReadOnly lipgloss.Style
}

// PaneStyles style one cluster pane. Box, Focused, Protected and
// ProtectedFocused carry the border; their Width excludes it (lipgloss v1),
// so callers subtract GetHorizontalFrameSize themselves.
type PaneStyles struct {
	Box              lipgloss.Style
	Focused          lipgloss.Style
	Protected        lipgloss.Style
	ProtectedFocused lipgloss.Style
	Title            lipgloss.Style // cluster name
	Label            lipgloss.Style // the configured label
	ProtectedTag     lipgloss.Style // the PROTECTED word
	Section          lipgloss.Style // "Performance", "DR"
	Key              lipgloss.Style // field names
	Value            lipgloss.Style // field values
	Stale            lipgloss.Style // last good data after a failed poll
	Note             lipgloss.Style // calm explanations (CE, DR secondary, sealed)
	Hint             lipgloss.Style // what to do about an error
}

// DetailStyles style the detail, topology and command views.
type DetailStyles struct {
	Title       lipgloss.Style
	Heading     lipgloss.Style
	Key         lipgloss.Style
	Value       lipgloss.Style
	TableHeader lipgloss.Style
	Cell        lipgloss.Style
	Code        lipgloss.Style // a vault CLI command
}

// HelpStyles mirror bubbles' help.Styles without importing bubbles.
type HelpStyles struct {
	Key       lipgloss.Style
	Desc      lipgloss.Style
	Sep       lipgloss.Style
	Ellipsis  lipgloss.Style
	Title     lipgloss.Style
	Disabled  lipgloss.Style
	LegendKey lipgloss.Style
}

// FormStyles are for the wizards and any modal that asks for input.
type FormStyles struct {
	Title        lipgloss.Style
	Step         lipgloss.Style // "step 2 of 5"
	Prompt       lipgloss.Style
	Input        lipgloss.Style
	Placeholder  lipgloss.Style
	Danger       lipgloss.Style // the purge warning box (border included)
	Code         lipgloss.Style // the equivalent vault command
	Secret       lipgloss.Style // a masked token
	Button       lipgloss.Style
	ButtonActive lipgloss.Style
	Error        lipgloss.Style
	Success      lipgloss.Style
}

// Styles is every style the UI uses, built by New from a renderer and a
// palette. It is a value: copy it freely; nothing in it is shared mutable state.
type Styles struct {
	Renderer *lipgloss.Renderer
	Palette  Palette
	Glyphs   Glyphs
	Borders  Borders
	ASCII    bool // glyphs and borders are ASCII-only

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Accent lipgloss.Style
	Bold   lipgloss.Style

	levels [5]lipgloss.Style

	Header HeaderStyles
	Banner lipgloss.Style // persistent warnings (TLS verification off)
	Footer lipgloss.Style
	Flash  lipgloss.Style
	Pane   PaneStyles
	Detail DetailStyles
	Modal  lipgloss.Style // a bordered overlay box
	Help   HelpStyles
	Form   FormStyles
}

// New builds the styles for renderer r (which decides the colour profile:
// NO_COLOR and --no-color give Ascii) and palette p, with Unicode glyphs.
// A nil renderer means lipgloss's default renderer.
func New(r *lipgloss.Renderer, p Palette) Styles {
	return build(r, p, false)
}

// WithASCII returns the same styles with ASCII glyphs and borders, for
// terminals whose font or locale cannot draw the Unicode set.
func (s Styles) WithASCII() Styles {
	return build(s.Renderer, s.Palette, true)
}

// Level returns the style of a health level (its colour, bold for the bad ones).
func (s Styles) Level(l Level) lipgloss.Style {
	if l < 0 || int(l) >= len(s.levels) {
		return s.levels[LevelUnknown]
	}
	return s.levels[l]
}

// Badge renders a level as glyph + word in the level's colour, e.g. "✓ ok".
// The word is what makes it readable without colour.
func (s Styles) Badge(l Level, word string) string {
	g := s.Glyphs.Level(l)
	if word == "" {
		return s.Level(l).Render(g)
	}
	return s.Level(l).Render(g + " " + word)
}

func build(r *lipgloss.Renderer, p Palette, ascii bool) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	fill(&p)
	st := Styles{Renderer: r, Palette: p, ASCII: ascii}
	if ascii {
		st.Glyphs, st.Borders = ASCIIGlyphs(), asciiBorders()
	} else {
		st.Glyphs, st.Borders = UnicodeGlyphs(), unicodeBorders()
	}
	ns := r.NewStyle
	st.Text = ns().Foreground(p.Text)
	st.Muted = ns().Foreground(p.Muted)
	st.Accent = ns().Foreground(p.Accent)
	st.Bold = ns().Bold(true)

	st.levels[LevelUnknown] = ns().Foreground(p.Unknown)
	st.levels[LevelOK] = ns().Foreground(p.OK)
	st.levels[LevelSyncing] = ns().Foreground(p.Syncing)
	st.levels[LevelWarn] = ns().Foreground(p.Warn).Bold(true)
	st.levels[LevelCrit] = ns().Foreground(p.Crit).Bold(true)

	st.Header = HeaderStyles{
		Bar:      ns(),
		Title:    ns().Foreground(p.Accent).Bold(true),
		Item:     ns(),
		Paused:   ns().Foreground(p.Inverse).Background(p.Warn).Bold(true),
		ReadOnly: ns().Foreground(p.Accent),
	}
	st.Banner = ns().Foreground(p.Inverse).Background(p.Warn).Bold(true)
	st.Footer = ns().Foreground(p.Muted)
	st.Flash = ns().Foreground(p.Accent)

	box := ns().Border(st.Borders.Pane).BorderForeground(p.Border).Padding(0, 1)
	st.Pane = PaneStyles{
		Box:              box,
		Focused:          box.Border(st.Borders.Focused).BorderForeground(p.FocusBorder),
		Protected:        box.Border(st.Borders.Protected).BorderForeground(p.Protected),
		ProtectedFocused: box.Border(st.Borders.Protected).BorderForeground(p.FocusBorder),
		Title:            ns().Bold(true),
		Label:            ns().Foreground(p.Muted),
		ProtectedTag:     ns().Foreground(p.Inverse).Background(p.Protected).Bold(true),
		Section:          ns().Foreground(p.Accent).Bold(true),
		Key:              ns().Foreground(p.Muted),
		Value:            ns(),
		Stale:            ns().Foreground(p.Muted).Faint(true),
		Note:             ns().Foreground(p.Syncing),
		Hint:             ns().Foreground(p.Muted).Italic(true),
	}
	st.Detail = DetailStyles{
		Title:       ns().Foreground(p.Accent).Bold(true),
		Heading:     ns().Foreground(p.Accent).Bold(true).Underline(true),
		Key:         ns().Foreground(p.Muted),
		Value:       ns(),
		TableHeader: ns().Bold(true),
		Cell:        ns(),
		Code:        ns().Foreground(p.Accent),
	}
	st.Modal = ns().Border(st.Borders.Modal).BorderForeground(p.FocusBorder).Padding(0, 1)
	st.Help = HelpStyles{
		Key:       ns().Foreground(p.Accent),
		Desc:      ns().Foreground(p.Muted),
		Sep:       ns().Foreground(p.Border),
		Ellipsis:  ns().Foreground(p.Muted),
		Title:     ns().Bold(true),
		Disabled:  ns().Foreground(p.Border),
		LegendKey: ns().Bold(true),
	}
	st.Form = FormStyles{
		Title:        ns().Foreground(p.Accent).Bold(true),
		Step:         ns().Foreground(p.Muted),
		Prompt:       ns().Bold(true),
		Input:        ns(),
		Placeholder:  ns().Foreground(p.Muted),
		Danger:       ns().Border(st.Borders.Protected).BorderForeground(p.Crit).Foreground(p.Crit).Padding(0, 1),
		Code:         ns().Foreground(p.Accent),
		Secret:       ns().Foreground(p.Warn),
		Button:       ns().Padding(0, 1).Border(st.Borders.Pane).BorderForeground(p.Border),
		ButtonActive: ns().Padding(0, 1).Border(st.Borders.Focused).BorderForeground(p.FocusBorder).Bold(true),
		Error:        ns().Foreground(p.Crit),
		Success:      ns().Foreground(p.OK),
	}
	return st
}

// fill gives every unset colour a value so a partial custom palette works.
func fill(p *Palette) {
	d := DefaultPalette()
	set := func(dst *lipgloss.TerminalColor, def lipgloss.TerminalColor) {
		if *dst == nil {
			*dst = def
		}
	}
	set(&p.Text, d.Text)
	set(&p.Muted, d.Muted)
	set(&p.Accent, d.Accent)
	set(&p.Border, d.Border)
	set(&p.FocusBorder, d.FocusBorder)
	set(&p.Protected, d.Protected)
	set(&p.OK, d.OK)
	set(&p.Syncing, d.Syncing)
	set(&p.Warn, d.Warn)
	set(&p.Crit, d.Crit)
	set(&p.Unknown, d.Unknown)
	set(&p.Inverse, d.Inverse)
}
