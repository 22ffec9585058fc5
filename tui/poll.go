package tui

import "time"

// Poll policy: pure functions, so the cadence is table-tested without clocks.

// nextDelay is the wait before the next poll of a cluster that has failed
// errs times in a row. Success (errs == 0) waits exactly base. After errors the
// wait doubles per failure up to maxDelay, then "equal jitter" keeps a half of
// it and randomises the other half with u in [0,1), so that many clusters that
// failed together (a network blip) do not retry in lockstep. The result is
// never below base: backing off must not poll faster than healthy clusters.
func nextDelay(base, maxDelay time.Duration, errs int, u float64) time.Duration {
	if base <= 0 {
		base = defaultInterval
	}
	if maxDelay < base {
		maxDelay = base
	}
	if errs <= 0 {
		return base
	}
	d := base
	for i := 0; i < errs && d < maxDelay; i++ {
		d *= 2
	}
	if d > maxDelay {
		d = maxDelay
	}
	if u < 0 {
		u = 0
	}
	if u >= 1 {
		u = 0.999999
	}
	d = d/2 + time.Duration(u*float64(d/2))
	if d < base {
		d = base
	}
	return d
}

// stagger spreads the first polls of n clusters over at most one second (or
// the interval, if shorter), so N clusters do not fire in lockstep and the
// first screen still fills quickly.
func stagger(i, n int, interval time.Duration) time.Duration {
	if n <= 1 || i <= 0 {
		return 0
	}
	spread := min(interval, time.Second)
	return time.Duration(i) * spread / time.Duration(n)
}

// jitter returns a deterministic number in [0,1) for one retry of one
// cluster: a hash of the seed, the cluster and the attempt. Deterministic so
// that Update stays a pure function of its inputs and tests are repeatable.
func jitter(seed uint64, id ClusterID, attempt int) float64 {
	x := seed ^ uint64(id)<<32 ^ uint64(attempt)
	// splitmix64 finaliser.
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / float64(1<<53)
}
