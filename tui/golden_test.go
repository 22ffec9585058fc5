package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/vaultrepl/vaultrepl/ops"
)

// sizes are the two terminals every screen is checked at.
var sizes = [][2]int{{80, 24}, {120, 40}, {160, 48}}

// scenario builds a model in some state; keys are pressed afterwards.
type scenario struct {
	name  string
	setup func(readers []*fakeReader)
	keys  []string
	tweak func(*Deps)
}

func scenarios() []scenario {
	return []scenario{
		{name: "global_healthy"},
		{name: "one_unreachable", setup: func(r []*fakeReader) { r[2].set(ops.Snapshot{}, refused("eu-west-1")) }},
		{name: "dr_secondary", keys: []string{"4", "enter"}},
		{name: "community_edition", setup: func(r []*fakeReader) { r[3].set(ceSnap(), nil) }},
		{name: "sealed", setup: func(r []*fakeReader) { r[1].set(sealedSnap(), nil) }},
		{name: "merkle_sync", setup: func(r []*fakeReader) {
			s := perfSecondarySnap(idWest1, 900)
			p := &s.Replication.Performance
			p.State, p.RawState = ops.StateMerkleSync, "merkle-sync"
			p.MerkleSync = &ops.SyncProgress{Progress: 26838, TotalKeys: 305443}
			p.MerkleRoot = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b" // still copying: not the primary's root
			r[2].set(s, nil)
		}},
		{name: "detail", keys: []string{"2", "enter"}},
		{name: "detail_unreachable", setup: func(r []*fakeReader) { r[2].set(ops.Snapshot{}, refused("eu-west-1")) }, keys: []string{"3", "enter"}},
		{name: "topology", keys: []string{"t"}},
		// A partitioned primary: every link line carries a reason, which
		// at 80 columns flows onto a continuation line instead of being cut.
		{name: "topology_partitioned", setup: partitionPrimary, keys: []string{"t"}},
		// The demo's keys: the help line keeps w and L at every width, and
		// says "? more" when it leaves keys out.
		{name: "demo_keys", tweak: demoTweak},
		// Reasons that name clusters: at 80 columns the names stay whole
		// (the reason loses whole words), and lines that do not fit are
		// counted in the pane's bottom border.
		{name: "primary_partitioned", setup: partitionPrimary, tweak: demoTweak},
		{name: "detail_primary", keys: []string{"1", "enter", "pgdown"}},
		// The DR secondary promoted without demoting us-east-2 (split brain),
		// and us-east-2 no longer listing eu-west-1 (an orphan that still
		// says stream-wals).
		{name: "split_brain_orphan", setup: splitBrainOrphan},
		{name: "split_brain_topology", setup: splitBrainOrphan, keys: []string{"t"}},
		{name: "commands", keys: []string{"x"}},
		{name: "help", keys: []string{"?"}},
		{name: "insecure_filtered", tweak: func(d *Deps) { d.Insecure = true; d.ReadOnly = true }, keys: []string{"/", "e", "a", "s", "t", "enter"}},
		{name: "lab_menu", tweak: func(d *Deps) { d.Lab = &fakeLab{} }, keys: []string{"2", "L"}},
		{name: "not_set_up", tweak: func(d *Deps) {
			d.Wizard = func(context.Context, string, int, int) (Overlay, tea.Cmd) { return &fakeOverlay{}, nil }
		}, setup: func(r []*fakeReader) {
			for _, rd := range r {
				rd.set(ops.Snapshot{FetchedAt: t0, Health: health("1.17.3+ent"),
					Replication: &ops.Replication{Performance: disabled(ops.Performance), DR: disabled(ops.DR)}}, nil)
			}
		}},
	}
}

