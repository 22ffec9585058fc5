package sim

import (
	"sync"
	"time"
)

// Clock tells the lab what time it is. Every timestamp the simulated clusters
// report, every token expiry and every state-machine deadline is read from it,
// which is what lets a test run a whole replication scenario without sleeping.
type Clock interface {
	Now() time.Time
}

// ManualClock is a Clock that moves only when told to. Give it to Options.Clock
// in tests and drive the lab with Lab.Advance.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (negative d is ignored: simulated time
// never runs backwards, or deadlines already passed would un-pass).
func (c *ManualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scaledClock is the lab's default clock: real time, sped up by a factor, so
// that "--speed 10" makes an initial sync ten times faster. skip lets
// Lab.Advance jump ahead (e.g. to expire an activation token in a training
// session) without a manual clock.
type scaledClock struct {
	mu        sync.Mutex
	realStart time.Time
	simStart  time.Time
	speed     float64
	skipped   time.Duration
}

func newScaledClock(speed float64) *scaledClock {
	now := time.Now()
	return &scaledClock{realStart: now, simStart: now, speed: speed}
}

func (c *scaledClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	elapsed := time.Since(c.realStart)
	return c.simStart.Add(time.Duration(float64(elapsed)*c.speed) + c.skipped)
}

func (c *scaledClock) skip(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.skipped += d
	c.mu.Unlock()
}
