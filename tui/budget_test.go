package tui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"go.uber.org/goleak"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// The request budget: a poll of one cluster is sys/replication/status, plus
// sys/health when it is due (every HealthEvery, 10 s: every fifth poll at
// the 2 s interval) — never more than two requests, never another path, and
// nothing from the 1 s clock ticks between polls. Counted by the simulator
// over many poll cycles of the real poll loop and the real ops.Client.
func TestRequestsPerClusterPerPoll(t *testing.T) {
	e := newLabEnv(t, labEnvOptions{topology: "fleet:16"})
	const cycles = 40
	for range cycles {
		e.cycle()
	}
	var requests, polls int
	for i := range e.m.clusters {
		c := &e.m.clusters[i]
		if c.polls != cycles || c.lastErr != nil {
			t.Fatalf("%s: %d polls (want %d), err %v", c.spec.Name, c.polls, cycles, c.lastErr)
		}
		counts := e.lab.RequestCounts(c.spec.Name)
		h, r := counts["/v1/sys/health"], counts["/v1/sys/replication/status"]
		if len(counts) != 2 || r != c.polls || h != (c.polls+4)/5 {
			t.Errorf("%s: %d polls, requests %v; want one replication status a poll and health every fifth", c.spec.Name, c.polls, counts)
		}
		if perPoll := float64(h+r) / float64(c.polls); perPoll > 2 {
			t.Errorf("%s: %.2f requests per poll, budget 2", c.spec.Name, perPoll)
		}
		requests, polls = requests+h+r, polls+c.polls
	}
	t.Logf("%d clusters, %d polls: %d requests, %.2f per cluster per poll (budget 2)", len(e.m.clusters), polls, requests, float64(requests)/float64(polls))
	// A manual refresh reads everything.
	e.m, _, _ = update(e.m, keyMsg("R"))
	for i := range e.m.clusters {
		name := e.m.clusters[i].spec.Name
		if h := e.lab.RequestCounts(name)["/v1/sys/health"]; h != (cycles+4)/5+1 {
			t.Errorf("%s: refresh all read health %d times in all", name, h)
		}
	}
}

// The same budget with the real program: bubbletea's timers and tea.Batch,
// at a short interval. Health is due by the dashboard's clock, which the
// test holds still and moves by hand, and the lab's clock is stopped too
// (nothing changes that would call for a health read): so however many
// polls the machine manages, each cluster reads health exactly once per
// HealthEvery of the dashboard's clock, and replication status once a poll
// (a read in flight when q arrives may be counted by the lab without a
// result, hence one of slack).
func TestRequestsPerPollInTheProgram(t *testing.T) {
	lab := simtest.Start(t, sim.Options{Topology: "fleet:8", Seed: 42, Clock: sim.NewManualClock(t0)})
	clk := &testClock{now: t0}
	var specs []ClusterSpec
	for _, ci := range lab.Clusters() {
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}},
			ops.ClientOptions{Timeout: flowWait})
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, ClusterSpec{Name: ci.Name, Address: ci.Addr, Reader: c})
	}
	deps := Deps{Clusters: specs, Interval: 20 * time.Millisecond, HealthEvery: 10 * time.Second, Timeout: flowWait,
		MaxBackoff: time.Second, Styles: asciiStyles(), Lab: lab, Now: clk.Now}
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, `8/8 reachable`)
	// waitPolls waits until every cluster has read replication status at
	// least n times in all, failing at the deadline.
	waitPolls := func(n int) {
		t.Helper()
		deadline := time.Now().Add(flowWait)
		for _, ci := range lab.Clusters() {
			for lab.RequestCounts(ci.Name)["/v1/sys/replication/status"] < n {
				if time.Now().After(deadline) {
					t.Fatalf("%s: %v after %s, want %d polls", ci.Name, lab.RequestCounts(ci.Name), flowWait, n)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	checkHealth := func(want int) {
		t.Helper()
		for _, ci := range lab.Clusters() {
			if h := lab.RequestCounts(ci.Name)["/v1/sys/health"]; h != want {
				t.Errorf("%s: health read %d times, want %d: %v", ci.Name, h, want, lab.RequestCounts(ci.Name))
			}
		}
	}
	waitPolls(10)
	checkHealth(1)
	clk.Advance(deps.HealthEvery)
	waitPolls(20)
	checkHealth(2)
	m := finalModel(t, tm)
	for i := range m.clusters {
		c := &m.clusters[i]
		counts := lab.RequestCounts(c.spec.Name)
		if r := counts["/v1/sys/replication/status"]; len(counts) != 2 || r < c.polls || r > c.polls+1 {
			t.Errorf("%s: %d polls, requests %v", c.spec.Name, c.polls, counts)
		}
	}
}

// A thousand poll cycles, with one cluster going through refused
// connections, hangs, huge and malformed bodies, flapping and 5xx bursts,
// leave no goroutine behind: the count after a thousand cycles is the count
// after ten (connections are reused, bodies closed), and once the dashboard
// has quit and the lab has stopped, nothing is left at all.
func TestNoGoroutineLeakAfter1000Polls(t *testing.T) {
	before := goleak.IgnoreCurrent()
	e := newLabEnv(t, labEnvOptions{topology: "datacenter", timeout: 100 * time.Millisecond})
	e.drawEvery = 25 // frames are not what this test is about
	const victim = "cloud"
	faults := []func() error{
		func() error { return e.lab.Stop(victim) },
		func() error { return e.lab.Hang(victim, true) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultHugeBody, 4) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultTruncated, 4) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultMalformedJSON, 4) },
		func() error { return e.lab.Flap(victim, true) },
		func() error { return e.lab.FailRequests(victim, 503, 6) },
		func() error { return e.lab.Seal(victim) },
	}
	var baseline int
	for i := range 1000 {
		switch {
		case i == 10:
			baseline = settledGoroutines()
		case i > 10 && i%50 == 0:
			// A fault for five polls, then five healthy polls before the next.
			if err := faults[(i/50)%len(faults)](); err != nil {
				t.Fatal(err)
			}
		case i > 10 && i%50 == 5:
			if err := e.lab.ClearFaults(victim); err != nil {
				t.Fatal(err)
			}
		}
		e.cycle()
	}
	checkAllHealthy(t, e)
	// Idle keep-alive connections come and go with the faults (a hang or a
	// huge body ends its connection); a leak would grow with the polls.
	if n := settledGoroutines(); n > baseline+8 {
		t.Errorf("%d goroutines after 1000 polls, %d after 10:\n%s", n, baseline, goroutineTops())
	}
	m, _, quit := update(e.m, keyMsg("q"))
	if !quit || !m.Quitting() || m.ctx.Err() == nil {
		t.Fatal("q did not quit and cancel the reads")
	}
	if err := e.lab.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
}

