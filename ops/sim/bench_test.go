package sim

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkAdvance measures one simulated minute of a topology with
// background writes (model stepping only, no HTTP).
func BenchmarkAdvance(b *testing.B) {
	for _, topo := range []string{"global", "fleet:128"} {
		b.Run(topo, func(b *testing.B) {
			l, err := New(Options{Topology: topo, Seed: 1, Clock: NewManualClock(t0), WriteRate: 5})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			b.ResetTimer()
			for range b.N {
				l.Advance(time.Minute)
			}
		})
	}
}

// BenchmarkReplicationStatus measures serving sys/replication/status of a
// primary with seven secondaries (fleet), through the handler.
func BenchmarkReplicationStatus(b *testing.B) {
	l, err := New(Options{Topology: "fleet:8", Seed: 1, Clock: NewManualClock(t0)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	h := l.Handler("f01-primary")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sys/replication/status", nil))
		if rec.Code != 200 {
			b.Fatal(fmt.Sprint(rec.Code))
		}
	}
}
