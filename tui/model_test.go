package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
)

func plain(m Model) string { return ansi.Strip(m.View()) }

// Init arms one staggered poll per cluster plus the clock, and reads nothing.
func TestInitStaggersFirstPolls(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	_, timers, quit := run(m, m.Init())
	if quit {
		t.Fatal("Init quit")
	}
	polls := pollTimers(timers)
	if len(polls) != 4 {
		t.Fatalf("want 4 poll timers, got %d (%v)", len(polls), timers)
	}
	want := []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond}
	for id, d := range want {
		if polls[ClusterID(id)].d != d {
			t.Errorf("cluster %d first poll after %v, want %v", id, polls[ClusterID(id)].d, d)
		}
	}
	for _, r := range readers {
		if r.calls != 0 {
			t.Fatal("Init read a cluster itself instead of arming timers")
		}
	}
	clockTicks := 0
	for _, tm := range timers {
		if _, ok := tm.msg.(clockMsg); ok && tm.d == time.Second {
			clockTicks++
		}
	}
	if clockTicks != 1 {
		t.Errorf("want one 1s clock tick, got %d", clockTicks)
	}
}

// A due timer reads the cluster once and re-arms at the interval after
// success; one read is in flight at most; stale timers are dropped.
func TestPollLoop(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	gen := m.clusters[0].gen

	m, timers, _ := update(m, pollDueMsg{id: 0, gen: gen})
	if readers[0].calls != 1 {
		t.Fatalf("reads = %d, want 1", readers[0].calls)
	}
	if m.clusters[0].snap == nil || m.clusters[0].inFlight {
		t.Fatal("result not recorded")
	}
	next := pollTimers(timers)[0]
	if next.d != 2*time.Second {
		t.Errorf("re-armed after %v, want the 2s interval", next.d)
	}
	if p := next.msg.(pollDueMsg); p.gen != m.clusters[0].gen || p.gen == gen {
		t.Errorf("re-armed timer has gen %d, cluster gen %d (old %d)", p.gen, m.clusters[0].gen, gen)
	}

	// The old generation's timer (had it survived) must do nothing.
	m, timers, _ = update(m, pollDueMsg{id: 0, gen: gen})
	if readers[0].calls != 1 || len(timers) != 0 {
		t.Errorf("a stale timer started a read (calls %d, timers %v)", readers[0].calls, timers)
	}

	// A due timer while a read is in flight does not start a second one.
	m.clusters[0].inFlight = true
	nm, cmd := m.Update(next.msg)
	if cmd != nil {
		t.Error("a second read was started while one was in flight")
	}
	m = nm.(Model)
	if readers[0].calls != 1 {
		t.Error("reader called while in flight")
	}
}

// After errors the next poll backs off; one success resets it.
func TestBackoffAfterErrorsAndRecovery(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	readers[2].set(ops.Snapshot{}, refused("eu-west-1"))
	var delays []time.Duration
	next := tea.Msg(pollDueMsg{id: 2, gen: m.clusters[2].gen})
	for range 6 {
		var timers []firedMsg
		m, timers, _ = update(m, next)
		p, ok := pollTimers(timers)[2]
		if !ok {
			t.Fatal("a failing cluster stopped polling")
		}
		delays = append(delays, p.d)
		next = p.msg
		clk.Advance(p.d)
	}
	for i, d := range delays {
		lo := min(2*time.Second<<i, 15*time.Second)
		hi := min(2*time.Second<<(i+1), 30*time.Second)
		if d < lo || d > hi || d < 2*time.Second {
			t.Errorf("error %d: delay %v outside [%v, %v]", i+1, d, lo, hi)
		}
	}
	if m.clusters[2].errs != 6 {
		t.Errorf("errs = %d, want 6", m.clusters[2].errs)
	}
	readers[2].set(perfSecondarySnap(idWest1, 1234), nil)
	m, timers, _ := update(m, next)
	if d := pollTimers(timers)[2].d; d != 2*time.Second {
		t.Errorf("after recovery the delay is %v, want the interval", d)
	}
	if m.clusters[2].errs != 0 || m.clusters[2].lastErr != nil {
		t.Error("recovery did not reset the error state")
	}
}

