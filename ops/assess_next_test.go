package ops

import (
	"errors"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// sameJudgement compares two reports as a dashboard judging at a later time
// would: Link.HeartbeatAge grows with the clock by definition (views add the
// time since the assessment) and NextChange is the schedule itself.
func sameJudgement(a, b Report) bool {
	norm := func(r Report) Report {
		r.NextChange = time.Time{}
		r.Links = append([]Link(nil), r.Links...)
		for i := range r.Links {
			r.Links[i].HeartbeatAge = 0
		}
		return r
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestNextChangeIsNeverLate: between an assessment and its NextChange,
// assessing the same observations again gives the same report, over random
// heartbeat ages (fresh, stale, in the future), cluster clock offsets,
// disconnected peers, unreachable clusters with old data and thresholds.
func TestNextChangeIsNeverLate(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	offsets := []time.Duration{0, 1500 * time.Millisecond, 5 * time.Second, -7 * time.Second, 45 * time.Second}
	changed := 0
	for trial := 0; trial < 150; trial++ {
		obs := globalSet(t, func(p, s, dr *Replication) {
			for _, r := range []*Replication{p, s, dr} {
				for _, ts := range []*TypeStatus{&r.Performance, &r.DR} {
					for _, peers := range [][]Peer{ts.Secondaries, ts.Primaries} {
						for i := range peers {
							peers[i].LastHeartbeat = heartbeat.Add(time.Duration(rng.Int63n(int64(160*time.Second))) - 20*time.Second)
							if rng.Intn(5) == 0 {
								peers[i].Status = PeerDisconnected
							}
						}
					}
				}
			}
		})
		for i := range obs {
			if h := obs[i].Snapshot.Health; h != nil {
				c := *h
				c.ServerTime = heartbeat.Add(offsets[rng.Intn(len(offsets))])
				obs[i].Snapshot.Health = &c
			}
			if rng.Intn(4) == 0 {
				obs[i].Err = errors.New("connection refused")
			}
		}
		th := DefaultThresholds()
		if trial%3 == 1 {
			th.HeartbeatWarn, th.HeartbeatCrit = 3*time.Second, 11*time.Second
		}
		now := heartbeat.Add(time.Duration(rng.Int63n(int64(100 * time.Second))))
		rep := Assess(now, obs, th)
		horizon := rep.NextChange
		if horizon.IsZero() {
			horizon = now.Add(10 * time.Minute)
		} else if !horizon.After(now) {
			t.Fatalf("trial %d: NextChange %v is not after now %v", trial, horizon, now)
		}
		span := horizon.Sub(now)
		samples := []time.Duration{span - 1, span / 2, 1}
		for k := 0; k < 20; k++ {
			samples = append(samples, time.Duration(rng.Int63n(int64(span))))
		}
		for _, d := range samples {
			if d <= 0 || d >= span {
				continue
			}
			if later := Assess(now.Add(d), obs, th); !sameJudgement(rep, later) {
				t.Fatalf("trial %d: the report at now+%v differs, but NextChange said now+%v", trial, d, span)
			}
		}
		if !rep.NextChange.IsZero() && !sameJudgement(rep, Assess(rep.NextChange.Add(time.Millisecond), obs, th)) {
			changed++
		}
	}
	// The schedule is not merely early: most next changes are real.
	if changed < 50 {
		t.Errorf("only %d of 150 scheduled changes changed the report soon after", changed)
	}
}

// TestNextChangeHealthySet: a healthy set read now is judged again when the
// first heartbeat crosses the warning age, not before; with no heartbeats
// at all nothing but new data can change it.
func TestNextChangeHealthySet(t *testing.T) {
	th := DefaultThresholds()
	obs := globalSet(t, nil)
	now := heartbeat.Add(2 * time.Second)
	rep := Assess(now, obs, th)
	if rep.Worst != SeverityOK {
		t.Fatalf("fixture set is %v, want ok", rep.Worst)
	}
	if want := heartbeat.Add(th.HeartbeatWarn + 1); !rep.NextChange.Equal(want) {
		t.Errorf("NextChange = %v, want %v (heartbeat + warning age)", rep.NextChange, want)
	}
	noBeats := globalSet(t, func(p, s, dr *Replication) {
		for _, r := range []*Replication{p, s, dr} {
			for _, ts := range []*TypeStatus{&r.Performance, &r.DR} {
				for _, peers := range [][]Peer{ts.Secondaries, ts.Primaries} {
					for i := range peers {
						peers[i].LastHeartbeat = time.Time{}
					}
				}
			}
		}
	})
	if got := Assess(now, noBeats, th).NextChange; !got.IsZero() {
		t.Errorf("NextChange without heartbeats = %v, want zero", got)
	}
}
