package ops

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// withDate answers like h, with the server's clock in the Date header (as
// Go's net/http server, hence Vault's listener, sends it on every reply).
func withDate(date time.Time, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", date.UTC().Format(http.TimeFormat))
		h(w, r)
	}
}

// When sys/health gives no server_time_utc (here: a proxy in front answers
// sys/health with its own error page), the cluster's clock is the HTTP Date
// header, and heartbeat ages are measured on it. The replication status is
// the performance/DR primary of HashiCorp's API docs
// (developer.hashicorp.com/vault/api-docs/system/replication, 2020 sample:
// heartbeats at 2020-06-10T15:40:46-07:00 and 15:40:47-07:00); the cluster
// answered 4 s after the first heartbeat, on its clock, years before ours.
func TestClockFromDateHeader(t *testing.T) {
	answered := time.Date(2020, 6, 10, 22, 40, 50, 0, time.UTC)
	fv := statusServer(t,
		withDate(answered, respond(http.StatusBadGateway, []byte("<html><body>502 Bad Gateway</body></html>"))),
		withDate(answered, respond(200, fixture(t, "status_2020_docs_primary_both.json"))))
	snap, err := testClient(t, fv.URL, ClientOptions{}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.ClockSource != ClockDateHeader || !snap.ServerClock.Equal(answered) {
		t.Fatalf("clock %v from %q, want %v from the Date header", snap.ServerClock, snap.ClockSource, answered)
	}
	rep := Assess(snap.FetchedAt, []Observation{{Name: "p", Snapshot: &snap}}, DefaultThresholds())
	c := rep.Clusters[0]
	if !hasReason(c.Reasons, SeverityOK, "behind this machine's (Date header)") {
		t.Errorf("no clock offset shown: %+v", c.Reasons)
	}
	// FetchedAt's fraction of a second is not in the header's whole
	// seconds: the age is 4 s plus less than one.
	for _, l := range rep.Links {
		if l.Type == Performance && (l.HeartbeatAge < 4*time.Second || l.HeartbeatAge >= 5*time.Second) {
			t.Errorf("heartbeat age %v, want 4s on the cluster's clock", l.HeartbeatAge)
		}
	}
	for _, ta := range []TypeAssessment{c.Performance, c.DR} {
		if ta.Severity != SeverityOK {
			t.Errorf("%v %v: %+v", ta.Type, ta.Severity, ta.Reasons)
		}
	}
}

// A poll that carries the previous health over (StatusAfter) must not take
// that health's server_time_utc, of an earlier poll, for the cluster's clock
// now: the replication reply's Date header is this poll's clock.
func TestClockNotCarriedOver(t *testing.T) {
	now := time.Date(2024, 3, 4, 15, 6, 0, 0, time.UTC)
	fv := statusServer(t,
		withDate(now, respond(200, fixture(t, "health_active.json"))),
		withDate(now, respond(200, fixture(t, "status_primary_both.json"))))
	c := testClient(t, fv.URL, ClientOptions{})
	first, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first.ClockSource != ClockServerTime || !first.ServerClock.Equal(first.Health.ServerTime) {
		t.Fatalf("first poll's clock %v from %q, want server_time_utc %v", first.ServerClock, first.ClockSource, first.Health.ServerTime)
	}
	next, err := c.StatusAfter(context.Background(), &first)
	if err != nil {
		t.Fatal(err)
	}
	if next.Health != first.Health {
		t.Fatalf("health was read again; this test needs it carried over")
	}
	if next.ClockSource != ClockDateHeader || !next.ServerClock.Equal(now) {
		t.Errorf("carried-over poll's clock %v from %q, want %v from the Date header", next.ServerClock, next.ClockSource, now)
	}
}

// Without server_time_utc nor a Date header, nothing is anchored: ages are
// on this machine's clock and no offset is shown.
func TestClockNone(t *testing.T) {
	for _, tt := range []struct {
		name string
		snap Snapshot
		want ClockSource
	}{
		{"client-built, no clock", Snapshot{FetchedAt: time.Unix(100, 0), ClockSource: ClockNone, Health: &Health{ServerTime: time.Unix(9000, 0)}}, ClockNone},
		{"fixture-built, server_time_utc", Snapshot{FetchedAt: time.Unix(100, 0), Health: &Health{ServerTime: time.Unix(9000, 0)}}, ClockServerTime},
	} {
		t.Run(tt.name, func(t *testing.T) {
			off, src, ok := ClockOffset(tt.snap)
			if src != tt.want || ok != (tt.want != ClockNone) {
				t.Errorf("offset %v source %q ok %v", off, src, ok)
			}
			if tt.want == ClockNone && off != 0 {
				t.Errorf("offset %v without a clock", off)
			}
			if tt.want == ClockServerTime && off != 8900*time.Second {
				t.Errorf("offset %v, want 2h28m20s", off)
			}
		})
	}
}
