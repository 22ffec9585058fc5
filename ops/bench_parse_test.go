package ops_test

import (
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// BenchmarkParseStatus measures decoding the bodies every poll reads: a
// fleet primary's sys/replication/status (seven performance secondaries and
// a DR secondary, as the simulator serves it) and a sys/health.
func BenchmarkParseStatus(b *testing.B) {
	l, err := sim.New(sim.Options{Topology: "fleet:8", Seed: 1, Clock: sim.NewManualClock(time.Date(2024, 3, 4, 15, 0, 0, 0, time.UTC)), WriteRate: 5})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.Advance(30 * time.Second)
	rec := httptest.NewRecorder()
	l.Handler("f01-primary").ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sys/replication/status", nil))
	if rec.Code != 200 {
		b.Fatalf("status %d", rec.Code)
	}
	primary := rec.Body.Bytes()
	health, err := os.ReadFile("testdata/health_active.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("primary-status", func(b *testing.B) {
		b.SetBytes(int64(len(primary)))
		b.ReportAllocs()
		for b.Loop() {
			r, err := ops.ParseReplicationStatus(primary)
			if err != nil || len(r.Performance.Secondaries) == 0 {
				b.Fatalf("%v, %d secondaries", err, len(r.Performance.Secondaries))
			}
		}
	})
	b.Run("health", func(b *testing.B) {
		b.SetBytes(int64(len(health)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ops.ParseHealth(health); err != nil {
				b.Fatal(err)
			}
		}
	})
}
