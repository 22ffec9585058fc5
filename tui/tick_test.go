package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// countingAssess counts the judge's runs through the Deps seam.
func countingAssess(calls *int) func(*Deps) {
	return func(d *Deps) {
		d.Assess = func(now time.Time, obs []ops.Observation) ops.Report {
			*calls++
			return ops.Assess(now, obs, ops.DefaultThresholds())
		}
	}
}

// The clock tick redraws ages every second but judges only when the report
// can have changed: with no new data, not until the first heartbeat can
// cross the warning age, and then on that tick. The topology's heartbeat
// ages keep counting in between.
func TestClockTicksJudgeOnlyWhenSomethingCanChange(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	calls := 0
	m := newTestModel(specs, clk, 160, 48, countingAssess(&calls))
	m = pollAll(m, clk)
	if calls == 0 {
		t.Fatal("the results were never assessed: the seam is not in use")
	}
	next := m.nextAssess
	if next.IsZero() || next.Sub(clk.Now()) < 10*time.Second {
		t.Fatalf("next assessment at %v, %v after the polls: want the heartbeat warning age, tens of seconds away", next, next.Sub(clk.Now()))
	}
	before := calls
	m = send(m, keyMsg("t")) // the topology shows each link's heartbeat age
	first := m.View()
	if !strings.Contains(first, "hb ") {
		t.Fatalf("the topology shows no heartbeat age:\n%s", first)
	}
	ticks := 0
	for {
		clk.Advance(time.Second)
		if !clk.Now().Before(next) {
			break
		}
		m = send(m, clockMsg{})
		ticks++
		if calls != before {
			t.Fatalf("tick %d (%v before the next possible change) ran the judge", ticks, next.Sub(clk.Now()))
		}
	}
	if ticks < 10 {
		t.Fatalf("only %d ticks before the next change", ticks)
	}
	if later := m.View(); later == first {
		t.Errorf("%d ticks later the topology reads the same: ages stopped counting", ticks)
	}
	if want := fmt.Sprintf("hb %ds", 2+ticks); !strings.Contains(m.View(), want) {
		t.Errorf("after %d ticks the topology lacks %q:\n%s", ticks, want, m.View())
	}
	m = send(m, clockMsg{})
	if calls != before+1 {
		t.Fatalf("the tick at the heartbeat's warning age ran the judge %d times, want once", calls-before)
	}
	if sev := m.assessment(0).Severity; sev != ops.SeverityWarning {
		t.Errorf("after the warning age us-east-2 is %v, want warning", sev)
	}
}

// A large fleet defers a result that lands right after an assessment; the
// next tick judges it once, and the tick after that not at all.
func TestClockTickJudgesADeferredResultOnce(t *testing.T) {
	clk := newTestClock()
	specs := largeFleetSpecs()
	calls := 0
	m := newTestModel(specs, clk, 160, 48, countingAssess(&calls))
	m = pollAll(m, clk) // all at one instant: the first judged, the rest deferred
	before := calls
	if !m.assessDue {
		t.Fatal("results inside the throttle window were not deferred")
	}
	clk.Advance(time.Second)
	m = send(m, clockMsg{})
	if calls != before+1 {
		t.Fatalf("the tick after deferred results judged %d times, want once", calls-before)
	}
	clk.Advance(time.Second)
	m = send(m, clockMsg{})
	if calls != before+1 {
		t.Fatalf("a tick with nothing new judged again (%d runs)", calls-before)
	}
}

// In a large fleet a routine result (a reachable cluster read again) waits
// for the clock tick, with any others that came since; a cluster becoming
// unreachable is judged at once.
func TestRoutineResultsWaitForTheTick(t *testing.T) {
	clk := newTestClock()
	specs := largeFleetSpecs()
	calls := 0
	m := newTestModel(specs, clk, 160, 48, countingAssess(&calls))
	m = pollAll(m, clk)
	clk.Advance(time.Second)
	m = send(m, clockMsg{}) // judges the deferred first reads
	before := calls
	clk.Advance(time.Second)
	for id := range 3 { // three reachable clusters read again
		snap, err := m.clusters[id].spec.Reader.Status(context.Background())
		if err != nil {
			t.Fatalf("cluster %d: %v", id, err)
		}
		m = send(m, statusMsg{id: ClusterID(id), gen: m.clusters[id].gen, snap: snap, at: clk.Now()})
	}
	if calls != before {
		t.Fatalf("routine results were judged %d times before the tick, want 0", calls-before)
	}
	clk.Advance(time.Second)
	m = send(m, clockMsg{})
	if calls != before+1 {
		t.Fatalf("the tick judged %d times, want once", calls-before)
	}
	clk.Advance(time.Second)
	m = send(m, statusMsg{id: 0, gen: m.clusters[0].gen, err: refused(m.clusters[0].spec.Name), at: clk.Now()})
	if calls != before+2 {
		t.Fatalf("a cluster becoming unreachable was judged %d times at once, want once", calls-before-1)
	}
}

// largeFleetSpecs is the global lab's clusters and unreachable extras, one
// more than throttleAbove: a fleet large enough to defer routine results.
func largeFleetSpecs() []ClusterSpec {
	specs, _ := globalSpecs()
	for i := len(specs); i <= throttleAbove; i++ {
		r := &fakeReader{err: &ops.Error{Class: ops.ErrUnreachable, Op: "read status", Cluster: fmt.Sprintf("extra-%d", i)}}
		specs = append(specs, ClusterSpec{Name: fmt.Sprintf("extra-%d", i), Address: fmt.Sprintf("https://10.9.0.%d:8200", i), Reader: r})
	}
	return specs
}
