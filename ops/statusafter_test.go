package ops

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// switchable serves whatever body was set last for a path.
type switchable struct {
	mu sync.Mutex
	h  map[string]http.HandlerFunc
}

func (s *switchable) set(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.h[path] = h
	s.mu.Unlock()
}

func (s *switchable) handler(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.h[path]
		s.mu.Unlock()
		h(w, r)
	}
}

// StatusAfter reads sys/health only when the previous snapshot or the new
// replication status calls for it, and never sends more than two requests.
func TestStatusAfter(t *testing.T) {
	sw := &switchable{h: map[string]http.HandlerFunc{
		pathHealth:      respond(200, fixture(t, "health_active.json")),
		pathReplication: respond(200, fixture(t, "status_primary_both.json")),
	}}
	fv := statusServer(t, sw.handler(pathHealth), sw.handler(pathReplication))
	c := testClient(t, fv.URL, ClientOptions{})
	ctx := context.Background()
	requests := func() (h, r int) { return fv.count(pathHealth), fv.count(pathReplication) }
	step := func(name string, prev *Snapshot, wantHealth, wantRepl int) Snapshot {
		t.Helper()
		h0, r0 := requests()
		snap, err := c.StatusAfter(ctx, prev)
		h1, r1 := requests()
		if h1-h0 != wantHealth || r1-r0 != wantRepl {
			t.Fatalf("%s: %d health and %d replication requests, want %d and %d", name, h1-h0, r1-r0, wantHealth, wantRepl)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return snap
	}

	first := step("no previous snapshot", nil, 1, 1)
	if first.Health == nil || first.Replication == nil {
		t.Fatalf("first read: %+v", first)
	}
	again := step("nothing changed", &first, 0, 1)
	if again.Health != first.Health || again.Replication == nil || again.HealthErr != nil || again.ReplicationErr != nil {
		t.Fatalf("health not carried over: %+v", again)
	}

	// The replication read fails: health is read to say why (sealed, here).
	sw.set(pathReplication, respond(503, fixture(t, "error_sealed.json")))
	sw.set(pathHealth, respond(200, fixture(t, "health_sealed.json")))
	sealed := step("replication fails", &again, 1, 1)
	if sealed.Health == nil || !sealed.Health.Sealed || ClassOf(sealed.ReplicationErr) != ErrSealed {
		t.Fatalf("sealed: %+v", sealed)
	}
	// A sealed previous snapshot: everything again.
	step("after sealed", &sealed, 1, 1)

	// The replication status tells another story (CE): health too.
	sw.set(pathReplication, respond(200, fixture(t, "status_ce.json")))
	sw.set(pathHealth, respond(200, fixture(t, "health_ce.json")))
	ce := step("edition changed", &again, 1, 1)
	if ce.Edition() != EditionCommunity || ce.Health == again.Health {
		t.Fatalf("CE: %v %+v", ce.Edition(), ce.Health)
	}

	// A mode change reads health too; so does a standby's previous snapshot.
	sw.set(pathReplication, respond(200, fixture(t, "status_perf_secondary.json")))
	sw.set(pathHealth, respond(200, fixture(t, "health_active.json")))
	step("mode changed", &again, 1, 1)
	standby := again
	h := *again.Health
	h.Standby = true
	standby.Health = &h
	step("standby before", &standby, 1, 1)

	// Both fail: an error, as from Status.
	sw.set(pathReplication, respond(500, []byte(`{"errors":["boom"]}`)))
	sw.set(pathHealth, respond(500, []byte(`{"errors":["boom"]}`)))
	h0, r0 := requests()
	_, err := c.StatusAfter(ctx, &again)
	if h1, r1 := requests(); ClassOf(err) != ErrServer || h1-h0 != 1 || r1-r0 != 1 {
		t.Fatalf("both fail: %v (%d, %d requests)", err, h1-h0, r1-r0)
	}
}
