package main

import "unicode/utf8"

// Widths past which the status table cuts text. Server text is already
// cleaned of escapes by ops; these keep a long message (a proxy's error page,
// a hostile server's state string) from wrapping into garbage. `status
// --json` carries the full text.
const (
	maxTableLine = 160 // an error or finding line
	maxTableCell = 48  // a PERFORMANCE or DR cell
)

// cutText shortens s to at most n runes, marking the cut with "…".
func cutText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}
