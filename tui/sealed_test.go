package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// Sealing reports standby: true (HashiCorp's sys/health docs for a sealed
// node); the timeline says "sealed", never "standby: false -> true".
func TestSealedIsNotAStandbyChange(t *testing.T) {
	old := perfSecondarySnap(idEast1, 10)
	cur := perfSecondarySnap(idEast1, 10)
	h := *cur.Health
	h.Sealed, h.Standby = true, true
	cur.Health = &h
	ts := diffSnapshots(&old, &cur)
	var texts []string
	for _, tr := range ts {
		texts = append(texts, tr.text)
	}
	joined := strings.Join(texts, "; ")
	if !strings.Contains(joined, "sealed") || strings.Contains(joined, "standby") {
		t.Errorf("transitions %q", joined)
	}
	if ts[0].level != ops.SeverityCritical {
		t.Errorf("sealing is %v", ts[0].level)
	}
}

func TestFlappingCollapses(t *testing.T) {
	var c clusterState
	at := t0
	c.record(at, ops.SeverityOK, "first status read")
	for i := 0; i < 12; i++ {
		at = at.Add(2 * time.Second)
		if i%2 == 0 {
			c.record(at, ops.SeverityWarning, "Performance connection ready -> transient_failure")
		} else {
			c.record(at, ops.SeverityOK, "Performance connection transient_failure -> ready")
		}
	}
	if len(c.events) != 2 {
		t.Fatalf("%d events: %+v", len(c.events), c.events)
	}
	want := "Performance connection ready ⇄ transient_failure ×12 since " + t0.Add(2*time.Second).Format("15:04:05")
	if got := c.events[1].text; got != want || !c.events[1].at.Equal(at) {
		t.Errorf("%q at %v, want %q", got, c.events[1].at, want)
	}
	// A different field is not folded into it.
	c.record(at, ops.SeverityWarning, "Performance state stream-wals -> merkle-diff")
	if len(c.events) != 3 {
		t.Errorf("%+v", c.events)
	}
}