// After the real program quits (reads in flight, timers pending), nothing
// it started is left running.
func TestNoGoroutineLeakAfterQuit(t *testing.T) {
	before := goleak.IgnoreCurrent()
	lab, deps := startLab(t, "global")
	deps.Interval = 10 * time.Millisecond
	tm := teatest.NewTestModel(t, New(deps), teatest.WithInitialTermSize(160, 48))
	waitFor(t, tm, `4/4 reachable`)
	deadline := time.Now().Add(flowWait)
	for lab.RequestCounts("us-east-2")["/v1/sys/replication/status"] < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("us-east-2: %v after %s, want 50 polls", lab.RequestCounts("us-east-2"), flowWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !finalModel(t, tm).Quitting() {
		t.Fatal("q did not quit")
	}
	if err := lab.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}

// settledGoroutines is the goroutine count once it stops changing (a
// finished read's goroutines take a moment to exit), at most a second.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// goroutineTops summarises the running goroutines by their top frame.
func goroutineTops() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	tops := map[string]int{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(g, "\n")
		if len(lines) > 1 {
			tops[strings.TrimSpace(lines[1])]++
		}
	}
	var b strings.Builder
	for f, n := range tops {
		fmt.Fprintf(&b, "%4d %s\n", n, f)
	}
	return b.String()
}

// Frames do not allocate more the longer the dashboard runs: a frame's
// allocations depend on what it shows, not on how many came before it.
// Measured for repeated frames of the same data (panes come from the
// cache) and for frames that follow a poll result and a new second (every
// visible pane redrawn), at the start and after thousands of frames. The
// clock swings between two seconds, so that the content itself (ages,
// heartbeat findings) stays the same over the run.
func TestViewAllocationsStayFlat(t *testing.T) {
	// A frame of 128 clusters re-assesses all of them: fewer frames there
	// keep the test quick under -race.
	for _, tc := range []struct{ n, frames int }{{4, 2000}, {128, 300}} {
		t.Run(fmt.Sprintf("clusters=%d", tc.n), func(t *testing.T) {
			m, clk := fleetModelClock(t, tc.n, 160, 48)
			snap := *m.clusters[1].snap
			tick := time.Second
			step := func() {
				clk.Advance(tick)
				tick = -tick
				nm, _ := m.Update(statusMsg{id: 1, gen: m.clusters[1].gen, snap: snap, at: clk.Now()})
				m = nm.(Model)
				_ = m.View()
			}
			same := func() { _ = m.View() }
			for range 20 {
				step()
			}
			coldStart, warmStart := testing.AllocsPerRun(50, step), testing.AllocsPerRun(50, same)
			for range tc.frames {
				step()
			}
			coldEnd, warmEnd := testing.AllocsPerRun(50, step), testing.AllocsPerRun(50, same)
			t.Logf("allocs per frame: new data %.0f -> %.0f, same data %.0f -> %.0f", coldStart, coldEnd, warmStart, warmEnd)
			// Exactly flat in a normal build; -race's sync.Pool drops items
			// at random, which moves the count by one or two.
			if coldEnd > coldStart*1.01+1 || warmEnd > warmStart*1.01+1 {
				t.Errorf("allocations grew: new data %.0f -> %.0f, same data %.0f -> %.0f", coldStart, coldEnd, warmStart, warmEnd)
			}
		})
	}
}
