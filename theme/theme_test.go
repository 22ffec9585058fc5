package theme

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"
)

func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

func colourRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	return r
}

// Every Unicode glyph must be one cell wide everywhere: in a CJK locale
// (ambiguous runes become two cells) and where emoji are drawn wide.
func TestUnicodeGlyphsAreSingleWidthEverywhere(t *testing.T) {
	eastAsian := &runewidth.Condition{EastAsianWidth: true, StrictEmojiNeutral: false}
	for _, g := range UnicodeGlyphs().all() {
		for _, r := range g {
			if r > 0xFFFF {
				t.Errorf("glyph %q: rune U+%04X is outside the BMP", g, r)
			}
			if runewidth.IsAmbiguousWidth(r) {
				t.Errorf("glyph %q: rune U+%04X has ambiguous East Asian width", g, r)
			}
			if w := eastAsian.RuneWidth(r); w != 1 {
				t.Errorf("glyph %q: rune U+%04X is %d cells in an East Asian locale (emoji or wide)", g, r, w)
			}
		}
		if w := lipgloss.Width(g); w != utf8.RuneCountInString(g) {
			t.Errorf("glyph %q: lipgloss measures %d cells, want one per rune", g, w)
		}
	}
}

func TestASCIIGlyphsArePrintableASCII(t *testing.T) {
	for _, g := range ASCIIGlyphs().all() {
		if g == "" {
			t.Error("empty ASCII glyph")
		}
		for _, r := range g {
			if r < 0x21 || r > 0x7e {
				t.Errorf("ASCII glyph %q contains non-ASCII rune %q", g, r)
			}
		}
	}
}

func TestGlyphLevelsAreDistinct(t *testing.T) {
	for name, g := range map[string]Glyphs{"unicode": UnicodeGlyphs(), "ascii": ASCIIGlyphs()} {
		seen := map[string]Level{}
		for _, l := range []Level{LevelUnknown, LevelOK, LevelSyncing, LevelWarn, LevelCrit} {
			s := g.Level(l)
			if prev, dup := seen[s]; dup {
				t.Errorf("%s: levels %d and %d share glyph %q", name, prev, l, s)
			}
			seen[s] = l
		}
		if g.Level(Level(42)) != g.Unknown {
			t.Errorf("%s: an out-of-range level should draw the unknown glyph", name)
		}
	}
}

func TestPaletteByName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "default"}, {"default", "default"}, {"colorblind", "colorblind"},
		{"Colour-Blind", "colorblind"}, {" cb ", "colorblind"},
	} {
		p, err := PaletteByName(tc.in)
		if err != nil || p.Name != tc.want {
			t.Errorf("PaletteByName(%q) = %q, %v; want %q", tc.in, p.Name, err, tc.want)
		}
	}
	_, err := PaletteByName("solarized")
	if err == nil || !strings.Contains(err.Error(), "colorblind") || !strings.Contains(err.Error(), "default") {
		t.Errorf("unknown theme error should list the valid names, got %v", err)
	}
}

// The colour-blind palette must not draw OK and critical in the default
// green and red.
func TestColorBlindPaletteAvoidsGreenRed(t *testing.T) {
	d, cb := DefaultPalette(), ColorBlindPalette()
	if cb.OK == d.OK || cb.Crit == d.Crit {
		t.Fatalf("colour-blind palette reuses the default OK/Crit colours: %v %v", cb.OK, cb.Crit)
	}
	for _, c := range []lipgloss.TerminalColor{cb.OK, cb.Crit} {
		ac, ok := c.(lipgloss.AdaptiveColor)
		if !ok {
			t.Fatalf("colour %v is not adaptive", c)
		}
		for _, v := range []string{ac.Light, ac.Dark} {
			switch v {
			case "1", "2", "9", "10", "28", "34", "40", "46", "124", "160", "196":
				t.Errorf("colour-blind palette uses green/red index %s", v)
			}
		}
	}
}

func TestAsciiProfileRendersNoEscapes(t *testing.T) {
	for _, p := range []Palette{DefaultPalette(), ColorBlindPalette()} {
		st := New(asciiRenderer(), p)
		for _, out := range []string{
			st.Badge(LevelCrit, "critical"),
			st.Pane.Focused.Render("x"),
			st.Banner.Render("WARNING"),
			st.Pane.ProtectedTag.Render("PROTECTED"),
		} {
			if strings.Contains(out, "\x1b[") {
				t.Errorf("%s: Ascii profile rendered an escape sequence: %q", p.Name, out)
			}
		}
		if got := st.Badge(LevelOK, "ok"); got != "✓ ok" {
			t.Errorf("Badge = %q, want %q", got, "✓ ok")
		}
	}
}

func TestColourProfileRendersColour(t *testing.T) {
	st := New(colourRenderer(), DefaultPalette())
	if out := st.Badge(LevelCrit, "critical"); !strings.Contains(out, "\x1b[") {
		t.Errorf("ANSI256 profile rendered no colour: %q", out)
	}
}

// Focus and protection must be visible without colour: different border runes.
func TestBordersDifferInShape(t *testing.T) {
	for _, st := range []Styles{New(asciiRenderer(), DefaultPalette()), New(asciiRenderer(), DefaultPalette()).WithASCII()} {
		box := st.Pane.Box.Render("x")
		focused := st.Pane.Focused.Render("x")
		protected := st.Pane.Protected.Render("x")
		if box == focused || box == protected || focused == protected {
			t.Errorf("ascii=%v: pane borders are not distinct:\n%s\n%s\n%s", st.ASCII, box, focused, protected)
		}
		if st.ASCII {
			for _, out := range []string{box, focused, protected} {
				for _, r := range out {
					if r > 0x7e {
						t.Errorf("ASCII borders contain %q", r)
					}
				}
			}
		}
	}
}

func TestNewWithNilRendererAndPartialPalette(t *testing.T) {
	st := New(nil, Palette{Name: "custom", OK: lipgloss.Color("4")})
	if st.Renderer == nil {
		t.Fatal("nil renderer not replaced by the default")
	}
	if st.Palette.Crit == nil || st.Palette.Muted == nil || st.Palette.Inverse == nil {
		t.Fatal("unset palette colours were not filled from the default")
	}
	if st.Palette.OK != lipgloss.Color("4") {
		t.Fatal("a set palette colour was overwritten")
	}
	if st.Level(Level(-1)).GetForeground() != st.Level(LevelUnknown).GetForeground() {
		t.Fatal("out-of-range level should use the unknown style")
	}
}

// Styles are values: building a second set must not change the first.
func TestStylesAreIndependentValues(t *testing.T) {
	a := New(asciiRenderer(), DefaultPalette())
	before := a.Pane.Box.GetBorderTopForeground()
	_ = New(asciiRenderer(), ColorBlindPalette())
	b := a.WithASCII()
	if a.ASCII || !b.ASCII {
		t.Fatal("WithASCII changed the receiver or did not switch")
	}
	if a.Pane.Box.GetBorderTopForeground() != before {
		t.Fatal("building other styles mutated an existing value")
	}
}
