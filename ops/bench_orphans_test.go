package ops

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAssessOrphans judges fleets of 32, 128 and 512 clusters in sets
// of four (a performance primary and three streaming secondaries; every
// fourth set's primary has replication disabled, so its secondaries are
// matched by address) and reports ns/cluster: flat when matching
// secondaries to primaries is linear in the fleet, growing with n when it
// is quadratic.
func BenchmarkAssessOrphans(b *testing.B) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	th := DefaultThresholds()
	for _, n := range []int{32, 128, 512} {
		obs := orphanFleet(n, now)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := Assess(now, obs, th); len(r.Clusters) != n {
					b.Fatalf("%d clusters judged, want %d", len(r.Clusters), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/cluster")
		})
	}
}

// orphanFleet is n observations in sets of four; see BenchmarkAssessOrphans.
func orphanFleet(n int, now time.Time) []Observation {
	obs := make([]Observation, 0, n)
	for set := 0; len(obs) < n; set++ {
		setID := fmt.Sprintf("set-%04d", set)
		pAddr := fmt.Sprintf("http://10.%d.%d.1:8200", set/250, set%250)
		p := TypeStatus{Type: Performance, Mode: ModePrimary, ClusterID: setID, LastPerformanceWAL: 1000, HasLastPerformanceWAL: true, HasKnownSecondaries: true, HasSecondaries: true}
		if set%4 == 3 {
			p = TypeStatus{Type: Performance, Mode: ModeDisabled}
		}
		var secs []Observation
		for j := 1; j <= 3 && len(obs)+len(secs)+1 < n+1; j++ {
			id := fmt.Sprintf("%s-sec-%d", setID, j)
			if p.Mode == ModePrimary {
				p.KnownSecondaries = append(p.KnownSecondaries, id)
				p.Secondaries = append(p.Secondaries, Peer{NodeID: id, Status: PeerConnected, LastHeartbeat: now.Add(-time.Second)})
			}
			s := TypeStatus{Type: Performance, Mode: ModeSecondary, ClusterID: setID, SecondaryID: id, State: StateStreamWALs, HasState: true,
				LastRemoteWAL: 1000, HasLastRemoteWAL: true, HasPrimaries: true,
				Primaries: []Peer{{APIAddress: pAddr, Status: PeerConnected, LastHeartbeat: now.Add(-time.Second)}}}
			secs = append(secs, Observation{Name: fmt.Sprintf("%s-s%d", setID, j), Address: fmt.Sprintf("http://10.%d.%d.%d:8200", set/250, set%250, j+1),
				Snapshot: &Snapshot{Replication: &Replication{Performance: s, DR: TypeStatus{Type: DR, Mode: ModeDisabled}}}})
		}
		obs = append(obs, Observation{Name: setID + "-p", Address: pAddr, Snapshot: &Snapshot{Replication: &Replication{Performance: p, DR: TypeStatus{Type: DR, Mode: ModeDisabled}}}})
		obs = append(obs, secs...)
	}
	return obs[:n]
}
