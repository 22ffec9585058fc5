package tui

import (
	"testing"
	"time"
)

func TestCoalesceMovesLongTimersOntoTheGrid(t *testing.T) {
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	cases := []struct {
		name string
		now  time.Time
		d    time.Duration
		msg  any
		want time.Duration
	}{
		{"short timers are left alone", at(130), 300 * time.Millisecond, pollDueMsg{}, 300 * time.Millisecond},
		{"a poll rounds to the nearest half second", at(130), 2 * time.Second, pollDueMsg{}, 2*time.Second - 130*time.Millisecond},
		{"a poll rounds up past the midpoint", at(380), 2 * time.Second, pollDueMsg{}, 2*time.Second + 120*time.Millisecond},
		{"a poll already on the grid stays", at(500), 2 * time.Second, pollDueMsg{}, 2 * time.Second},
		{"the clock ticks on whole seconds", at(20), time.Second, clockMsg{}, 980 * time.Millisecond},
		{"a late clock tick does not skip a second", at(1003), time.Second, clockMsg{}, 997 * time.Millisecond},
		{"a long backoff keeps its length within the grid", at(250), 30 * time.Second, pollDueMsg{}, 30*time.Second + 250*time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := coalesce(tc.now, tc.d, tc.msg)
			if got != tc.want {
				t.Fatalf("coalesce(%v, %v) = %v, want %v", tc.now.Format("05.000"), tc.d, got, tc.want)
			}
			if due := tc.now.Add(got); tc.d >= time.Second && due.Sub(due.Truncate(pollGrid)) != 0 {
				t.Fatalf("due at %v, not on the %v grid", due.Format("05.000"), pollGrid)
			}
		})
	}
}
