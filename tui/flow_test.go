package tui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// The flows run the dashboard as a program against the simulator over
// loopback HTTP with real ops clients, as `vaultrepl demo` does. They wait
// for conditions on the output; they assert on final models and plain
// views, never on the raw output stream.

const flowWait = 20 * time.Second

// startLab serves a lab on ephemeral loopback ports and returns the
// dashboard's dependencies on it.
func startLab(t *testing.T, topology string) (*sim.Lab, Deps) {
	t.Helper()
	// Speed 5 runs the replication model five times faster than the clock,
	// so reconnects and syncs happen within a few polls.
	lab := simtest.Start(t, sim.Options{Topology: topology, Seed: 42, Speed: 5, WriteRate: 2})
	var specs []ClusterSpec
	for _, ci := range lab.Clusters() {
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}},
			ops.ClientOptions{Timeout: flowWait})
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, ClusterSpec{Name: ci.Name, Address: ci.Addr, Reader: c})
	}
	return lab, Deps{Clusters: specs, Interval: 200 * time.Millisecond, Timeout: flowWait, MaxBackoff: time.Second,
		Styles: asciiStyles(), Lab: lab}
}

// waitFor waits until the output since the last wait shows a line matching re.
func waitFor(t *testing.T, tm *teatest.TestModel, re string) {
	t.Helper()
	rx := regexp.MustCompile(re)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return rx.Match(bytes.ReplaceAll(b, []byte("\x1b"), []byte("\n")))
	}, teatest.WithDuration(flowWait), teatest.WithCheckInterval(20*time.Millisecond))
}

func typeKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(keyMsg("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait))
	m, ok := fm.(Model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	return m
}

// The demo starts and shows every cluster of the global topology with its
// state; q quits cleanly.
func TestFlowDemoShowsEveryCluster(t *testing.T) {
	_, deps := startLab(t, "global")
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, `4/4 reachable`)
	m := finalModel(t, tm)
	if !m.Quitting() {
		t.Fatal("q did not quit")
	}
	want := map[string]struct {
		t    ops.ReplicationType
		mode ops.Mode
	}{
		"us-east-2":    {ops.Performance, ops.ModePrimary},
		"us-east-1":    {ops.Performance, ops.ModeSecondary},
		"eu-west-1":    {ops.Performance, ops.ModeSecondary},
		"us-east-2-dr": {ops.DR, ops.ModeSecondary},
	}
	for i := range m.clusters {
		c := &m.clusters[i]
		w, ok := want[c.spec.Name]
		if !ok {
			t.Fatalf("unexpected cluster %s", c.spec.Name)
		}
		if c.snap == nil || c.lastErr != nil || c.snap.Replication == nil {
			t.Fatalf("%s was not read: %v", c.spec.Name, c.lastErr)
		}
		if got := c.snap.Replication.Of(w.t).Mode; got != w.mode {
			t.Errorf("%s %s mode %s, want %s", c.spec.Name, w.t.Title(), got, w.mode)
		}
	}
	if len(m.report.Links) != 3 {
		t.Errorf("links %d, want 3 (two performance, one DR)", len(m.report.Links))
	}
	// Draw the final model as it was before q, at the size it ran at.
	m.quitting = false
	v := ansi.Strip(m.View())
	for _, s := range []string{"us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr", "running", "stream-wals", "4/4 reachable"} {
		if !strings.Contains(v, s) {
			t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}

// A partition from the lab menu makes the secondary's pane go unhealthy;
// healing it makes the pane recover.
func TestFlowPartitionAndRecovery(t *testing.T) {
	_, deps := startLab(t, "global")
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, `4/4 reachable`)

	// Show only us-east-1, so every change on screen is its own.
	typeKeys(tm, "/", "u", "s", "-", "e", "a", "s", "t", "-", "1", "enter")
	waitFor(t, tm, `filter: us-east-1`)
	typeKeys(tm, "L", "1") // partition from us-east-2
	waitFor(t, tm, `lab: partition from us-east-2 on us-east-1`)
	waitFor(t, tm, `us-east-1[^\n]*✗ critical|conn ✗ (transient_failure|idle|shutdown)`)

	typeKeys(tm, "L", "2") // heal
	waitFor(t, tm, `lab: heal partition with us-east-2 on us-east-1`)
	waitFor(t, tm, `us-east-1[^\n]*✓ ok`)

	m := finalModel(t, tm)
	id := m.byName["us-east-1"]
	var saw []string
	for _, e := range m.clusters[id].events {
		saw = append(saw, e.text)
	}
	timeline := strings.Join(saw, "\n")
	for _, want := range []string{"lab: partition from us-east-2", "severity ok -> critical", "lab: heal partition with us-east-2"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	if s := m.assessment(id).Severity; s != ops.SeverityOK {
		t.Errorf("us-east-1 ends %s, want ok", s)
	}
}

// A stopped cluster shows as unreachable with the reason, the dashboard
// keeps running, and it recovers when restarted.
func TestFlowStoppedClusterStaysOnScreen(t *testing.T) {
	lab, deps := startLab(t, "global")
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, `4/4 reachable`)
	if err := lab.Stop("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, `3/4 reachable`)
	if err := lab.Restart("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, `4/4 reachable`)
	m := finalModel(t, tm)
	c := &m.clusters[m.byName["eu-west-1"]]
	if c.lastErr != nil || c.snap == nil {
		t.Fatalf("eu-west-1 did not recover: %v", c.lastErr)
	}
	found := false
	for _, e := range c.events {
		found = found || strings.HasPrefix(e.text, "unreachable: unreachable")
	}
	if !found {
		t.Error("the outage is not in the timeline")
	}
}

// ctrl+c quits from anywhere, including the filter input.
func TestFlowCtrlCQuits(t *testing.T) {
	_, deps := startLab(t, "datacenter")
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, `reachable`)
	tm.Send(keyMsg("/"))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait))
	if !fm.(Model).Quitting() {
		t.Fatal("ctrl+c did not quit")
	}
}
