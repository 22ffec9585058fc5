package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// fakeClassLab is a lab that also shows the instructor's view and resets.
type fakeClassLab struct {
	fakeLab
	view   LabView
	resets []string
}

func (f *fakeClassLab) LabView(context.Context) (LabView, error) { return f.view, nil }

func (f *fakeClassLab) SetOf(string) string { return "every cluster of the lab" }

func (f *fakeClassLab) ResetSet(cluster string) (string, error) {
	f.resets = append(f.resets, cluster)
	return "every cluster of the lab", nil
}

// The panes say which lab faults are in effect on them, the lab menu lists
// every fault and each student's checklist, and R (twice) resets.
func TestLabMenuInstructorViewAndReset(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &fakeClassLab{view: LabView{
		Faults: map[string][]string{"us-east-1": {"partitioned from us-east-2"}, "us-east-2": {"partitioned from us-east-1"}},
		Checklists: []Checklist{
			{Student: "s01", Title: "Performance replication by CLI", Complete: true, Summary: "1. a: 2s\nAll 4 steps in 1m3s.",
				Steps: []ChecklistStep{{Title: "a", Done: true}, {Title: "b", Done: true}, {Title: "c", Done: true}, {Title: "d", Done: true}}},
			{Student: "s02", Title: "Performance replication by CLI",
				Steps: []ChecklistStep{{Title: "a", Done: true}, {Title: "b"}, {Title: "c"}, {Title: "d"}}},
		},
	}}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	m, _, _ = update(m, m.labViewCmd()())
	pane := func(name string) string {
		return ansi.Strip(strings.Join(m.paneView(m.byName[name], 0, 150, 24, false, clk.Now(), nil), "\n"))
	}
	if got := pane("us-east-1"); !strings.Contains(got, "lab: partitioned from us-east-2") {
		t.Errorf("us-east-1's pane lacks its lab fault:\n%s", got)
	}
	if got := pane("eu-west-1"); strings.Contains(got, "lab:") {
		t.Errorf("eu-west-1's pane shows a lab fault it does not have:\n%s", got)
	}
	m = send(m, keyMsg("L"))
	v := plain(m)
	for _, want := range []string{"Faults in effect", "us-east-1: partitioned from us-east-2", "Exercise: Performance replication by CLI",
		"s01 ✓✓✓✓ 4/4 complete All 4 steps in 1m3s.", "s02 ✓??? 1/4", "R  reset every cluster of the lab"} {
		if !strings.Contains(v, want) {
			t.Errorf("lab menu lacks %q:\n%s", want, v)
		}
	}
	m = send(m, keyMsg("R"))
	if !strings.Contains(plain(m), "R again resets every cluster of the lab") || len(lab.resets) != 0 {
		t.Fatalf("the first R reset without asking (%v):\n%s", lab.resets, plain(m))
	}
	m = send(m, keyMsg("j")) // any other key withdraws the question
	m = send(m, keyMsg("R"))
	m, _, _ = update(m, keyMsg("R"))
	if len(lab.resets) != 1 || lab.resets[0] != "us-east-2" {
		t.Fatalf("resets = %v", lab.resets)
	}
	if !strings.Contains(plain(m), "lab: reset every cluster of the lab") {
		t.Errorf("no flash after the reset:\n%s", plain(m))
	}
}

// countingLab counts the reads of its view.
type countingLab struct {
	fakeClassLab
	reads int
}

func (f *countingLab) LabView(ctx context.Context) (LabView, error) {
	f.reads++
	return f.fakeClassLab.LabView(ctx)
}

// The lab view is read every interval while the lab menu is open and every
// fifth interval while it is closed; each firing re-arms exactly one timer,
// so the loop neither stops nor doubles. The timers are fired by hand and
// the clock is the injected one.
func TestLabViewReadCadence(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &countingLab{}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	tick := func() {
		t.Helper()
		clk.Advance(m.deps.Interval)
		var timers []firedMsg
		m, timers, _ = update(m, labViewDueMsg{})
		n := 0
		for _, f := range timers {
			if _, ok := f.msg.(labViewDueMsg); ok {
				n++
				if f.d != m.deps.Interval {
					t.Errorf("the lab view timer is armed for %v, want the interval %v", f.d, m.deps.Interval)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%d lab view timers armed after one fired, want 1", n)
		}
	}
	for _, phase := range []struct {
		name         string
		key          string // pressed first ("": none)
		ticks, reads int
	}{
		{"menu closed (every 5th)", "", 10, 2},
		{"menu open (every one)", "L", 4, 4},
		{"menu closed again", "esc", 5, 1},
	} {
		if phase.key != "" {
			m = send(m, keyMsg(phase.key))
		}
		lab.reads = 0
		for range phase.ticks {
			tick()
		}
		if lab.reads != phase.reads {
			t.Errorf("%s: %d reads in %d intervals, want %d", phase.name, lab.reads, phase.ticks, phase.reads)
		}
	}
}

// TestLabActionsStartNoExtraLabViewLoop: the read at once after a lab action
// or reset updates the view without arming a timer of its own; before, every
// action started one more read loop and a long demo piled them up.
func TestLabActionsStartNoExtraLabViewLoop(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &countingLab{}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	labTimers := func(ts []firedMsg) int {
		n := 0
		for _, f := range ts {
			if _, ok := f.msg.(labViewDueMsg); ok {
				n++
			}
		}
		return n
	}
	for _, msg := range []tea.Msg{
		labDoneMsg{action: "stop", cluster: specs[0].Name, refresh: []string{specs[0].Name}},
		labResetMsg{set: "all"},
	} {
		before := lab.reads
		var timers []firedMsg
		m, timers, _ = update(m, msg)
		if lab.reads != before+1 {
			t.Errorf("%T: %d lab view reads, want 1 at once", msg, lab.reads-before)
		}
		if n := labTimers(timers); n != 0 {
			t.Errorf("%T: %d lab view timers armed, want none (the loop has its own)", msg, n)
		}
	}
	// The loop itself still re-arms exactly once per turn.
	m.labSkipped = labClosedEvery - 1
	_, timers, _ := update(m, labViewDueMsg{})
	if n := labTimers(timers); n != 1 {
		t.Errorf("the loop's read armed %d timers, want 1", n)
	}
}
