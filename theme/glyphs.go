package theme

// Glyphs are the symbols the UI draws next to words. The Unicode set holds
// only single-width BMP runes whose East Asian Width is Neutral and that have
// no emoji presentation: lipgloss v1 measures ambiguous-width and emoji runes
// wrongly and breaks borders with them (lipgloss #55, #562). Every glyph is
// always shown next to a word, so the ASCII set loses no meaning.
type Glyphs struct {
	OK        string // healthy
	Syncing   string // healthy but catching up
	Warn      string // needs attention
	Crit      string // broken now
	Unknown   string // not enough data
	Focus     string // marks the focused pane or row (text, so it survives NO_COLOR)
	Protected string // next to the PROTECTED word
	Link      string // primary → secondary in the topology
	Sep       string // between short items on one line
	Ellipsis  string // text was cut
	BarFull   string // progress bar, done part
	BarEmpty  string // progress bar, remaining part
	InSync    string // merkle roots equal
	Diverged  string // merkle roots differ
}

// UnicodeGlyphs is the default glyph set.
func UnicodeGlyphs() Glyphs {
	return Glyphs{
		OK:        "✓", // U+2713
		Syncing:   "↻", // U+21BB
		Warn:      "▴", // U+25B4
		Crit:      "✗", // U+2717
		Unknown:   "?",
		Focus:     "›", // U+203A
		Protected: "⚑", // U+2691
		Link:      "⟶", // U+27F6
		Sep:       "∙", // U+2219
		Ellipsis:  "⋯", // U+22EF
		BarFull:   "▰", // U+25B0
		BarEmpty:  "▱", // U+25B1
		InSync:    "✓",
		Diverged:  "✗",
	}
}

// ASCIIGlyphs is the fallback for terminals or fonts without those runes.
func ASCIIGlyphs() Glyphs {
	return Glyphs{
		OK:        "+",
		Syncing:   "~",
		Warn:      "!",
		Crit:      "x",
		Unknown:   "?",
		Focus:     ">",
		Protected: "#",
		Link:      "->",
		Sep:       "|",
		Ellipsis:  "~",
		BarFull:   "#",
		BarEmpty:  ".",
		InSync:    "=",
		Diverged:  "!=",
	}
}

// Level returns the glyph of a health level.
func (g Glyphs) Level(l Level) string {
	switch l {
	case LevelOK:
		return g.OK
	case LevelSyncing:
		return g.Syncing
	case LevelWarn:
		return g.Warn
	case LevelCrit:
		return g.Crit
	case LevelUnknown:
		return g.Unknown
	}
	return g.Unknown
}

// all lists every glyph, for the width test.
func (g Glyphs) all() []string {
	return []string{g.OK, g.Syncing, g.Warn, g.Crit, g.Unknown, g.Focus, g.Protected,
		g.Link, g.Sep, g.Ellipsis, g.BarFull, g.BarEmpty, g.InSync, g.Diverged}
}