// r reads the focused cluster now and replaces its timer: firing the old
// timer afterwards does nothing, so the poll rate never doubles.
func TestRefreshNeverDoublesTheRate(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m, timers, _ := update(m, pollDueMsg{id: 0, gen: m.clusters[0].gen})
	pending := pollTimers(timers)[0]

	m, timers, _ = update(m, keyMsg("r"))
	if readers[0].calls != 2 {
		t.Fatalf("r did not read the focused cluster (calls %d)", readers[0].calls)
	}
	fresh, ok := pollTimers(timers)[0]
	if !ok {
		t.Fatal("r did not re-arm the loop")
	}
	// The timer armed before r fires: dropped.
	m, timers, _ = update(m, pending.msg)
	if readers[0].calls != 2 || len(pollTimers(timers)) != 0 {
		t.Fatal("the replaced timer still polled: the rate doubled")
	}
	// The fresh one polls.
	_, _, _ = update(m, fresh.msg)
	if readers[0].calls != 3 {
		t.Fatal("the live timer did not poll")
	}
}

// r while a read is in flight queues one read right after it, instead of a
// second concurrent request.
func TestRefreshWhileInFlightQueues(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m.clusters[0].inFlight = true
	nm, _ := m.Update(keyMsg("r"))
	m = nm.(Model)
	if !m.clusters[0].refreshQueued {
		t.Fatal("refresh not queued")
	}
	snap := primarySnap(10)
	m, timers, _ := update(m, statusMsg{id: 0, gen: m.clusters[0].gen, snap: snap, at: clk.Now()})
	if d := pollTimers(timers)[0].d; d != 0 {
		t.Errorf("queued refresh re-armed after %v, want at once", d)
	}
	if m.clusters[0].refreshQueued {
		t.Error("queue not cleared")
	}
}

func TestRefreshAll(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m, timers, _ := update(m, keyMsg("R"))
	for i, r := range readers {
		if r.calls != 1 {
			t.Errorf("cluster %d read %d times, want 1", i, r.calls)
		}
	}
	if len(pollTimers(timers)) != 4 {
		t.Errorf("R re-armed %d loops, want 4", len(pollTimers(timers)))
	}
	if !strings.Contains(plain(m), "4/4 reachable") {
		t.Error("header does not count the refreshed clusters")
	}
}

// p stops every loop (pending timers retire); p again re-arms them.
func TestPause(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	gen := m.clusters[1].gen
	m, _, _ = update(m, keyMsg("p"))
	if !m.paused || !strings.Contains(plain(m), "PAUSED") {
		t.Fatal("not paused, or the header does not say so")
	}
	m, timers, _ := update(m, pollDueMsg{id: 1, gen: gen})
	if readers[1].calls != 0 || len(timers) != 0 {
		t.Fatal("a paused dashboard polled")
	}
	// A result that arrives while paused is kept but does not re-arm.
	m, timers, _ = update(m, statusMsg{id: 1, gen: m.clusters[1].gen, snap: perfSecondarySnap(idEast1, 5), at: clk.Now()})
	if len(pollTimers(timers)) != 0 || m.clusters[1].snap == nil {
		t.Fatal("paused result handling wrong")
	}
	m, timers, _ = update(m, keyMsg("p"))
	if m.paused || len(pollTimers(timers)) != 4 {
		t.Fatalf("resume re-armed %d loops, want 4", len(pollTimers(timers)))
	}
	if strings.Contains(plain(m), "PAUSED") {
		t.Error("header still says PAUSED")
	}
}

