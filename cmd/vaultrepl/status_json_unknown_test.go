package main

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// A DR primary as GitHub issue hashicorp/vault#5565 (2018) printed it: no
// state, no secondaries[], no last_dr_wal. Absent is null in the document,
// never "", 0 or [].
func TestStatusJSONAbsentIsNull(t *testing.T) {
	body, err := os.ReadFile("../../ops/testdata/status_2018_issue5565_dr_primary.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ops.ParseReplicationStatus(body)
	if err != nil {
		t.Fatal(err)
	}
	h := &ops.Health{Initialized: true, Version: "0.11.4+prem"}
	at := time.Date(2018, 10, 19, 12, 0, 0, 0, time.UTC)
	obs := []ops.Observation{{Name: "a", Snapshot: &ops.Snapshot{FetchedAt: at, Health: h, Replication: &r}}}
	doc := buildStatusDoc(at, []ops.ClusterConfig{{Name: "a", Address: "https://a:8200"}}, obs, ops.Assess(at, obs, ops.DefaultThresholds()))
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Worst    string `json:"worst"`
		Clusters []struct {
			Edition string         `json:"edition"`
			Health  map[string]any `json:"health"`
			DR      map[string]any `json:"dr"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	dr := m.Clusters[0].DR
	for _, k := range []string{"state", "secondaries", "last_dr_wal", "last_performance_wal", "connection_state"} {
		if v, ok := dr[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if dr["last_wal"] != 100500.0 || dr["severity"] != "ok" {
		t.Errorf("dr %v", dr)
	}
	if nr, _ := dr["not_reported"].([]any); len(nr) != 2 || nr[0] != "state" || nr[1] != "secondaries" {
		t.Errorf("not_reported %v", dr["not_reported"])
	}
	if m.Clusters[0].Health["enterprise"] != nil || m.Clusters[0].Edition != "enterprise" || m.Worst != "ok" {
		t.Errorf("health %v edition %s worst %s", m.Clusters[0].Health, m.Clusters[0].Edition, m.Worst)
	}
}
