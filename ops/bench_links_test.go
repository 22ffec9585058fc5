package ops

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAssessManySecondaries assesses one performance primary listing
// 8,000 secondaries (known_secondaries and secondaries[]), the shape that
// took seconds when each link looked its peer up by a linear scan. Compare
// runs with `make bench` / benchstat.
func BenchmarkAssessManySecondaries(b *testing.B) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const n = 8000
	p := TypeStatus{Type: Performance, Mode: ModePrimary, ClusterID: "set-1", LastPerformanceWAL: 1000}
	for i := range n {
		id := fmt.Sprintf("sec-%05d", i)
		p.KnownSecondaries = append(p.KnownSecondaries, id)
		p.Secondaries = append(p.Secondaries, Peer{NodeID: id, Status: PeerConnected, LastHeartbeat: now.Add(-time.Second)})
	}
	obs := []Observation{{Name: "primary", Snapshot: &Snapshot{Replication: &Replication{Performance: p}}}}
	th := DefaultThresholds()
	for b.Loop() {
		if r := Assess(now, obs, th); len(r.Links) != n {
			b.Fatalf("%d links, want %d", len(r.Links), n)
		}
	}
}
