package ops

import (
	"testing"
	"time"
)

// Status stamps its snapshot on the client's clock (ClientOptions.Now), the
// clock the caller judges with: the demo judges on the lab's clock, and a
// snapshot stamped on another clock would shift every cluster's offset.
func TestStatusStampsOnTheClientsClock(t *testing.T) {
	srv := statusServer(t, respond(200, fixture(t, "health_active.json")), respond(200, fixture(t, "status_primary_both.json")))
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := NewClient(ClusterConfig{Name: "a", Address: srv.URL}, ClientOptions{Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (Snapshot, error){
		func() (Snapshot, error) { return c.Status(t.Context()) },
		func() (Snapshot, error) {
			prev, err := c.Status(t.Context())
			if err != nil {
				return prev, err
			}
			return c.StatusAfter(t.Context(), &prev)
		},
	} {
		snap, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if !snap.FetchedAt.Equal(fixed) || snap.Took != 0 {
			t.Errorf("fetched at %v, took %v; want %v and 0 on the client's clock", snap.FetchedAt, snap.Took, fixed)
		}
	}
}

func TestFormatDurationReadsDaysPastTwo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond:              "2s",
		250 * time.Millisecond:               "250ms",
		47 * time.Hour:                       "47h0m0s",
		49*time.Hour + 30*time.Minute:        "2d1h",
		-(499022*time.Hour + 13*time.Minute): "-20792d14h",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
