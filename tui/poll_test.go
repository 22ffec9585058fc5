package tui

import (
	"testing"
	"time"
)

func TestNextDelay(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name      string
		base, max time.Duration
		errs      int
		u         float64
		want      time.Duration
	}{
		{"success waits the interval", 2 * s, 30 * s, 0, 0.7, 2 * s},
		{"first error, no jitter: base", 2 * s, 30 * s, 1, 0, 2 * s},
		{"first error, full jitter: just under twice", 2 * s, 30 * s, 1, 0.999999, 4*s - 2*time.Microsecond},
		{"second error, half jitter", 2 * s, 30 * s, 2, 0.5, 6 * s},
		{"third error", 2 * s, 30 * s, 3, 0, 8 * s},
		{"capped", 2 * s, 30 * s, 10, 0, 15 * s},
		{"capped, full jitter stays under the cap", 2 * s, 30 * s, 50, 0.999999, 30*s - 15*time.Microsecond},
		{"huge error count does not overflow", 2 * s, 30 * s, 1 << 30, 0.5, 22500 * time.Millisecond},
		{"never below base even when the cap is lower", 10 * s, 5 * s, 3, 0, 10 * s},
		{"zero base falls back to the default", 0, 30 * s, 0, 0, defaultInterval},
		{"negative u is treated as 0", 2 * s, 30 * s, 2, -1, 4 * s},
		{"u >= 1 is clamped", 2 * s, 30 * s, 2, 5, 8*s - 4*time.Microsecond},
		{"negative errs is success", 2 * s, 30 * s, -3, 0.5, 2 * s},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nextDelay(tc.base, tc.max, tc.errs, tc.u)
			if got != tc.want {
				t.Errorf("nextDelay(%v, %v, %d, %v) = %v, want %v", tc.base, tc.max, tc.errs, tc.u, got, tc.want)
			}
		})
	}
}

// Backoff grows monotonically in its lower bound and never exceeds the cap.
func TestNextDelayBounds(t *testing.T) {
	base, maxD := 2*time.Second, 30*time.Second
	for errs := 0; errs < 40; errs++ {
		for _, u := range []float64{0, 0.25, 0.5, 0.75, 0.999} {
			d := nextDelay(base, maxD, errs, u)
			if d < base || d > maxD {
				t.Fatalf("errs=%d u=%v: %v outside [%v, %v]", errs, u, d, base, maxD)
			}
		}
		if errs > 0 && nextDelay(base, maxD, errs, 0) < nextDelay(base, maxD, errs-1, 0) {
			t.Fatalf("lower bound shrank at errs=%d", errs)
		}
	}
}

func TestStagger(t *testing.T) {
	if got := stagger(0, 4, 2*time.Second); got != 0 {
		t.Errorf("first cluster should poll at once, got %v", got)
	}
	if got := stagger(0, 1, 2*time.Second); got != 0 {
		t.Errorf("a single cluster should poll at once, got %v", got)
	}
	prev := time.Duration(-1)
	for i := range 128 {
		d := stagger(i, 128, 2*time.Second)
		if d <= prev || d >= time.Second {
			t.Fatalf("stagger(%d, 128) = %v: not increasing within one second", i, d)
		}
		prev = d
	}
	if got := stagger(3, 4, 200*time.Millisecond); got != 150*time.Millisecond {
		t.Errorf("a short interval bounds the spread: got %v, want 150ms", got)
	}
}

func TestJitter(t *testing.T) {
	seen := map[float64]bool{}
	for id := range ClusterID(16) {
		for attempt := range 16 {
			u := jitter(0, id, attempt)
			if u < 0 || u >= 1 {
				t.Fatalf("jitter out of [0,1): %v", u)
			}
			if u != jitter(0, id, attempt) {
				t.Fatal("jitter is not deterministic")
			}
			seen[u] = true
		}
	}
	if len(seen) < 250 {
		t.Errorf("jitter repeats too often: %d distinct values of 256", len(seen))
	}
	if jitter(1, 3, 4) == jitter(2, 3, 4) {
		t.Error("the seed does not change the jitter")
	}
}
