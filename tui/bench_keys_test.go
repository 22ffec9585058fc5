package tui

import (
	"fmt"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// manySecondaries is the global set with the primary listing n extra
// performance secondaries besides its two configured ones.
func manySecondaries(n int) ([]ClusterSpec, []*fakeReader) {
	specs, readers := globalSpecs()
	snap := primarySnap(1234)
	p := &snap.Replication.Performance
	for i := range n {
		id := fmt.Sprintf("extra-%05d", i)
		p.KnownSecondaries = append(p.KnownSecondaries, id)
		p.Secondaries = append(p.Secondaries, peer(id, fmt.Sprintf("https://10.1.%d.%d:8200", i/250, i%250), 2*time.Second))
	}
	readers[0].snap = snap
	return specs, readers
}

// Keys move the focus, open and close views: none of that changes what the
// clusters reported, so no key runs the judge (it costs O(links) and ran on
// the UI goroutine). The count goes through the Deps.Assess seam.
func TestKeysDoNoAssessment(t *testing.T) {
	clk := newTestClock()
	specs, _ := manySecondaries(10)
	calls := 0
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) {
		d.Assess = func(now time.Time, obs []ops.Observation) ops.Report {
			calls++
			return ops.Assess(now, obs, ops.DefaultThresholds())
		}
	})
	m = pollAll(m, clk)
	if calls == 0 {
		t.Fatal("the results were never assessed: the seam is not in use")
	}
	before := calls
	for _, k := range []string{"down", "down", "up", "tab", "shift+tab", "enter", "down", "esc", "?", "?", "right", "left"} {
		m = send(m, keyMsg(k))
		_ = m.View()
		if calls != before {
			t.Fatalf("key %q ran the assessment (%d calls, had %d)", k, calls, before)
		}
	}
}

// BenchmarkKeyManySecondaries is the latency of one key press (Update and
// the frame after it) on a dashboard whose primary lists 8,000 secondaries
// (goal < 100 ms; it took seconds when links were matched by linear scans
// on every assessment).
func BenchmarkKeyManySecondaries(b *testing.B) {
	clk := newTestClock()
	specs, _ := manySecondaries(8000)
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	_ = m.View()
	keys := []string{"down", "up"}
	i := 0
	for b.Loop() {
		m = send(m, keyMsg(keys[i%2]))
		_ = m.View()
		i++
	}
}