// Every cluster down: the dashboard starts, keeps polling and never quits.
func TestNeverExitsWhenEveryClusterIsDown(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	for i, r := range readers {
		r.set(ops.Snapshot{}, refused(specs[i].Name))
	}
	m := newTestModel(specs, clk, 80, 24)
	m, timers, quit := run(m, m.Init())
	if quit {
		t.Fatal("Init quit")
	}
	for round := 0; round < 5; round++ {
		var next []firedMsg
		for _, tm := range pollTimers(timers) {
			var ts []firedMsg
			m, ts, quit = update(m, tm.msg)
			if quit || m.quitting {
				t.Fatal("the dashboard quit because clusters are down")
			}
			next = append(next, ts...)
		}
		timers = next
		clk.Advance(30 * time.Second)
	}
	if len(pollTimers(timers)) != 4 {
		t.Fatal("some loops stopped")
	}
	v := plain(m)
	for _, want := range []string{"0/4 reachable", "unreachable", "no data read yet"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// The read runs with its own timeout derived from the dashboard's context.
func TestFetchTimesOut(t *testing.T) {
	r := &fakeReader{block: make(chan struct{})}
	clk := newTestClock()
	msg := fetchStatus(context.Background(), r, nil, 3, 7, time.Millisecond, clk.Now)().(statusMsg)
	if msg.id != 3 || msg.gen != 7 || ops.ClassOf(msg.err) != ops.ErrTimeout {
		t.Fatalf("got %+v, want a timeout for cluster 3 gen 7", msg)
	}
}

// Quitting cancels the reads in flight.
func TestQuitCancelsReads(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	readers[0].block = make(chan struct{})
	specs[0].Reader = readers[0]
	m := newTestModel(specs, clk, 80, 24, func(d *Deps) { d.Timeout = time.Hour })
	nm, cmd := m.Update(pollDueMsg{id: 0, gen: m.clusters[0].gen})
	m = nm.(Model)
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	nm, quitCmd := m.Update(keyMsg("q"))
	if quitCmd == nil || !nm.(Model).Quitting() {
		t.Fatal("q did not quit")
	}
	if _, ok := quitCmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not return tea.Quit")
	}
	msg := (<-done).(statusMsg)
	if msg.err == nil {
		t.Fatal("the read in flight was not canceled")
	}
	if nm.(Model).View() != "" {
		t.Error("a quitting dashboard should draw nothing")
	}
}

func TestQuitKeys(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)

	// q types into the filter; ctrl+c quits even there.
	m, _, _ = update(m, keyMsg("/"))
	m, _, quit := update(m, keyMsg("q"))
	if quit || m.filter.Value() != "q" {
		t.Fatalf("q in the filter: quit=%v value=%q", quit, m.filter.Value())
	}
	_, _, quit = update(m, keyMsg("ctrl+c"))
	if !quit {
		t.Fatal("ctrl+c did not quit while the filter had focus")
	}
	m = newTestModel(specs, clk, 80, 24)
	if _, _, quit = update(m, keyMsg("q")); !quit {
		t.Fatal("q did not quit")
	}
}

// Below 80×24 only a message shows, and only quit keys work.
func TestTooSmall(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 79, 30)
	v := plain(m)
	if !strings.Contains(v, "terminal too small (need 80×24, have 79×30)") {
		t.Fatalf("view:\n%s", v)
	}
	for _, k := range []string{"r", "enter", "t", "?", "/", "p"} {
		nm, cmd := m.Update(keyMsg(k))
		if cmd != nil || nm.(Model).screen != screenDashboard || nm.(Model).filtering || nm.(Model).paused {
			t.Errorf("key %q acted on a too-small terminal", k)
		}
	}
	if readers[0].calls != 0 {
		t.Error("r read a cluster on a too-small terminal")
	}
	if _, _, quit := update(m, keyMsg("q")); !quit {
		t.Error("q did not quit on a too-small terminal")
	}
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(plain(m), "too small") {
		t.Error("still too small at 80×24")
	}
}

