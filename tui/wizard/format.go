package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// humanDuration renders a duration for people: "29m 41s", "3.2s", "2h 5m".
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtTime renders an absolute time in UTC, so that operators in different
// zones reading the same screen (or a shared screenshot) agree.
func fmtTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// maskedToken is what a masked activation token looks like: no part of the
// token, only its length.
func maskedToken(tok string) string {
	return fmt.Sprintf("%s (%d characters, masked)", strings.Repeat("*", 12), len(tok))
}

// wrapHard breaks s into lines of at most width runes (for the revealed
// token, which has no spaces to wrap at).
func wrapHard(s string, width int) []string {
	if width < 8 {
		width = 8
	}
	r := []rune(s)
	var out []string
	for len(r) > width {
		out = append(out, string(r[:width]))
		r = r[width:]
	}
	return append(out, string(r))
}

// typeName is the replication type as a lower-case phrase.
func typeName(t ops.ReplicationType) string {
	if t == ops.DR {
		return "DR"
	}
	return "performance"
}
