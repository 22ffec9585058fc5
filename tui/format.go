package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// level maps a domain severity onto the theme's levels.
func level(s ops.Severity) theme.Level {
	switch s {
	case ops.SeverityOK:
		return theme.LevelOK
	case ops.SeveritySyncing:
		return theme.LevelSyncing
	case ops.SeverityWarning:
		return theme.LevelWarn
	case ops.SeverityCritical:
		return theme.LevelCrit
	case ops.SeverityUnknown, ops.SeverityNA:
		return theme.LevelUnknown
	}
	return theme.LevelUnknown
}

// stateSeverity is Vault's own UI classification of a state
// (cluster-states.js): ok, syncing, or not ok; unknown stays unknown.
func stateSeverity(s ops.State) ops.Severity {
	switch s {
	case ops.StateRunning, ops.StateReady, ops.StateStreamWALs:
		return ops.SeverityOK
	case ops.StateMerkleDiff, ops.StateMerkleSync, ops.StateConnecting:
		return ops.SeveritySyncing
	case ops.StateIdle, ops.StateTransientFailure, ops.StateShutdown:
		return ops.SeverityCritical
	case ops.StateUnknown:
		return ops.SeverityUnknown
	}
	return ops.SeverityUnknown
}

// connSeverity classifies a secondary's connection_state the same way.
func connSeverity(c ops.ConnectionState) ops.Severity {
	switch c {
	case ops.ConnReady:
		return ops.SeverityOK
	case ops.ConnConnecting:
		return ops.SeveritySyncing
	case ops.ConnIdle, ops.ConnTransientFailure, ops.ConnShutdown:
		return ops.SeverityCritical
	case ops.ConnUnknown:
		return ops.SeverityUnknown
	}
	return ops.SeverityUnknown
}

func modeWord(s ops.TypeStatus) string {
	if s.Mode == ops.ModeUnknown && s.RawMode != "" {
		return s.RawMode
	}
	return s.Mode.String()
}

func stateWord(s ops.TypeStatus) string { return spelled(s.State.String(), s.RawState) }

func connWord(s ops.TypeStatus) string { return spelled(s.ConnectionState.String(), s.RawConnection) }

// spelled is an enum's word, else what Vault sent when vaultrepl does not
// know it, else "unknown".
func spelled(word, raw string) string {
	switch {
	case word != "":
		return word
	case raw != "":
		return raw
	}
	return "unknown"
}

// shortID is the first block of a UUID or the first 8 characters of a hash:
// enough to tell replication sets and merkle roots apart at a glance.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 && i <= 8 {
		return id[:i]
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// ago formats a duration for "updated 12s ago": whole seconds below a
// minute, then minutes and seconds, hours and minutes, days.
func ago(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// ms formats a short duration: milliseconds below a second, seconds with a
// tenth below ten seconds, then as ago does.
func ms(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Second:
		s = strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < 10*time.Second:
		s = strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	default:
		s = ago(d)
	}
	if neg {
		return "-" + s
	}
	return s
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("15:04:05")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("2006-01-02 15:04:05 MST")
}

// errorSummary is the classified one-liner for an error, without the
// "<op> of <cluster>:" prefix (the pane already names the cluster).
func errorSummary(err error) string {
	if err == nil {
		return ""
	}
	var oe *ops.Error
	if errors.As(err, &oe) {
		s := oe.Summary()
		if d := lastClause(oe.Detail()); d != "" && !strings.Contains(strings.ToLower(s), strings.ToLower(d)) {
			s += " (" + d + ")"
		}
		return s
	}
	return err.Error()
}

// lastClause is the most specific part of a wrapped Go error: "dial tcp
// 10.0.2.10:8200: connect: connection refused" gives "connection refused".
func lastClause(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		s = s[i+2:]
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// wrapPlain word-wraps unstyled text to width cells.
func wrapPlain(s string, width int) []string {
	if width < 10 {
		return []string{s}
	}
	return strings.Split(ansi.Wordwrap(s, width, " "), "\n")
}

func errorHint(err error) string {
	var oe *ops.Error
	if errors.As(err, &oe) {
		return oe.Hint()
	}
	return ""
}

// pct is a whole percentage of done/total, clamped to 0–100.
func pct(done, total uint64) int {
	if total == 0 {
		return 0
	}
	p := (done*100 + total/2) / total
	if p > 100 {
		p = 100
	}
	return int(p)
}

// bar draws a progress bar of width cells.
func bar(g theme.Glyphs, done, total uint64, width int) string {
	if width <= 0 {
		return ""
	}
	full := 0
	if total > 0 {
		full = int(min(done, total) * uint64(width) / total)
	}
	return strings.Repeat(g.BarFull, full) + strings.Repeat(g.BarEmpty, width-full)
}

// cellWidth is the width of s in terminal cells, ignoring ANSI escape
// sequences. Views measure every line they draw, and ansi.StringWidth
// segments graphemes, which dominated the frame time; so runes known to be
// one cell wide (below U+1100, which starts the first wide block, and the
// theme's glyphs, which the theme tests keep single-width) are counted
// directly, and anything else falls back to ansi.StringWidth.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			i = skipEscape(s, i)
			continue
		case c < 0x80:
			if c >= 0x20 && c != 0x7f {
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x300 && !oneCell(r) {
			return ansi.StringWidth(s)
		}
		n++
		i += size
	}
	return n
}