func TestNavigation(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48) // two columns
	m = pollAll(m, clk)
	steps := []struct {
		key  string
		want string
	}{
		{"tab", "us-east-1"}, {"down", "us-east-2-dr"}, {"left", "eu-west-1"}, {"up", "us-east-2"},
		{"shift+tab", "us-east-2-dr"}, {"tab", "us-east-2"}, {"l", "us-east-1"}, {"j", "us-east-2-dr"},
		{"h", "eu-west-1"}, {"k", "us-east-2"}, {"3", "eu-west-1"}, {"9", "eu-west-1"}, {"G", "us-east-2-dr"}, {"g", "us-east-2"},
	}
	for _, s := range steps {
		m = send(m, keyMsg(s.key))
		if m.Focused() != s.want {
			t.Fatalf("after %q focus is %s, want %s", s.key, m.Focused(), s.want)
		}
	}
	if !strings.Contains(plain(m), "› 1 us-east-2") {
		t.Error("focus marker missing on the focused pane")
	}
}

func TestFilterAndUnhealthyOnly(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	readers[2].set(ops.Snapshot{}, refused("eu-west-1"))
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)

	m = send(m, keyMsg("/"))
	for _, r := range "east-1" {
		m = send(m, keyMsg(string(r)))
	}
	m = send(m, keyMsg("enter"))
	v := plain(m)
	if !strings.Contains(v, "us-east-1") || strings.Contains(v, "eu-west-1 ") || !strings.Contains(v, "filter: east-1") {
		t.Fatalf("filter not applied:\n%s", v)
	}
	if m.Focused() != "us-east-1" {
		t.Errorf("focus %s, want the only visible cluster", m.Focused())
	}
	m = send(m, keyMsg("esc"))
	m = send(m, keyMsg("!"))
	vis := m.visibleIDs()
	if len(vis) != 1 || m.clusters[vis[0]].spec.Name != "eu-west-1" {
		t.Fatalf("unhealthy only shows %v", vis)
	}
	if !strings.Contains(plain(m), "unhealthy only") {
		t.Error("header does not say the view is filtered")
	}
	m = send(m, keyMsg("!"))
	if len(m.visibleIDs()) != 4 {
		t.Error("! did not show every cluster again")
	}
}

// Bindings that do not apply are disabled and absent from help.
func TestHelpShowsOnlyApplicableKeys(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 200, 30)
	v := plain(m)
	if strings.Contains(v, "lab faults") || strings.Contains(v, "setup wizard") {
		t.Errorf("lab/wizard keys shown without a lab or wizard:\n%s", v)
	}
	if nm, _ := m.Update(keyMsg("L")); nm.(Model).labOpen {
		t.Error("L opened a lab menu without a lab")
	}
	lab := &fakeLab{}
	m = newTestModel(specs, clk, 200, 30, func(d *Deps) { d.Lab = lab })
	if !strings.Contains(plain(m), "L lab faults") {
		t.Error("lab key missing in demo mode")
	}
	// Read-only removes the wizard even when cmd passed one.
	m = newTestModel(specs, clk, 200, 30, func(d *Deps) {
		d.ReadOnly = true
		d.Wizard = func(context.Context, string, int, int) (Overlay, tea.Cmd) { return nil, nil }
	})
	if strings.Contains(plain(m), "setup wizard") || !strings.Contains(plain(m), "read-only") {
		t.Error("read-only: wizard offered or header silent")
	}
}

