package tui

import (
	"reflect"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
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

// Timers due at the same instant of the grid share one wait: the first to
// join waits and takes every message of its instant, in order; the others
// end at once. A timer joining after the instant was taken waits anew.
func TestTimerGroupsShareAnInstant(t *testing.T) {
	g := &timerGroups{at: map[int64][]tea.Msg{}}
	if !g.join(1000, pollDueMsg{id: 0}) {
		t.Fatal("the first timer of an instant does not wait")
	}
	if g.join(1000, pollDueMsg{id: 1}) || g.join(1000, clockMsg{}) {
		t.Fatal("a second timer of the same instant waits too")
	}
	if !g.join(1500, pollDueMsg{id: 2}) {
		t.Fatal("the first timer of another instant does not wait")
	}
	got := g.take(1000)
	want := []tea.Msg{pollDueMsg{id: 0}, pollDueMsg{id: 1}, clockMsg{}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("take(1000) = %v, want %v", got, want)
	}
	if !g.join(1000, pollDueMsg{id: 3}) {
		t.Fatal("a timer joining a taken instant does not wait anew")
	}
	if got := g.take(1500); !reflect.DeepEqual(got, []tea.Msg{pollDueMsg{id: 2}}) {
		t.Fatalf("take(1500) = %v", got)
	}
}

// Timers delivered together are handled as if they had come one by one:
// the same reads start and the same frame is drawn.
func TestTimersFiredTogetherEqualOneByOne(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	base := pollAll(newTestModel(specs, clk, 160, 48), clk)
	msgs := []tea.Msg{pollDueMsg{id: 0, gen: base.clusters[0].gen}, clockMsg{}, pollDueMsg{id: 2, gen: base.clusters[2].gen},
		pollDueMsg{id: 1, gen: base.clusters[1].gen - 1}} // the last one stale
	one := base
	for _, msg := range msgs {
		one = send(one, msg)
	}
	together := send(base, timersFiredMsg(msgs))
	for i := range one.clusters {
		a, b := one.clusters[i], together.clusters[i]
		if a.inFlight != b.inFlight || a.attempts != b.attempts || a.gen != b.gen || a.armed != b.armed {
			t.Errorf("cluster %d: one by one inFlight=%v attempts=%d gen=%d armed=%v; together %v %d %d %v",
				i, a.inFlight, a.attempts, a.gen, a.armed, b.inFlight, b.attempts, b.gen, b.armed)
		}
	}
	if got, want := together.View(), one.View(); got != want {
		t.Errorf("the frames differ\n%s", firstDiff(got, want))
	}
}

// Results that arrive while the first of a window waits are delivered with
// it, in order, and their own Cmds end at once; the next result opens a
// window of its own. The window is a channel the test closes, not a clock.
func TestResultGroupsDeliverAWindowTogether(t *testing.T) {
	release := make(chan struct{})
	waiting := make(chan struct{})
	g := &resultGroups{wait: func() { close(waiting); <-release }}
	first := make(chan tea.Msg, 1)
	go func() { first <- g.deliver(statusMsg{id: 0}) }()
	select {
	case <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the first result never opened a window")
	}
	if got := g.deliver(statusMsg{id: 1}); got != nil {
		t.Fatalf("a result inside the window was delivered alone: %v", got)
	}
	if got := g.deliver(statusMsg{id: 2}); got != nil {
		t.Fatalf("a result inside the window was delivered alone: %v", got)
	}
	close(release)
	var got tea.Msg
	select {
	case got = <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("the window never closed")
	}
	want := timersFiredMsg{statusMsg{id: 0}, statusMsg{id: 1}, statusMsg{id: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	g.wait = func() {}
	if got := g.deliver(statusMsg{id: 3}); !reflect.DeepEqual(got, statusMsg{id: 3}) {
		t.Fatalf("a result after the window = %v, want it alone", got)
	}
}
