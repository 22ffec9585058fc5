package tui

import (
	"strings"
	"testing"
	"time"
)

// paneText is the plain text of the pane of cluster name in a frame: the
// lines inside its border, from its name line down.
func paneText(t *testing.T, frame, name string) string {
	t.Helper()
	lines := strings.Split(frame, "\n")
	for i, l := range lines {
		col := strings.Index(l, " "+name+" ")
		if col < 0 {
			continue
		}
		left := strings.LastIndexAny(l[:col], "│║┃")
		if left < 0 {
			continue
		}
		border := len([]rune(l[:left])) // the rune index of the left border
		var out []string
		for _, l := range lines[i:] {
			r := []rune(l)
			if border >= len(r) || !strings.ContainsRune("│║┃", r[border]) {
				break // the bottom border
			}
			inner := string(r[border+1:])
			if end := strings.IndexAny(inner, "│║┃"); end >= 0 {
				inner = inner[:end]
			}
			out = append(out, inner)
		}
		return strings.Join(out, "\n")
	}
	t.Fatalf("no pane of %s in:\n%s", name, frame)
	return ""
}

// A pane whose reads answer on time shows the bound they keep ("<3s ago"
// with a 2 s interval), the same from one tick to the next: no text in it
// moves with the clock. When a read sticks (the
// poll started, no result) while the other clusters answer, its pane counts
// the age of its data from the first tick at which that data is late:
// within a second of its becoming late. The data is read 400 ms into a
// second, so the lateness (3.4 s later) falls between two ticks.
func TestStuckReadShowsAgeWithinASecondOfBeingLate(t *testing.T) {
	names := []string{"us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr"}
	for _, size := range []struct{ w, h int }{{160, 48}, {80, 24}} {
		clk := newTestClock()
		specs, _ := globalSpecs()
		m := newTestModel(specs, clk, size.w, size.h)
		clk.Advance(400 * time.Millisecond)
		m = pollAll(m, clk)
		readAt := clk.Now()
		late := readAt.Add(m.lateAfter())

		clk.Advance(600 * time.Millisecond)
		m = send(m, clockMsg{})
		first := plain(m)
		for _, name := range names {
			if p := paneText(t, first, name); !strings.Contains(p, "<3s ago") {
				t.Fatalf("%dx%d: the fresh pane of %s does not give the bound of its age:\n%s", size.w, size.h, name, p)
			}
		}
		clk.Advance(time.Second)
		m = send(m, clockMsg{})
		next := plain(m)
		for _, name := range names {
			if a, b := paneText(t, first, name), paneText(t, next, name); a != b {
				t.Fatalf("%dx%d: the fresh pane of %s changed with the clock:\n%s\na second later:\n%s", size.w, size.h, name, a, b)
			}
		}

		// eu-west-1's next poll starts and its read never answers; the
		// others answer every tick.
		m = send(m, pollDueMsg{id: 2, gen: m.clusters[2].gen})
		if !m.clusters[2].inFlight {
			t.Fatalf("%dx%d: the poll did not start a read", size.w, size.h)
		}
		others := func(m Model) Model {
			for _, id := range []ClusterID{0, 1, 3} {
				snap := *m.clusters[id].snap
				m = send(m, statusMsg{id: id, gen: m.clusters[id].gen, snap: snap, took: 12 * time.Millisecond, at: clk.Now()})
			}
			return m
		}
		for {
			clk.Advance(time.Second)
			m = send(others(m), clockMsg{})
			p := paneText(t, plain(m), "eu-west-1")
			if clk.Now().Before(late) {
				if !strings.Contains(p, "<3s ago") {
					t.Fatalf("%dx%d: %v before its data is late eu-west-1 reads:\n%s", size.w, size.h, late.Sub(clk.Now()), p)
				}
				continue
			}
			if over := clk.Now().Sub(late); over >= time.Second {
				t.Fatalf("%dx%d: the tick at %v is %v after the data became late", size.w, size.h, clk.Now(), over)
			}
			age := ago(clk.Now().Sub(readAt)) + " ago"
			if strings.Contains(p, "<") || !strings.Contains(p, age) {
				t.Fatalf("%dx%d: %v after its data became late eu-west-1 does not say %q:\n%s", size.w, size.h, clk.Now().Sub(late), age, p)
			}
			break
		}
		// The next tick counts on; the panes whose reads answer keep the bound.
		clk.Advance(time.Second)
		m = send(others(m), clockMsg{})
		frame := plain(m)
		if age := ago(clk.Now().Sub(readAt)) + " ago"; !strings.Contains(paneText(t, frame, "eu-west-1"), age) {
			t.Fatalf("%dx%d: a tick later the late pane does not say %q:\n%s", size.w, size.h, age, frame)
		}
		for _, name := range []string{"us-east-2", "us-east-1", "us-east-2-dr"} {
			if p := paneText(t, frame, name); !strings.Contains(p, "<3s ago") {
				t.Fatalf("%dx%d: %s, read every second, does not give the bound of its age:\n%s", size.w, size.h, name, p)
			}
		}
	}
}
