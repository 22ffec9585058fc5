package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/vaultrepl/vaultrepl/theme"
)

// ink is a pre-rendered colour style: the escape sequences lipgloss puts
// before and after a single-line string. Panes style dozens of short
// fragments per frame; lipgloss.Style.Render measures and re-wraps each one,
// which dominated the frame time, while an ink is two concatenations.
type ink struct{ pre, suf string }

// marker is a private-use rune that no text contains.
const marker = "\uE000"

func newInk(s lipgloss.Style) ink {
	out := s.Render(marker)
	i := strings.Index(out, marker)
	if i < 0 {
		return ink{}
	}
	return ink{pre: out[:i], suf: out[i+len(marker):]}
}

// r styles one line of text.
func (k ink) r(s string) string {
	if k.pre == "" && k.suf == "" {
		return s
	}
	return k.pre + s + k.suf
}

// inks are the styles the panes use, pre-rendered once per model.
type inks struct {
	muted, accent, key, title, label, tag, section, note, hint, stale ink
	levels                                                            [5]ink
	glyphs                                                            theme.Glyphs
	// Border inks of the pane boxes: plain, focused, protected, both.
	box, focused, protected, protectedFocused ink
}

// borderInk is the colour of a box's border as an ink.
func borderInk(st theme.Styles, box lipgloss.Style) ink {
	return newInk(st.Renderer.NewStyle().Foreground(box.GetBorderTopForeground()))
}

func newInks(st theme.Styles) inks {
	k := inks{
		muted: newInk(st.Muted), accent: newInk(st.Accent), key: newInk(st.Pane.Key),
		title: newInk(st.Pane.Title), label: newInk(st.Pane.Label), tag: newInk(st.Pane.ProtectedTag),
		section: newInk(st.Pane.Section), note: newInk(st.Pane.Note), hint: newInk(st.Pane.Hint),
		stale: newInk(st.Pane.Stale), glyphs: st.Glyphs,
	}
	k.box, k.focused = borderInk(st, st.Pane.Box), borderInk(st, st.Pane.Focused)
	k.protected, k.protectedFocused = borderInk(st, st.Pane.Protected), borderInk(st, st.Pane.ProtectedFocused)
	for l := range k.levels {
		k.levels[l] = newInk(st.Level(theme.Level(l)))
	}
	return k
}

func (k inks) level(l theme.Level) ink {
	if l < 0 || int(l) >= len(k.levels) {
		return k.levels[theme.LevelUnknown]
	}
	return k.levels[l]
}

// badge is theme.Styles.Badge with inks: glyph and word in the level's colour.
func (k inks) badge(l theme.Level, word string) string {
	g := k.glyphs.Level(l)
	if word == "" {
		return k.level(l).r(g)
	}
	return k.level(l).r(g + " " + word)
}