func TestScreensAndBack(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	for _, tc := range []struct {
		keys []string
		want screen
		text string
	}{
		{[]string{"enter", "G"}, screenDetail, "Timeline (newest first)"},
		{[]string{"enter", "x"}, screenCommands, "vault read -format=json sys/replication/dr/status"},
		{[]string{"enter", "x", "esc"}, screenDetail, "Last error"},
		{[]string{"t"}, screenTopology, "Replication topology"},
		{[]string{"t", "x"}, screenCommands, "vault read -field=last_remote_wal"},
		{[]string{"t", "esc"}, screenDashboard, "Recent events"},
		{[]string{"?"}, screenHelp, "Legend"},
		{[]string{"?", "?"}, screenDashboard, "Recent events"},
		{[]string{"x"}, screenCommands, "VAULT_ADDR=https://10.0.0.20:8200 vault read -format=json sys/replication/status"},
	} {
		mm := m
		for _, k := range tc.keys {
			mm = send(mm, keyMsg(k))
		}
		if mm.screen != tc.want {
			t.Errorf("%v: screen %d, want %d", tc.keys, mm.screen, tc.want)
		}
		if v := plain(mm); !strings.Contains(v, tc.text) {
			t.Errorf("%v: view lacks %q:\n%s", tc.keys, tc.text, v)
		}
	}
}

// The timeline records transitions with the injected clock.
func TestTimelineRecordsTransitions(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	clk.Advance(10 * time.Second)
	readers[1].set(ops.Snapshot{}, refused("us-east-1"))
	m = pollAll(m, clk)
	clk.Advance(10 * time.Second)
	snap := perfSecondarySnap(idEast1, 1234)
	snap.Replication.Performance.State = ops.StateMerkleSync
	snap.Replication.Performance.RawState = "merkle-sync"
	snap.Replication.Performance.MerkleSync = &ops.SyncProgress{Progress: 42, TotalKeys: 100}
	readers[1].set(snap, nil)
	m = pollAll(m, clk)
	var texts []string
	for _, e := range m.clusters[1].events {
		texts = append(texts, clock(e.at)+" "+e.text)
	}
	got := strings.Join(texts, "\n")
	for _, want := range []string{
		"10:06:00 first status read (performance secondary stream-wals, DR disabled)",
		"10:06:10 unreachable: unreachable: connection failed (connection refused)",
		"10:06:20 reachable again after 10s",
		"10:06:20 Performance state stream-wals -> merkle-sync",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("timeline lacks %q:\n%s", want, got)
		}
	}
	m = send(m, keyMsg("2"))
	m = send(m, keyMsg("enter"))
	if v := plain(m); !strings.Contains(v, "merkle-sync") {
		t.Errorf("detail lacks the new state:\n%s", v)
	}
}

// The timeline is bounded.
func TestTimelineIsBounded(t *testing.T) {
	var c clusterState
	for i := range 500 {
		c.record(t0, ops.SeverityOK, "event %d", i)
	}
	if len(c.events) != maxEvents || c.events[len(c.events)-1].text != "event 499" {
		t.Fatalf("len %d, last %q", len(c.events), c.events[len(c.events)-1].text)
	}
}

// View is a function of the model and the injected clock only.
func TestViewIsPure(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	a, b := m.View(), m.View()
	if a != b {
		t.Fatal("two renders of one model differ")
	}
	clk.Advance(5 * time.Second)
	if c := plain(m); !strings.Contains(c, "updated 5s ago") {
		t.Errorf("relative time does not follow the injected clock:\n%s", c)
	}
}

