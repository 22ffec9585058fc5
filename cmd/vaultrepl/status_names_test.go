package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// status names clusters as they are configured, like the dashboard: a
// primary peer Vault reports by address, and a secondary by its activation
// token id, appear under their names in findings.
func TestStatusFindingsUseConfiguredNames(t *testing.T) {
	cfgs := []ops.ClusterConfig{
		{Name: "us-east-2", Address: "http://127.0.0.1:21200"},
		{Name: "us-east-1", Address: "http://127.0.0.1:2120/"},
	}
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	obs := []ops.Observation{{Name: "us-east-2"}, {Name: "us-east-1"}}
	rep := ops.Report{
		Clusters: []ops.ClusterAssessment{
			{Name: "us-east-2", Reasons: []ops.Reason{{Severity: ops.SeverityCritical, Text: "secondary 5d2f1e47 disconnected"}}},
			{Name: "us-east-1", Reasons: []ops.Reason{{Severity: ops.SeverityCritical, Text: "primary http://127.0.0.1:21200 disconnected"}}},
		},
		Links: []ops.Link{{Type: ops.Performance, Primary: "us-east-2", Secondary: "us-east-1", SecondaryID: "5d2f1e47",
			Reasons: []ops.Reason{{Severity: ops.SeverityCritical, Text: "primary http://127.0.0.1:21200 unreachable"}}}},
	}
	doc := buildStatusDoc(now, cfgs, obs, rep)
	got := []string{doc.Clusters[0].Reasons[0].Text, doc.Clusters[1].Reasons[0].Text, doc.Links[0].Reasons[0].Text}
	want := []string{"secondary us-east-1 disconnected", "primary us-east-2 disconnected", "primary us-east-2 unreachable"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d: %q, want %q", i, got[i], want[i])
		}
	}
	for _, g := range got {
		if strings.Contains(g, "http://") {
			t.Errorf("a URL where a name belongs: %q", g)
		}
	}
}
