package tui

import (
	"fmt"
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
// the 2 s interval), plus on a performance primary the paths filter of each
// known secondary at the first poll and then every PathsFilterEvery (a
// minute: the 1st and the 31st poll) — never more than two requests per
// poll, never another path, and nothing from the 1 s clock ticks between
// polls. Counted by the simulator over many poll cycles of the real poll
// loop and the real ops.Client.
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
		f, other := filterRequests(counts)
		if other != 2 || r != c.polls || h != (c.polls+4)/5 {
			t.Errorf("%s: %d polls, requests %v; want one replication status a poll and health every fifth", c.spec.Name, c.polls, counts)
		}
		ids, _ := filterIDs(c.snap)
		if want := 2 * len(ids); f != want {
			t.Errorf("%s: %d paths-filter reads for %d secondaries, want %d (the first poll and a minute later): %v", c.spec.Name, f, len(ids), want, counts)
		}
		if perPoll := float64(h+r+f) / float64(c.polls); perPoll > 2 {
			t.Errorf("%s: %.2f requests per poll, budget 2", c.spec.Name, perPoll)
		}
		requests, polls = requests+h+r+f, polls+c.polls
	}
	avg := float64(requests) / float64(polls)
	t.Logf("%d clusters, %d polls: %d requests, %.3f per cluster per poll (budget 2)", len(e.m.clusters), polls, requests, avg)
	if avg > 1.25 {
		t.Errorf("%.3f requests per cluster per poll, want at most 1.25", avg)
	}
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
		// The paths filters are read once: the dashboard's clock never
		// reaches PathsFilterEvery, and nothing else calls for them.
		ids, _ := filterIDs(c.snap)
		f, other := filterRequests(counts)
		if r := counts["/v1/sys/replication/status"]; other != 2 || r < c.polls || r > c.polls+1 || f != len(ids) {
			t.Errorf("%s: %d polls, requests %v", c.spec.Name, c.polls, counts)
		}
	}
}

// A thousand poll cycles, with one cluster going through refused
// connections, hangs, huge and malformed bodies, flapping and 5xx bursts,
// leave no goroutine behind: after a thousand cycles nothing runs that did
// not run after ten, but for HTTP connections and the victim's restarted server (a hang or a huge body ends
// its connection and the next poll opens another; that connections are
// released is ops' TestStatusReleasesConnections), and once the dashboard
// has quit and the lab has stopped, nothing is left at all. goleak retries
// for a while before it reports, so a read still finishing is not a leak.
func TestNoGoroutineLeakAfter1000Polls(t *testing.T) {
	before := goleak.IgnoreCurrent()
	e := newLabEnv(t, labEnvOptions{topology: "datacenter", hangTimeout: 100 * time.Millisecond})
	e.drawEvery = 25 // frames are not what this test is about
	const victim = "cloud"
	faults := []func() error{
		func() error { return e.lab.Stop(victim) },
		func() error { return e.hang(victim, true) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultHugeBody, 4) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultTruncated, 4) },
		func() error { return e.lab.InjectResponse(victim, sim.FaultMalformedJSON, 4) },
		func() error { return e.lab.Flap(victim, true) },
		func() error { return e.lab.FailRequests(victim, 503, 6) },
		func() error { return e.lab.Seal(victim) },
	}
	var after10 goleak.Option
	for i := range 1000 {
		switch {
		case i == 10:
			after10 = goleak.IgnoreCurrent()
		case i > 10 && i%50 == 0:
			// A fault for five polls, then five healthy polls before the next.
			if err := faults[(i/50)%len(faults)](); err != nil {
				t.Fatal(err)
			}
		case i > 10 && i%50 == 5:
			if err := e.clearFaults(victim); err != nil {
				t.Fatal(err)
			}
		}
		e.cycle()
	}
	checkAllHealthy(t, e)
	if err := goleak.Find(after10,
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		// The victim's server, started again after the refused-connection fault.
		goleak.IgnoreAnyFunction("net/http.(*Server).Serve")); err != nil {
		t.Errorf("after 1000 polls, goroutines that did not run after 10:\n%v", err)
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

// BenchmarkViewAllocations reports a frame's allocations at the start of a
// run and after thousands of frames (allocs/frame-start, allocs/frame-end),
// for repeated frames of the same data (panes come from the cache) and for
// frames that follow a poll result and a new second (every visible pane
// redrawn): the two figures of a kind should be equal, since a frame's
// allocations depend on what it shows, not on how many came before it.
// A figure, not a unit test: under -race sync.Pool drops items at random
// and moves the counts. The clock swings between two seconds, so that the
// content itself (ages, heartbeat findings) stays the same over the run.
func BenchmarkViewAllocations(b *testing.B) {
	for _, tc := range []struct{ n, frames int }{{4, 2000}, {128, 300}} {
		b.Run(fmt.Sprintf("clusters=%d", tc.n), func(b *testing.B) {
			for b.Loop() {
				m, clk := fleetModelClock(b, tc.n, 160, 48)
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
				b.ReportMetric(coldStart, "allocs/new-data-frame-start")
				b.ReportMetric(coldEnd, "allocs/new-data-frame-end")
				b.ReportMetric(warmStart, "allocs/same-data-frame-start")
				b.ReportMetric(warmEnd, "allocs/same-data-frame-end")
			}
		})
	}
}

// filterRequests splits a cluster's request counts into paths-filter reads
// and the number of other paths requested.
func filterRequests(counts map[string]int) (filters, otherPaths int) {
	for p, n := range counts {
		if strings.HasPrefix(p, "/v1/sys/replication/performance/primary/paths-filter/") {
			filters += n
		} else {
			otherPaths++
		}
	}
	return filters, otherPaths
}
