package ops

import (
	"testing"
	"time"
)

// A snapshot may carry health read polls ago (StatusAfter reuses it): the
// cluster's offset is its server time against the time of that health
// read, not against the snapshot's newer FetchedAt. Measured against
// FetchedAt, a health read 8 s earlier made every heartbeat look 8 s in the
// future on the demo.
func TestClusterNowUsesTheHealthReadTime(t *testing.T) {
	read := time.Date(2026, 12, 5, 13, 5, 40, 0, time.UTC)
	fetched := read.Add(8 * time.Second)
	now := fetched.Add(500 * time.Millisecond)
	carried := Snapshot{FetchedAt: fetched, Health: &Health{ServerTime: read, ReadAt: read}}
	if got, off := ClusterNow(now, carried); !got.Equal(now) || off != 0 {
		t.Errorf("carried-over health in step with this clock: ClusterNow = %v (offset %v), want %v (0)", got, off, now)
	}

	// A cluster whose clock is 30 s ahead stays 30 s ahead, however old the
	// health read.
	ahead := Snapshot{FetchedAt: fetched, Health: &Health{ServerTime: read.Add(30 * time.Second), ReadAt: read}}
	if got, off := ClusterNow(now, ahead); off != 30*time.Second || !got.Equal(now.Add(30*time.Second)) {
		t.Errorf("a clock 30s ahead: ClusterNow = %v (offset %v), want offset 30s", got, off)
	}

	// Without the read time (a snapshot built elsewhere), FetchedAt stands in.
	old := Snapshot{FetchedAt: read, Health: &Health{ServerTime: read.Add(30 * time.Second)}}
	if _, off := ClusterNow(now, old); off != 30*time.Second {
		t.Errorf("no ReadAt: offset %v, want 30s from FetchedAt", off)
	}
}

// Status stamps the health read on the client's clock (ClientOptions.Now),
// the clock the caller judges with.
func TestStatusStampsHealthOnTheClientsClock(t *testing.T) {
	srv := statusServer(t, respond(200, fixture(t, "health_active.json")), respond(200, fixture(t, "status_primary_both.json")))
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := NewClient(ClusterConfig{Name: "a", Address: srv.URL}, ClientOptions{Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Health == nil || !snap.Health.ReadAt.Equal(fixed) || !snap.FetchedAt.Equal(fixed) {
		t.Fatalf("health read at %v, fetched at %v; want both %v", snap.Health.ReadAt, snap.FetchedAt, fixed)
	}
}
