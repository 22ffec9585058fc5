package ops

import (
	"testing"
	"time"
)

func TestOnsetsKeepTheFirstSighting(t *testing.T) {
	t0 := heartbeat
	lagging := func(wal uint64) []Observation {
		return globalSet(t, func(p, s, _ *Replication) {
			p.Performance.LastPerformanceWAL, s.Performance.MerkleRoot = wal, "differs"
		})
	}
	var o Onsets
	rep := Assess(t0, lagging(3000), DefaultThresholds())
	o.Stamp(&rep, t0)
	rep = Assess(t0.Add(3*time.Minute), lagging(3100), DefaultThresholds())
	o.Stamp(&rep, t0.Add(3*time.Minute))
	var r Reason
	for _, x := range rep.Clusters[1].Performance.Reasons {
		if x.Severity == SeverityWarning {
			r = x
		}
	}
	if !r.Since.Equal(t0) {
		t.Fatalf("onset %v, want %v (%+v)", r.Since, t0, r)
	}
	if got := FormatSince(r.Since, t0.Add(3*time.Minute)); got != "since 15:05:56 (3m)" {
		t.Errorf("%q", got)
	}
	// Gone, then back: a new onset.
	rep = Assess(t0.Add(4*time.Minute), globalSet(t, nil), DefaultThresholds())
	o.Stamp(&rep, t0.Add(4*time.Minute))
	rep = Assess(t0.Add(5*time.Minute), lagging(3000), DefaultThresholds())
	o.Stamp(&rep, t0.Add(5*time.Minute))
	for _, x := range rep.Clusters[1].Performance.Reasons {
		if x.Severity == SeverityWarning && !x.Since.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("returned finding kept its old onset: %+v", x)
		}
	}
	if FormatSince(time.Time{}, t0) != "" || FormatSince(t0, t0.Add(90*time.Minute)) != "since 15:05:56 (1h30m)" {
		t.Errorf("%q", FormatSince(t0, t0.Add(90*time.Minute)))
	}
}
