package ops

import "time"

// nextChange is the earliest instant after now at which Assess over the same
// observations could give a different report: a heartbeat's age crossing a
// threshold (or leaving "in the future"), or an age written in a reason's
// text ("last heartbeat 14s ago", "last good data 9s old") reaching its next
// rounded value. The zero time means no age in obs can change the report:
// only new observations can. A caller that judges on a clock tick can then
// skip every tick before it. Link.HeartbeatAge is left out: it is a reading
// that grows with the clock by definition, and a view can add the time since
// the assessment to it.
//
// It may be early (a spare assessment), never late: it follows the
// time-dependent rules of peerReasons and assessCluster, and
// TestNextChangeIsNeverLate checks it against Assess itself.
func nextChange(now time.Time, obs []Observation, th Thresholds) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, o := range obs {
		s := o.Snapshot
		if s == nil {
			continue
		}
		if o.Err != nil && !s.FetchedAt.IsZero() {
			// "(last good data 9s old)", on this machine's clock.
			consider(now.Add(textStep(now.Sub(s.FetchedAt))))
		}
		if s.Replication == nil {
			continue
		}
		// Heartbeats are times on the reporting cluster's clock, and the
		// offset is fixed by the snapshot: ages still grow one second a
		// second, but the thresholds are crossed at shifted instants.
		clusterNow, _ := ClusterNow(now, *s)
		for _, t := range ReplicationTypes {
			ts := s.Replication.Of(t)
			for _, peers := range [][]Peer{ts.Secondaries, ts.Primaries} {
				for _, p := range peers {
					if p.LastHeartbeat.IsZero() || p.Status == PeerDisconnected {
						// No age, or "disconnected" says all and no age is judged.
						continue
					}
					if d, ok := heartbeatStep(clusterNow.Sub(p.LastHeartbeat), th); ok {
						consider(now.Add(d))
					}
				}
			}
		}
	}
	return next
}

// heartbeatStep is how long until a heartbeat of this age can be judged or
// written differently by peerReasons.
func heartbeatStep(age time.Duration, th Thresholds) (time.Duration, bool) {
	var step time.Duration
	found := false
	take := func(d time.Duration) {
		if d > 0 && (!found || d < step) {
			step, found = d, true
		}
	}
	// "in the future" holds while age < -ClockOffsetShown, and writes the age.
	if age < -ClockOffsetShown {
		take(-ClockOffsetShown - age)
		take(textStep(age))
	}
	// Over a threshold means strictly greater: one nanosecond past it.
	for _, limit := range []time.Duration{th.HeartbeatWarn, th.HeartbeatCrit} {
		if limit > 0 && age <= limit {
			take(limit - age + 1)
		}
	}
	if _, over := overThreshold(age, th.HeartbeatWarn, th.HeartbeatCrit); over {
		take(textStep(age))
	}
	return step, found
}

// textStep is how much a growing age d can grow before formatDuration(d)
// can read differently. formatDuration rounds to whole seconds (milliseconds
// below one second), and rounding changes only at odd multiples of half the
// unit, so the next multiple of half a unit is never late. Up to 1.5 s from
// zero the unit is taken as the millisecond: on either side of one second
// the text switches between the two forms.
func textStep(d time.Duration) time.Duration {
	half := time.Second / 2
	if absDuration(d) <= 1500*time.Millisecond {
		half = time.Millisecond / 2
	}
	b := (d / half) * half // toward zero: at or above d when d < 0
	if b <= d {
		b += half
	}
	return b - d
}
