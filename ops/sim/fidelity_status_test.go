package sim

import (
	"encoding/json"
	"testing"
	"time"
)

// Status fields that come and go with the state machine (the fields Vault's
// UI reads in ui/app/models/replication-attributes): merkle_sync_progress only in merkle-sync, the reindex fields only
// during a reindex, and the demoted primary's shape.

func TestStatusFieldsFollowTheState(t *testing.T) {
	l := startLab(t, "fresh")
	p, tok := primaryWithToken(t, l, "vault-b", "")
	b := info(t, l, "vault-b")
	if err := enableSecondary(rootClient(t, l, "vault-b"), tok); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 400 {
		_, body, _ := raw(t, "GET", b.Addr+"/v1/sys/replication/performance/status", "", "")
		d := body["data"].(map[string]any)
		state, _ := d["state"].(string)
		seen[state] = true
		prog, has := d["merkle_sync_progress"]
		switch {
		case state == "merkle-sync" && !has:
			t.Fatalf("merkle-sync without merkle_sync_progress: %v", d)
		case state != "merkle-sync" && has:
			t.Fatalf("merkle_sync_progress in state %q: %v", state, d)
		case has:
			m := prog.(map[string]any)
			checkKinds(t, "merkle_sync_progress", m, map[string]string{"sync_progress": "number", "sync_total_keys": "number"})
			if len(m) != 2 {
				t.Errorf("merkle_sync_progress = %v", m)
			}
		}
		for _, k := range []string{"reindex_in_progress", "reindex_stage", "reindex_building_progress", "reindex_building_total"} {
			if _, ok := d[k]; ok {
				t.Fatalf("%s outside a reindex: %v", k, d)
			}
		}
		if state == "stream-wals" {
			break
		}
		l.Advance(250 * time.Millisecond)
	}
	if !seen["merkle-sync"] || !seen["stream-wals"] {
		t.Fatalf("states seen: %v", seen)
	}

	// During a reindex the four fields appear with their types.
	if _, err := p.Logical().Write("sys/replication/reindex", map[string]any{"diff": true}); err != nil {
		t.Fatal(err)
	}
	l.Advance(time.Second)
	_, body, _ := raw(t, "GET", info(t, l, "vault-a").Addr+"/v1/sys/replication/performance/status", "", "")
	d := body["data"].(map[string]any)
	checkKinds(t, "reindexing primary", d, map[string]string{"reindex_in_progress": "bool", "reindex_stage": "string",
		"reindex_building_progress": "number", "reindex_building_total": "number"})
	done, _ := d["reindex_building_progress"].(json.Number).Int64()
	total, _ := d["reindex_building_total"].(json.Number).Int64()
	if d["reindex_in_progress"] != true || d["reindex_stage"] != "building" || done <= 0 || done > total {
		t.Errorf("reindex fields: %v", d)
	}

	// A demoted primary: mode secondary, state idle, connected to nothing.
	advanceUntil(t, l, time.Minute, "reindex over", func() bool {
		_, body, _ := raw(t, "GET", info(t, l, "vault-a").Addr+"/v1/sys/replication/performance/status", "", "")
		_, busy := body["data"].(map[string]any)["reindex_in_progress"]
		return !busy
	})
	clusterID := perfStatus(t, p).ClusterID
	if _, err := p.Logical().Write("sys/replication/performance/primary/demote", nil); err != nil {
		t.Fatal(err)
	}
	l.Advance(3 * time.Second)
	_, body, _ = raw(t, "GET", info(t, l, "vault-a").Addr+"/v1/sys/replication/performance/status", "", "")
	d = body["data"].(map[string]any)
	checkKinds(t, "demoted", d, map[string]string{"last_remote_wal": "number", "known_primary_cluster_addrs": "array",
		"primaries": "array", "secondary_id": "string", "connection_state": "string"})
	if d["mode"] != "secondary" || d["state"] != "idle" || d["cluster_id"] != clusterID ||
		len(d["primaries"].([]any)) != 0 || d["connection_state"] == "ready" {
		t.Errorf("demoted primary: %v", d)
	}
	for _, k := range []string{"known_secondaries", "secondaries", "last_performance_wal", "last_wal"} {
		if _, ok := d[k]; ok {
			t.Errorf("demoted primary still reports %s: %v", k, d)
		}
	}
}
