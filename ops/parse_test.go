package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseReplicationStatusPrimaryBoth(t *testing.T) {
	r, err := ParseReplicationStatus(fixture(t, "status_primary_both.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.CommunityEdition || r.Unsupported {
		t.Fatalf("flags: %+v", r)
	}
	p := r.Performance
	checks := []struct {
		name      string
		got, want any
	}{
		{"perf type", p.Type, Performance},
		{"perf mode", p.Mode, ModePrimary},
		{"perf state", p.State, StateRunning},
		{"perf raw state", p.RawState, "running"},
		{"perf cluster id", p.ClusterID, "00616ea0-3094-5017-29f9-644f3633f0da"},
		{"perf last_performance_wal", p.LastPerformanceWAL, uint64(223)},
		{"perf last_wal", p.LastWAL, uint64(223)},
		{"perf primary WAL", p.PrimaryWAL(), uint64(223)},
		{"perf merkle root", p.MerkleRoot, "7b75cf69bb9a862913b0de2478164e046d242e0f"},
		{"perf corruption check present", p.HasCorruptionCheck, true},
		{"perf corrupted", p.CorruptedMerkleTree, false},
		{"perf never checked", p.LastCorruptionCheck.IsZero(), true},
		{"perf never reindexed", p.LastReindex.IsZero(), true},
		{"perf known secondaries", strings.Join(p.KnownSecondaries, ","), "cd0463e0-a37f-7421-345e-aad53007479f"},
		{"perf secondaries", len(p.Secondaries), 1},
		{"perf has no remote wal", p.HasLastRemoteWAL, false},
		{"perf connection", p.ConnectionState, ConnUnknown},
		{"perf anomalies", len(p.Anomalies), 0},
		{"perf extra", len(p.Extra), 0},
		{"dr mode", r.DR.Mode, ModePrimary},
		{"dr last_dr_wal", r.DR.LastDRWAL, uint64(223)},
		{"dr primary WAL", r.DR.PrimaryWAL(), uint64(223)},
		{"dr cluster id", r.DR.ClusterID, "eef2a5ab-51e2-1c05-407c-8b4dc8d09ebf"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	peer := p.Secondaries[0]
	if peer.NodeID != "cd0463e0-a37f-7421-345e-aad53007479f" || peer.Status != PeerConnected ||
		peer.APIAddress != "https://127.0.0.1:49155" || peer.ClusterAddress != "https://127.0.0.1:49160" {
		t.Errorf("peer identity: %+v", peer)
	}
	if !peer.LastHeartbeat.Equal(mustTime(t, "2024-03-04T15:05:56Z")) {
		t.Errorf("heartbeat %v", peer.LastHeartbeat)
	}
	if !peer.HasCanaryAge || peer.CanaryAge != 660*time.Millisecond {
		t.Errorf("canary %v %v", peer.HasCanaryAge, peer.CanaryAge)
	}
	if !peer.HasClockSkew || peer.ClockSkew != 0 || !peer.HasLastHeartbeatDuration {
		t.Errorf("skew/heartbeat duration: %+v", peer)
	}
	if r.DR.Secondaries[0].CanaryAge != 696*time.Millisecond {
		t.Errorf("dr canary %v", r.DR.Secondaries[0].CanaryAge)
	}
}

func TestParseReplicationStatusSecondary(t *testing.T) {
	r, err := ParseReplicationStatus(fixture(t, "status_perf_secondary.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Performance
	if s.Mode != ModeSecondary || s.State != StateStreamWALs || s.ConnectionState != ConnReady {
		t.Fatalf("role: %v %v %v", s.Mode, s.State, s.ConnectionState)
	}
	if !s.HasLastRemoteWAL || s.LastRemoteWAL != 223 {
		t.Errorf("last_remote_wal %v %d", s.HasLastRemoteWAL, s.LastRemoteWAL)
	}
	if s.SecondaryID != "cd0463e0-a37f-7421-345e-aad53007479f" || s.PrimaryClusterAddr != "https://127.0.0.1:65524" {
		t.Errorf("ids: %q %q", s.SecondaryID, s.PrimaryClusterAddr)
	}
	if len(s.KnownPrimaryClusterAddrs) != 3 || s.KnownPrimaryClusterAddrs[2] != "https://127.0.0.1:65526" {
		t.Errorf("known primaries %v", s.KnownPrimaryClusterAddrs)
	}
	if !s.LastStart.Equal(mustTime(t, "2024-03-04T15:05:48Z")) {
		t.Errorf("last_start %v", s.LastStart)
	}
	if !s.LastReindex.Equal(time.Unix(1709564740, 0)) {
		t.Errorf("last_reindex %v", s.LastReindex)
	}
	if len(s.Primaries) != 1 || s.Primaries[0].NodeID != "" || s.Primaries[0].ID() != "https://127.0.0.1:65521" {
		t.Errorf("primaries %+v", s.Primaries)
	}
	if r.DR.Mode != ModeDisabled || r.DR.RawMode != "disabled" || len(r.DR.Anomalies) != 0 {
		t.Errorf("dr %+v", r.DR)
	}
}

func TestParseReplicationStatusShapes(t *testing.T) {
	tests := []struct {
		file        string
		ce, unsupp  bool
		perf, dr    Mode
		perfState   State
		wantSync    *SyncProgress
		wantReindex bool
	}{
		{file: "status_disabled.json", perf: ModeDisabled, dr: ModeDisabled},
		{file: "status_unsupported.json", unsupp: true, perf: ModeUnsupported, dr: ModeUnsupported},
		{file: "status_ce.json", ce: true, perf: ModeDisabled, dr: ModeDisabled},
		{file: "status_bootstrapping.json", perf: ModeBootstrapping, dr: ModeDisabled},
		{file: "status_dr_secondary.json", perf: ModeDisabled, dr: ModeSecondary},
		{file: "status_demoted.json", perf: ModeSecondary, dr: ModeDisabled, perfState: StateIdle},
		{file: "status_merkle_sync.json", perf: ModeSecondary, dr: ModeDisabled, perfState: StateMerkleSync,
			wantSync: &SyncProgress{Progress: 120, TotalKeys: 480}, wantReindex: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := ParseReplicationStatus(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.CommunityEdition != tt.ce || r.Unsupported != tt.unsupp {
				t.Errorf("ce=%v unsupported=%v", r.CommunityEdition, r.Unsupported)
			}
			if r.Performance.Mode != tt.perf || r.DR.Mode != tt.dr {
				t.Errorf("modes %v/%v, want %v/%v", r.Performance.Mode, r.DR.Mode, tt.perf, tt.dr)
			}
			if tt.perfState != StateUnknown && r.Performance.State != tt.perfState {
				t.Errorf("state %v", r.Performance.State)
			}
			if tt.wantSync != nil && (r.Performance.MerkleSync == nil || *r.Performance.MerkleSync != *tt.wantSync) {
				t.Errorf("merkle sync %+v", r.Performance.MerkleSync)
			}
			if tt.wantReindex {
				ri := r.Performance.Reindex
				if ri == nil || !ri.InProgress || ri.Stage != "building" || ri.BuildingProgress != 26838 || ri.BuildingTotal != 305443 {
					t.Errorf("reindex %+v", ri)
				}
			}
			for _, ts := range []TypeStatus{r.Performance, r.DR} {
				if len(ts.Anomalies) != 0 {
					t.Errorf("%v anomalies: %v", ts.Type, ts.Anomalies)
				}
			}
		})
	}
}

func TestParseDemotedEmptyPrimaryAddrs(t *testing.T) {
	r, err := ParseReplicationStatus(fixture(t, "status_demoted.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Performance
	if s.KnownPrimaryClusterAddrs == nil || len(s.KnownPrimaryClusterAddrs) != 0 {
		t.Errorf("present-but-empty must be non-nil and empty: %#v", s.KnownPrimaryClusterAddrs)
	}
	if !s.LastCorruptionCheck.Equal(time.Unix(1694456090, 0)) {
		t.Errorf("corruption check %v", s.LastCorruptionCheck)
	}
}

// Types that differ from the reference are converted when the meaning is
// clear and reported as anomalies; nothing fails the whole parse.
func TestParseTolerantTypes(t *testing.T) {
	body := `{"data":{"performance":{
		"mode":"secondary","state":"stream-wals",
		"last_remote_wal":"223",
		"last_wal":2.23e2,
		"cluster_id":12345,
		"corrupted_merkle_tree":"false",
		"last_corruption_check_epoch":1694456090,
		"ssct_generation_counter":-3,
		"known_primary_cluster_addrs":["https://a:8201", 7, {"x":1}],
		"primaries":[{"clock_skew_ms":-1,"replication_primary_canary_age_ms":"abc","last_heartbeat":"yesterday",
		              "connection_status":"connected","future_field":true}, "not an object"],
		"merkle_sync_progress":"half",
		"new_field":{"nested":[1,2]}
	},"dr":"broken"}}`
	r, err := ParseReplicationStatus([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Performance
	if s.LastRemoteWAL != 223 || !s.HasLastRemoteWAL || s.LastWAL != 223 {
		t.Errorf("numbers from strings/floats: %d %v %d", s.LastRemoteWAL, s.HasLastRemoteWAL, s.LastWAL)
	}
	if s.ClusterID != "12345" {
		t.Errorf("cluster id %q", s.ClusterID)
	}
	if s.CorruptedMerkleTree || !s.HasCorruptionCheck {
		t.Errorf("bool from string")
	}
	if !s.LastCorruptionCheck.Equal(time.Unix(1694456090, 0)) {
		t.Errorf("epoch from number: %v", s.LastCorruptionCheck)
	}
	if s.SSCTGenerationCounter != 0 {
		t.Errorf("negative counter kept: %d", s.SSCTGenerationCounter)
	}
	if strings.Join(s.KnownPrimaryClusterAddrs, ",") != "https://a:8201,7" {
		t.Errorf("addrs %v", s.KnownPrimaryClusterAddrs)
	}
	if len(s.Primaries) != 1 {
		t.Fatalf("primaries %d", len(s.Primaries))
	}
	p := s.Primaries[0]
	if !p.HasClockSkew || p.ClockSkew != -time.Millisecond || p.HasCanaryAge || !p.LastHeartbeat.IsZero() {
		t.Errorf("peer %+v", p)
	}
	if p.Extra["future_field"] != true {
		t.Errorf("peer extra %v", p.Extra)
	}
	if s.MerkleSync != nil {
		t.Errorf("merkle sync from a string")
	}
	if _, ok := s.Extra["new_field"]; !ok {
		t.Errorf("extra %v", s.Extra)
	}
	if len(s.Anomalies) < 8 {
		t.Errorf("anomalies not recorded: %v", s.Anomalies)
	}
	for _, a := range s.Anomalies {
		if !strings.HasPrefix(a, "performance.") {
			t.Errorf("anomaly without path: %q", a)
		}
	}
	if r.DR.Mode != ModeUnknown || len(r.DR.Anomalies) != 1 {
		t.Errorf("dr %+v", r.DR)
	}
}

func TestParseReplicationStatusErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `<html>502 Bad Gateway</html>`, "not JSON"},
		{"truncated", `{"data":{"performance":{"mode":"prim`, "truncated"},
		{"empty", ``, "truncated"},
		{"null", `null`, "body is null"},
		{"array", `[1,2]`, "not JSON"},
		{"no data", `{"request_id":"x"}`, "no data"},
		{"data null", `{"data":null}`, "data is null"},
		{"data string", `{"data":"x"}`, "data is a string"},
		{"empty data", `{"data":{}}`, "neither dr"},
		{"per-type object", `{"data":{"mode":"secondary","state":"stream-wals"}}`, "top-level mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReplicationStatus([]byte(tt.body))
			if err == nil {
				t.Fatal("no error")
			}
			if ClassOf(err) != ErrMalformed {
				t.Errorf("class %v", ClassOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q does not mention %q", err.Error(), tt.want)
			}
		})
	}
}

func TestParseHealth(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, h Health)
	}{
		{"health_active.json", func(t *testing.T, h Health) {
			if !h.Initialized || h.Sealed || h.Standby || !h.Enterprise || h.Version != "1.17.0+ent" ||
				h.PerformanceMode != ModePrimary || h.DRMode != ModePrimary || h.LastWAL != 223 ||
				h.ClusterName != "vault-cluster-us-east-2" || !h.ServerTime.Equal(time.Unix(1709565000, 0)) {
				t.Errorf("%+v", h)
			}
			if h.License == nil || h.License.State != "autoloaded" || h.License.Terminated ||
				!h.License.ExpiryTime.Equal(mustTime(t, "2024-08-03T23:59:59Z")) {
				t.Errorf("license %+v", h.License)
			}
		}},
		{"health_dr_secondary.json", func(t *testing.T, h Health) {
			if !h.DRSecondary() || h.PerformanceMode != ModeDisabled || h.Enterprise || h.Version != "1.9.0+prem" {
				t.Errorf("%+v", h)
			}
			if h.License == nil || !h.License.ExpiryTime.IsZero() {
				t.Errorf("empty expiry must be zero: %+v", h.License)
			}
			if (Snapshot{Health: &h}).Edition() != EditionEnterprise {
				t.Errorf("+prem is Enterprise")
			}
		}},
		{"health_sealed.json", func(t *testing.T, h Health) {
			if !h.Sealed || h.ClusterID != "" || h.PerformanceMode != ModeUnknown {
				t.Errorf("%+v", h)
			}
		}},
		{"health_standby.json", func(t *testing.T, h Health) {
			if !h.Standby || h.PerformanceStandby || h.ClockSkew != -time.Millisecond || h.CanaryAge != 411*time.Millisecond ||
				h.EchoDuration != 2*time.Millisecond {
				t.Errorf("%+v", h)
			}
		}},
		{"health_perf_standby.json", func(t *testing.T, h Health) {
			if !h.PerformanceStandby || h.PerformanceMode != ModeSecondary {
				t.Errorf("%+v", h)
			}
		}},
		{"health_ce.json", func(t *testing.T, h Health) {
			if h.Enterprise || h.License != nil || (Snapshot{Health: &h}).Edition() != EditionCommunity {
				t.Errorf("%+v", h)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			h, err := ParseHealth(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Anomalies) != 0 {
				t.Errorf("anomalies %v", h.Anomalies)
			}
			tt.check(t, h)
		})
	}
}

func TestParseHealthRejectsOtherBodies(t *testing.T) {
	for _, body := range []string{`{"errors":["Vault is sealed"]}`, `[]`, `<html>`, `{"initialized":`} {
		if _, err := ParseHealth([]byte(body)); ClassOf(err) != ErrMalformed {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestSplitMultiError(t *testing.T) {
	tests := map[string][]string{
		"permission denied": {"permission denied"},
		"2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n": {"permission denied", "invalid token"},
		"1 error occurred:\n\t* unsupported path\n\n":                      {"unsupported path"},
		"line one\nline two": {"line one\nline two"},
	}
	for in, want := range tests {
		got := splitMultiError(in)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: %q", in, got)
		}
	}
}
