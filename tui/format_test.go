package tui

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/theme"
)

// cellWidth must agree with ansi.StringWidth on everything views draw.
func TestCellWidthAgreesWithAnsi(t *testing.T) {
	st := asciiStyles()
	cases := []string{
		"", "plain ascii", "tab\there", "\x1b[1;31mred\x1b[0m and plain", "\x1b]8;;http://x\x07link\x1b]8;;\x07",
		"╭──╮ │ ╰──╯ ║ ═ ┃ ━", "✓ ok ↻ syncing ▴ warn ✗ crit ? unknown", "› ⚑ ⟶ ∙ ⋯ ▰▱",
		"日本語クラスタ", "emoji ✅ ⭐ ☔", "café naïve Ελληνικά", "é combining", "10:06:22 ∙ updated 2s ago",
		st.Badge(theme.LevelOK, "ok"), st.Pane.ProtectedTag.Render("⚑ PROTECTED"),
	}
	for _, g := range []theme.Glyphs{theme.UnicodeGlyphs(), theme.ASCIIGlyphs()} {
		for _, l := range []theme.Level{theme.LevelOK, theme.LevelSyncing, theme.LevelWarn, theme.LevelCrit, theme.LevelUnknown} {
			cases = append(cases, g.Level(l)+" word")
		}
		cases = append(cases, g.Focus+g.Protected+g.Link+g.Sep+g.Ellipsis+g.BarFull+g.BarEmpty+g.InSync+g.Diverged)
	}
	for _, c := range cases {
		if got, want := cellWidth(c), ansi.StringWidth(c); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi.StringWidth = %d", c, got, want)
		}
	}
}

func TestShellWrapKeepsCommandsPasteable(t *testing.T) {
	lines := shellWrap(healthCurl("https://vault.example.com:8200"), 60)
	for i, l := range lines {
		if len(l) > 60 {
			t.Errorf("line %d is %d long: %q", i, len(l), l)
		}
		if i < len(lines)-1 && l[len(l)-1] != '\\' {
			t.Errorf("line %d lacks the continuation: %q", i, l)
		}
	}
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if len(l) > 3 && l[len(l)-3:] == " -d" {
			t.Errorf("a -d flag was split from its value: %q", l)
		}
	}
}

func TestDurationFormats(t *testing.T) {
	for _, tc := range []struct {
		d       time.Duration
		ago, ms string
	}{
		{0, "0s", "0ms"},
		{660 * time.Millisecond, "0s", "660ms"},
		{9060 * time.Millisecond, "9s", "9.1s"},
		{-1500 * time.Millisecond, "0s", "-1.5s"},
		{75 * time.Second, "1m15s", "1m15s"},
		{3*time.Hour + 2*time.Minute, "3h02m", "3h02m"},
		{72 * time.Hour, "3d", "3d"},
	} {
		if got := ago(tc.d); got != tc.ago {
			t.Errorf("ago(%v) = %q, want %q", tc.d, got, tc.ago)
		}
		if got := ms(tc.d); got != tc.ms {
			t.Errorf("ms(%v) = %q, want %q", tc.d, got, tc.ms)
		}
	}
}