func partitionPrimary(r []*fakeReader) {
	p := primarySnap(1290)
	for _, ts := range []*ops.TypeStatus{&p.Replication.Performance, &p.Replication.DR} {
		ts.MerkleRoot = "0f0e0d0c0b0a09080706050403020100" // writes the secondaries have not seen
		for i := range ts.Secondaries {
			ts.Secondaries[i].Status, ts.Secondaries[i].RawStatus = ops.PeerDisconnected, "disconnected"
			ts.Secondaries[i].LastHeartbeat = ts.Secondaries[i].LastHeartbeat.Add(-40 * time.Second)
		}
	}
	r[0].set(p, nil)
}

// demoTweak gives the dashboard what the demo has: a wizard and a lab.
func demoTweak(d *Deps) {
	d.Lab = &fakeLab{}
	d.Wizard = func(context.Context, string, int, int) (Overlay, tea.Cmd) { return &fakeOverlay{}, nil }
}

// goldenModel is the global topology read once at t0, then read again 20s
// later after setup changed some clusters, and drawn 12s after that.
func goldenModel(t *testing.T, sc scenario, w, h int) Model {
	t.Helper()
	clk := newTestClock()
	specs, readers := globalSpecs()
	tweak := func(*Deps) {}
	if sc.tweak != nil {
		tweak = sc.tweak
	}
	m := newTestModel(specs, clk, w, h, tweak)
	m = pollAll(m, clk)
	clk.Advance(20 * time.Second)
	if sc.setup != nil {
		sc.setup(readers)
	}
	// The healthy clusters keep heartbeating: their peers' clocks move too.
	for _, r := range readers {
		r.mu.Lock()
		shiftHeartbeats(&r.snap, 20*time.Second)
		r.mu.Unlock()
	}
	m = pollAll(m, clk)
	clk.Advance(2 * time.Second)
	m = send(m, clockMsg{})
	for _, k := range sc.keys {
		m = send(m, keyMsg(k))
	}
	return m
}

func shiftHeartbeats(s *ops.Snapshot, d time.Duration) {
	if s.Replication == nil {
		return
	}
	for _, ts := range []*ops.TypeStatus{&s.Replication.Performance, &s.Replication.DR} {
		for i := range ts.Secondaries {
			ts.Secondaries[i].LastHeartbeat = ts.Secondaries[i].LastHeartbeat.Add(d)
		}
		for i := range ts.Primaries {
			ts.Primaries[i].LastHeartbeat = ts.Primaries[i].LastHeartbeat.Add(d)
		}
	}
}

func TestGolden(t *testing.T) {
	for _, sc := range scenarios() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				m := goldenModel(t, sc, sz[0], sz[1])
				view := ansi.Strip(m.View())
				checkFrame(t, view, sz[0], sz[1])
				golden.RequireEqual(t, view)
			})
		}
	}
}

func TestGoldenTooSmall(t *testing.T) {
	m := goldenModel(t, scenario{name: "too_small"}, 60, 20)
	view := ansi.Strip(m.View())
	checkFrame(t, view, 60, 20)
	golden.RequireEqual(t, view)
}

// checkFrame asserts the view fills the terminal exactly: no line wider
// than the terminal (a border off by two would show here) and exactly as
// many lines as it is high.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, terminal %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, terminal %d: %q", i+1, lw, w, l)
		}
	}
}

func splitBrainOrphan(r []*fakeReader) {
	p := primarySnap(1234)
	perf := &p.Replication.Performance
	perf.KnownSecondaries = []string{idEast1}
	perf.Secondaries = perf.Secondaries[:1]
	r[0].set(p, nil)
	dr := drSecondarySnap(1234)
	d := &dr.Replication.DR
	*d = ops.TypeStatus{Type: ops.DR, Mode: ops.ModePrimary, RawMode: "primary", State: ops.StateRunning, RawState: "running",
		ClusterID: drSet, MerkleRoot: "3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", HasCorruptionCheck: true,
		LastWAL: 1240, LastDRWAL: 1240, HasState: true, HasLastWAL: true, HasLastDRWAL: true,
		KnownSecondaries: []string{}, HasKnownSecondaries: true, Secondaries: []ops.Peer{}, HasSecondaries: true}
	dr.Health.DRMode = ops.ModePrimary
	r[3].set(dr, nil)
}
