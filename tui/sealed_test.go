package tui

import (
	"strings"
	"testing"

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