// oneCell lists the runes above U+0300 that vaultrepl draws itself and that
// are known to be one cell wide and not combining: Greek to Hangul Jamo's
// start, punctuation, arrows and maths, box drawing and geometric shapes
// (without the two wide emoji squares), supplemental arrows, and the
// theme's few dingbats.
func oneCell(r rune) bool {
	switch {
	case r >= 0x0370 && r < 0x1100,
		r >= 0x2000 && r < 0x2300,
		r >= 0x2500 && r < 0x25FD,
		r >= 0x27C0 && r < 0x2800:
		return true
	}
	switch r {
	case 0x2691, 0x2713, 0x2717, 0x2718: // ⚑ ✓ ✗ ✘
		return true
	}
	return false
}

// skipEscape returns the index after the escape sequence starting at i
// (CSI "ESC [ … final" or OSC "ESC ] … BEL/ST"; other escapes are two bytes).
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return len(s)
	}
	switch s[i+1] {
	case '[':
		j := i + 2
		for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
			j++
		}
		return min(j+1, len(s))
	case ']':
		j := i + 2
		for j < len(s) {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
			j++
		}
		return len(s)
	}
	return i + 2
}

// fit cuts s to width cells, marking the cut.
func fit(s string, width int, ellipsis string) string {
	if width <= 0 {
		return ""
	}
	if cellWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, ellipsis)
}

// pad fills s with spaces to exactly width cells (cutting it if longer).
func pad(s string, width int, ellipsis string) string {
	s = fit(s, width, ellipsis)
	if w := cellWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// spread puts left and right on one line of width cells. When both do not
// fit, right is kept (it holds the status) and left is cut.
func spread(left, right string, width int, ellipsis string) string {
	lw, rw := cellWidth(left), cellWidth(right)
	switch {
	case right == "":
		return pad(left, width, ellipsis)
	case lw+1+rw <= width:
		return left + strings.Repeat(" ", width-lw-rw) + right
	case rw+2 <= width:
		return pad(left, width-rw-1, ellipsis) + " " + right
	}
	return pad(right, width, ellipsis)
}

// join joins non-empty parts with sep.
func join(sep string, parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// frame draws lines (each already exactly innerW cells wide) inside box's
// border and horizontal padding, the border drawn with ink bk. It does what
// box.Render would, without lipgloss measuring every line again: panes are
// drawn on every frame.
func frame(bk ink, box lipgloss.Style, lines []string, innerW int) []string {
	b := box.GetBorderStyle()
	padL, padR := strings.Repeat(" ", box.GetPaddingLeft()), strings.Repeat(" ", box.GetPaddingRight())
	span := innerW + len(padL) + len(padR)
	left, right := bk.r(b.Left), bk.r(b.Right)
	out := make([]string, 0, len(lines)+2)
	out = append(out, bk.r(b.TopLeft+strings.Repeat(b.Top, span)+b.TopRight))
	for _, l := range lines {
		out = append(out, left+padL+l+padR+right)
	}
	return append(out, bk.r(b.BottomLeft+strings.Repeat(b.Bottom, span)+b.BottomRight))
}

// overlay draws box centred over bg (both width×height blocks of lines),
// keeping bg visible around it: the lab menu leaves the panes in view.
func overlay(bg, box string, width, height int) string {
	lines := strings.Split(fixHeight(bg, width, height), "\n")
	boxLines := strings.Split(box, "\n")
	bw := 0
	for _, l := range boxLines {
		bw = max(bw, cellWidth(l))
	}
	x := max(0, (width-bw)/2)
	y := max(0, (height-len(boxLines))/2)
	for i, bl := range boxLines {
		if y+i >= len(lines) {
			break
		}
		l := pad(lines[y+i], width, "")
		bl = pad(bl, bw, "")
		lines[y+i] = ansi.Truncate(l, x, "") + bl + ansi.TruncateLeft(l, x+bw, "")
	}
	return strings.Join(lines, "\n")
}

// place centres block in a width×height area.
func place(width, height int, block string) string {
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, block)
}
