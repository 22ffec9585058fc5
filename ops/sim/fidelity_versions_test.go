package sim

import (
	"context"
	"testing"
)

// Version and edition personalities: what an older or Community Edition
// server leaves out or says differently: before 1.17 an unknown token is
// only "permission denied"; status and health fields arrive with the versions
// that added them; Community Edition answers Enterprise paths with its stubs
// (vault/logical_system_helpers.go).

func TestCommunityEditionOnTheWire(t *testing.T) {
	l := startLab(t, "fresh")
	if err := l.SetCommunityEdition("vault-d", true); err != nil {
		t.Fatal(err)
	}
	d := info(t, l, "vault-d")
	// CE's stubs are ordinary authenticated paths: no token is 403 first.
	code, hdr, body, _ := do(t, "PUT", d.Addr+"/v1/sys/replication/performance/primary/enable", "", "")
	wantError(t, "anonymous CE enable", code, hdr, body, 403, errPermissionDenied)
	code, hdr, body, _ = do(t, "PUT", d.Addr+"/v1/sys/replication/performance/primary/enable", d.Token, "")
	wantError(t, "CE enable", code, hdr, body, 404, errEnterpriseOnly)
	// The status paths are unauthenticated there too.
	code, hdr, body, _ = do(t, "GET", d.Addr+"/v1/sys/replication/dr/status", "", "")
	wantError(t, "CE dr/status", code, hdr, body, 404, errEnterpriseOnly)
	// CE has no namespaces: the header is ignored, not refused.
	code, hdr, body, _ = doNS(t, d.Addr+"/v1/sys/replication/status", "team-a/")
	if code != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("CE with X-Vault-Namespace: %d %s", code, body)
	}
	// No WAL on CE: health and leader leave last_wal out.
	for _, path := range []string{"sys/health", "sys/leader"} {
		_, body, _ := raw(t, "GET", d.Addr+"/v1/"+path, "", "")
		if _, ok := body["last_wal"]; ok {
			t.Errorf("CE %s carries last_wal: %v", path, body)
		}
	}

	// Before 1.14 CE had no stubs: Enterprise paths are unknown there.
	if err := l.SetVersion("vault-d", "1.13.4"); err != nil {
		t.Fatal(err)
	}
	c := client(t, d.Addr, d.Token)
	_, err := c.Sys().ReplicationPerformanceStatusWithContext(context.Background())
	respErr(t, err, 404, "1 error occurred:\n\t* unsupported path\n\n")
	code, hdr, body, _ = do(t, "GET", d.Addr+"/v1/sys/license/status", d.Token, "")
	wantError(t, "CE 1.13 licence", code, hdr, body, 404, "1 error occurred:\n\t* unsupported path\n\n")
	// …while replication/status has always been handled in OSS.
	if rs, err := c.Sys().ReplicationStatus(); err != nil || rs.Performance.Mode != "" {
		t.Errorf("CE 1.13 replication/status: %+v %v", rs, err)
	}
}

func TestOlderVersionsLeaveOutNewerFields(t *testing.T) {
	l := startLab(t, "global")
	p, s := info(t, l, "us-east-2"), info(t, l, "us-east-1")
	present := func(what string, obj map[string]any, keys []string, want bool) {
		t.Helper()
		for _, k := range keys {
			if _, ok := obj[k]; ok != want {
				t.Errorf("%s: %q present = %v, want %v", what, k, ok, want)
			}
		}
	}
	statusOf := func(addr string) map[string]any {
		_, body, _ := raw(t, "GET", addr+"/v1/sys/replication/performance/status", "", "")
		return body["data"].(map[string]any)
	}
	healthOf := func(addr string) map[string]any {
		_, body, _ := raw(t, "GET", addr+"/v1/sys/health", "", "")
		return body
	}
	healthNew := []string{"enterprise", "echo_duration_ms", "clock_skew_ms"}
	for _, tc := range []struct {
		version         string
		f113, f115      bool
		peer116, canary bool
	}{
		{"1.17.6+ent", true, true, true, true},
		{"1.16.3+ent", true, true, true, false},
		{"1.15.9+ent", true, true, false, false},
		{"1.14.2+ent", true, false, false, false},
		{"1.12.1+ent", false, false, false, false},
	} {
		for _, name := range []string{"us-east-2", "us-east-1"} {
			if err := l.SetVersion(name, tc.version); err != nil {
				t.Fatal(err)
			}
		}
		ps, ss := statusOf(p.Addr), statusOf(s.Addr)
		present(tc.version+" primary", ps, statusFields115, tc.f115)
		present(tc.version+" primary", ps, []string{"last_reindex_epoch", "ssct_generation_counter"}, tc.f113)
		present(tc.version+" secondary", ss, statusFields113, tc.f113)
		peer := ps["secondaries"].([]any)[0].(map[string]any)
		present(tc.version+" secondaries[]", peer, peerFields116, tc.peer116)
		present(tc.version+" secondaries[]", peer, peerFields117, tc.canary)
		peer = ss["primaries"].([]any)[0].(map[string]any)
		present(tc.version+" primaries[]", peer, peerFields116, tc.peer116)
		present(tc.version+" primaries[]", peer, peerFields117, tc.canary)
		h := healthOf(p.Addr)
		present(tc.version+" health", h, healthNew, tc.peer116)
		present(tc.version+" health", h, []string{"replication_primary_canary_age_ms"}, tc.canary)
		// What every version has.
		present(tc.version+" primary", ps, []string{"cluster_id", "known_secondaries", "last_wal", "last_performance_wal",
			"merkle_root", "mode", "primary_cluster_addr", "secondaries", "state"}, true)
		if rs, err := client(t, s.Addr, "").Sys().ReplicationStatus(); err != nil || rs.Performance.Mode != "secondary" {
			t.Errorf("%s: the official client decodes the older shape: %+v %v", tc.version, rs, err)
		}
	}
}

// Before 1.5 (GitHub issue hashicorp/vault#5565, 2018; the 2020 API docs
// added the peer lists): no secondaries[] or primaries[], and a primary
// sends no state and only last_wal.
func TestBefore15NoPeerListsNoPrimaryState(t *testing.T) {
	l := startLab(t, "global")
	p, s := info(t, l, "us-east-2"), info(t, l, "us-east-1")
	for _, name := range []string{"us-east-2", "us-east-1"} {
		if err := l.SetVersion(name, "1.4.7+prem"); err != nil {
			t.Fatal(err)
		}
	}
	_, body, _ := raw(t, "GET", p.Addr+"/v1/sys/replication/performance/status", "", "")
	ps := body["data"].(map[string]any)
	_, body, _ = raw(t, "GET", s.Addr+"/v1/sys/replication/performance/status", "", "")
	ss := body["data"].(map[string]any)
	for _, k := range []string{"secondaries", "state", "last_performance_wal"} {
		if _, ok := ps[k]; ok {
			t.Errorf("1.4 primary sends %q", k)
		}
	}
	for _, k := range []string{"cluster_id", "known_secondaries", "last_wal", "merkle_root", "mode"} {
		if _, ok := ps[k]; !ok {
			t.Errorf("1.4 primary lacks %q", k)
		}
	}
	if _, ok := ss["primaries"]; ok {
		t.Errorf("1.4 secondary sends primaries[]")
	}
	if ss["state"] != "stream-wals" {
		t.Errorf("1.4 secondary state %v", ss["state"])
	}
}