// A stale pane keeps its data, says how old it is, and why.
func TestStalePaneKeepsLastGoodData(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	clk.Advance(20 * time.Second)
	readers[2].set(ops.Snapshot{}, refused("eu-west-1"))
	m = pollAll(m, clk)
	clk.Advance(12 * time.Second)
	v := plain(m)
	for _, want := range []string{
		"✗ unreachable",
		"since 10:06:20 (12s): unreachable: connection failed (connection refused)",
		"hint: check the address and port",
		"showing last good data from 10:06:00 (32s old)",
		"remote wal 1230",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestWizardOverlayRouting(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	ov := &fakeOverlay{}
	var openedOn string
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) {
		d.Wizard = func(_ context.Context, focused string, w, h int) (Overlay, tea.Cmd) {
			openedOn = focused
			ov.w, ov.h = w, h
			return ov, nil
		}
	})
	m = send(m, keyMsg("tab"))
	m = send(m, keyMsg("w"))
	if m.overlay == nil || openedOn != "us-east-1" || ov.h != 47 {
		t.Fatalf("wizard not opened on the focused cluster with the body size (on %q, %dx%d)", openedOn, ov.w, ov.h)
	}
	for _, k := range []string{"q", "t", "esc"} {
		m = send(m, keyMsg(k))
	}
	if m.quitting || m.screen != screenDashboard || len(ov.keys) != 3 {
		t.Fatalf("keys not routed to the overlay: quitting=%v screen=%d keys=%v", m.quitting, m.screen, ov.keys)
	}
	type wizardTick struct{}
	m = send(m, wizardTick{})
	if len(ov.other) != 1 {
		t.Fatal("unknown messages not routed to the overlay")
	}
	if v := plain(m); !strings.Contains(v, "FAKE WIZARD") || !strings.Contains(v, "› wizard") {
		t.Errorf("overlay not drawn:\n%s", v)
	}
	m, _, _ = update(m, OverlayClosedMsg{Changed: []string{"us-east-1"}})
	if m.overlay != nil || m.clusters[1].polls != 1 {
		t.Error("closing the overlay did not refresh the changed cluster")
	}
	if _, _, quit := update(m, keyMsg("ctrl+c")); !quit {
		t.Error("ctrl+c")
	}
}

type fakeOverlay struct {
	w, h  int
	keys  []string
	other []tea.Msg
}

func (o *fakeOverlay) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		o.keys = append(o.keys, k.String())
	} else {
		o.other = append(o.other, msg)
	}
	return o, nil
}
func (o *fakeOverlay) View() string             { return "FAKE WIZARD" }
func (o *fakeOverlay) SetSize(w, h int) Overlay { o.w, o.h = w, h; return o }
func (o *fakeOverlay) InputFocused() bool       { return false }
func (o *fakeOverlay) ShortHelp() []key.Binding { return nil }

// Keys that arrive in one read ("3L") act one by one; after "/" the rest
// is filter text.
func TestGroupedRunesActAsSeparateKeys(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = &fakeLab{} })
	m = pollAll(m, clk)
	m = send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3L")})
	if m.Focused() != "eu-west-1" || !m.labOpen {
		t.Fatalf("focus %s, lab open %v", m.Focused(), m.labOpen)
	}
	m = send(m, keyMsg("esc"))
	m = send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/west")})
	if !m.filtering || m.filter.Value() != "west" {
		t.Fatalf("filtering %v value %q", m.filtering, m.filter.Value())
	}
}

// Pending timers end when the dashboard quits, instead of lingering.
func TestContextTimerEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := contextTimer(ctx)(time.Hour, clockMsg{})
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	cancel()
	if msg := <-done; msg != nil {
		t.Fatalf("a canceled timer delivered %T", msg)
	}
	if msg := contextTimer(context.Background())(0, clockMsg{})(); msg != (clockMsg{}) {
		t.Fatalf("timer delivered %T", msg)
	}
}

// A secondary read a moment after a write on its primary can report a
// last_remote_wal past the primary's: the pane says "caught up" (not a
// flickering "lag ? WAL", not a clamped "lag 0 WAL") and the detail says why
// the number is not measured.
func TestSecondaryPastItsPrimaryReadsCaughtUp(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	snap := perfSecondarySnap(idEast1, 1240)
	snap.Replication.Performance.MerkleRoot = "differs-from-the-primary"
	readers[1].set(snap, nil)
	m := pollAll(newTestModel(specs, clk, 160, 48), clk)
	v := plain(m)
	if !strings.Contains(v, "caught up") || strings.Contains(v, "lag 0 WAL") {
		t.Fatalf("pane: want \"caught up\" and no clamped lag:\n%s", v)
	}
	m = send(send(m, keyMsg("2")), keyMsg("enter"))
	if d := plain(m); !strings.Contains(d, "caught up with us-east-2; not measured") {
		t.Fatalf("detail lacks the caught-up explanation:\n%s", d)
	}
}
