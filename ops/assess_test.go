package ops

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The fixtures' heartbeats are at this instant.
var heartbeat = time.Date(2024, 3, 4, 15, 5, 56, 0, time.UTC)

func parsedFixture(t *testing.T, file string) Replication {
	t.Helper()
	r, err := ParseReplicationStatus(fixture(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func healthFixture(t *testing.T, file string) *Health {
	t.Helper()
	h, err := ParseHealth(fixture(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return &h
}

// observe reads a cluster at heartbeat. The health fixtures come from other
// captures than the status fixtures, so their server_time_utc is moved to
// the read: these tests are about anything but clock offsets.
func observe(name string, h *Health, r *Replication) Observation {
	if h != nil && !h.ServerTime.IsZero() {
		c := *h
		c.ServerTime = heartbeat
		h = &c
	}
	return Observation{Name: name, Snapshot: &Snapshot{FetchedAt: heartbeat, Health: h, Replication: r}}
}

// globalSet is the reference's primary (perf + DR), its performance
// secondary and its DR secondary, all healthy, each mutable by the test.
func globalSet(t *testing.T, mutate func(p, s, dr *Replication)) []Observation {
	p := parsedFixture(t, "status_primary_both.json")
	s := parsedFixture(t, "status_perf_secondary.json")
	dr := parsedFixture(t, "status_dr_secondary.json")
	if mutate != nil {
		mutate(&p, &s, &dr)
	}
	active := healthFixture(t, "health_active.json")
	return []Observation{
		observe("us-east-2", active, &p),
		observe("us-east-1", active, &s),
		observe("us-east-2-dr", healthFixture(t, "health_dr_secondary.json"), &dr),
	}
}

func hasReason(rs []Reason, sev Severity, text string) bool {
	for _, r := range rs {
		if r.Severity == sev && strings.Contains(r.Text, text) {
			return true
		}
	}
	return false
}

func TestAssessHealthyGlobal(t *testing.T) {
	rep := Assess(heartbeat.Add(2*time.Second), globalSet(t, nil), DefaultThresholds())
	if rep.Worst != SeverityOK {
		t.Errorf("worst %v: %+v", rep.Worst, rep)
	}
	for _, c := range rep.Clusters {
		if !c.Reachable || c.Severity != SeverityOK {
			t.Errorf("%s: %v %+v", c.Name, c.Severity, c)
		}
	}
	if len(rep.Links) != 2 {
		t.Fatalf("links %+v", rep.Links)
	}
	perf, dr := rep.Links[0], rep.Links[1]
	if perf.Type != Performance || perf.Primary != "us-east-2" || perf.Secondary != "us-east-1" ||
		perf.SecondaryID != "cd0463e0-a37f-7421-345e-aad53007479f" || perf.Status != PeerConnected ||
		!perf.HasWALGap || perf.WALGap != 0 || !perf.InSync || perf.CanaryAge != 660*time.Millisecond ||
		perf.HeartbeatAge != 2*time.Second || !perf.HasHeartbeatAge || perf.Severity != SeverityOK || perf.Stale {
		t.Errorf("perf link %+v", perf)
	}
	if dr.Type != DR || dr.Secondary != "us-east-2-dr" || !dr.HasWALGap || dr.WALGap != 0 || !dr.InSync {
		t.Errorf("dr link %+v", dr)
	}
	if !hasReason(rep.Clusters[2].Reasons, SeverityOK, "DR secondary") {
		t.Errorf("DR secondary not described: %+v", rep.Clusters[2].Reasons)
	}
	if !hasReason(rep.Clusters[1].Performance.Reasons, SeverityOK, "in sync with us-east-2") {
		t.Errorf("lag not reported on the secondary: %+v", rep.Clusters[1].Performance.Reasons)
	}
}

func TestAssessTypeFindings(t *testing.T) {
	now := heartbeat.Add(2 * time.Second)
	tests := []struct {
		name    string
		mutate  func(p, s, dr *Replication)
		now     time.Time
		cluster int             // index in globalSet
		typ     ReplicationType // of that cluster
		sev     Severity        // of that type
		reason  string
		worst   Severity
	}{
		{"secondary lags past the warning", func(p, s, _ *Replication) {
			p.Performance.LastPerformanceWAL, s.Performance.MerkleRoot = 3000, "differs"
		}, now, 1, Performance, SeverityWarning, "lag 2777 WAL behind us-east-2", SeverityWarning},
		{"secondary lags past the critical", func(p, s, _ *Replication) {
			p.Performance.LastPerformanceWAL, s.Performance.MerkleRoot = 50000, "differs"
		}, now, 1, Performance, SeverityCritical, "lag 49777 WAL behind", SeverityCritical},
		{"secondary slightly ahead right after writes", func(p, s, _ *Replication) { s.Performance.LastRemoteWAL = 225 },
			now, 1, Performance, SeverityOK, "in sync", SeverityOK},
		{"DR lag uses last_dr_wal", func(p, _, dr *Replication) {
			p.DR.LastDRWAL, p.DR.LastWAL, dr.DR.MerkleRoot = 2000, 99999, "differs"
		}, now, 2, DR, SeverityWarning, "lag 1777 WAL behind", SeverityWarning},
		{"disconnected secondary", func(p, _, _ *Replication) { p.Performance.Secondaries[0].Status = PeerDisconnected },
			now, 0, Performance, SeverityCritical, "secondary cd0463e0-a37f-7421-345e-aad53007479f disconnected", SeverityCritical},
		{"known secondary never connected", func(p, _, _ *Replication) {
			p.Performance.KnownSecondaries = append(p.Performance.KnownSecondaries, "eu-west-1")
		}, now, 0, Performance, SeverityWarning, "secondary eu-west-1 has a token but has never connected", SeverityWarning},
		{"old heartbeat", nil, heartbeat.Add(45 * time.Second), 0, Performance, SeverityWarning, "last heartbeat 45s ago", SeverityWarning},
		{"very old heartbeat", nil, heartbeat.Add(3 * time.Minute), 1, Performance, SeverityCritical, "primary https://127.0.0.1:65521: last heartbeat 3m0s ago", SeverityCritical},
		{"clock skew", func(_, s, _ *Replication) {
			s.Performance.Primaries[0].ClockSkew = -5 * time.Second
		}, now, 1, Performance, SeverityWarning, "clock skew -5s", SeverityWarning},
		{"old canary", func(p, _, _ *Replication) { p.DR.Secondaries[0].CanaryAge = 15 * time.Second },
			now, 0, DR, SeverityWarning, "newest replication canary 15s old", SeverityWarning},
		{"very old canary", func(p, _, _ *Replication) { p.DR.Secondaries[0].CanaryAge = 5 * time.Minute },
			now, 0, DR, SeverityCritical, "canary 5m0s old", SeverityCritical},
		{"corrupted merkle tree", func(_, s, _ *Replication) { s.Performance.CorruptedMerkleTree = true },
			now, 1, Performance, SeverityCritical, "merkle tree corrupted", SeverityCritical},
		{"merkle-diff", func(_, s, _ *Replication) { s.Performance.State = StateMerkleDiff },
			now, 1, Performance, SeveritySyncing, "merkle-diff", SeveritySyncing},
		{"merkle-sync with progress", func(_, s, _ *Replication) {
			s.Performance.State = StateMerkleSync
			s.Performance.MerkleSync = &SyncProgress{Progress: 120, TotalKeys: 480}
		}, now, 1, Performance, SeveritySyncing, "(120 of 480, 25%)", SeveritySyncing},
		{"connecting", func(_, s, _ *Replication) {
			s.Performance.State = StateConnecting
			s.Performance.ConnectionState = ConnConnecting
		}, now, 1, Performance, SeveritySyncing, "connecting", SeveritySyncing},
		{"secondary idle", func(_, s, _ *Replication) { s.Performance.State = StateIdle },
			now, 1, Performance, SeverityCritical, "state idle", SeverityCritical},
		{"primary idle", func(p, _, _ *Replication) { p.DR.State = StateIdle },
			now, 0, DR, SeverityCritical, "state idle: replication is not running", SeverityCritical},
		{"connection transient failure", func(_, s, _ *Replication) { s.Performance.ConnectionState = ConnTransientFailure },
			now, 1, Performance, SeverityCritical, "connection to the primary: transient_failure", SeverityCritical},
		{"connection shutdown", func(_, _, dr *Replication) { dr.DR.ConnectionState = ConnShutdown },
			now, 2, DR, SeverityCritical, "connection to the primary: shutdown", SeverityCritical},
		{"no known primary addresses", func(_, s, _ *Replication) { s.Performance.KnownPrimaryClusterAddrs = []string{} },
			now, 1, Performance, SeverityWarning, "no known primary cluster addresses", SeverityWarning},
		{"reindex on the primary", func(p, _, _ *Replication) {
			p.Performance.Reindex = &Reindex{InProgress: true, Stage: "building", BuildingProgress: 26838, BuildingTotal: 305443}
		}, now, 0, Performance, SeverityWarning, "reindex in progress (building 9%): the primary is unusable", SeverityWarning},
		{"reindex on a secondary", func(_, s, _ *Replication) {
			s.Performance.Reindex = &Reindex{InProgress: true, Stage: "building"}
		}, now, 1, Performance, SeveritySyncing, "reindex in progress (building)", SeveritySyncing},
		{"unrecognised state", func(_, s, _ *Replication) {
			s.Performance.State, s.Performance.RawState = StateUnknown, "catching-fire"
		},
			now, 1, Performance, SeverityUnknown, `unrecognised state "catching-fire"`, SeverityUnknown},
		{"unrecognised mode", func(_, s, _ *Replication) { s.Performance.Mode, s.Performance.RawMode = ModeUnknown, "initializing" },
			now, 1, Performance, SeverityUnknown, `unrecognised mode "initializing"`, SeverityUnknown},
		{"bootstrapping", func(_, s, _ *Replication) { s.Performance = TypeStatus{Type: Performance, Mode: ModeBootstrapping} },
			now, 1, Performance, SeveritySyncing, "bootstrapping", SeveritySyncing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Assess(tt.now, globalSet(t, tt.mutate), DefaultThresholds())
			ta := rep.Clusters[tt.cluster].Of(tt.typ)
			if ta.Severity != tt.sev || !hasReason(ta.Reasons, tt.sev, tt.reason) {
				t.Errorf("%s %v: %v %+v, want %v %q", rep.Clusters[tt.cluster].Name, tt.typ, ta.Severity, ta.Reasons, tt.sev, tt.reason)
			}
			if rep.Worst != tt.worst {
				t.Errorf("worst %v, want %v", rep.Worst, tt.worst)
			}
			if rep.Clusters[tt.cluster].Severity != Worst(tt.sev, SeverityOK) && rep.Clusters[tt.cluster].Severity.rank() < tt.sev.rank() {
				t.Errorf("cluster severity %v below its type's %v", rep.Clusters[tt.cluster].Severity, tt.sev)
			}
		})
	}
}

func TestAssessLinks(t *testing.T) {
	now := heartbeat.Add(time.Second)
	t.Run("secondaries not configured", func(t *testing.T) {
		p := parsedFixture(t, "status_primary_both.json")
		p.Performance.KnownSecondaries = append(p.Performance.KnownSecondaries, "eu-west-1")
		rep := Assess(now, []Observation{observe("us-east-2", nil, &p)}, DefaultThresholds())
		if len(rep.Links) != 3 {
			t.Fatalf("%+v", rep.Links)
		}
		for _, l := range rep.Links {
			if l.Secondary != "" || l.HasWALGap || l.InSync {
				t.Errorf("%+v", l)
			}
		}
		never := rep.Links[1]
		if never.SecondaryID != "eu-west-1" || never.Status != PeerUnknown || never.Severity != SeverityWarning {
			t.Errorf("never-connected link %+v", never)
		}
	})
	t.Run("different replication set is not matched", func(t *testing.T) {
		obs := globalSet(t, func(_, s, _ *Replication) { s.Performance.ClusterID = "another-set" })
		rep := Assess(now, obs, DefaultThresholds())
		if rep.Links[0].Secondary != "" {
			t.Errorf("%+v", rep.Links[0])
		}
	})
	t.Run("merkle roots differ", func(t *testing.T) {
		rep := Assess(now, globalSet(t, func(_, s, _ *Replication) { s.Performance.MerkleRoot = "ffff" }), DefaultThresholds())
		if rep.Links[0].InSync {
			t.Errorf("in sync with different roots")
		}
	})
	t.Run("stale primary", func(t *testing.T) {
		obs := globalSet(t, nil)
		obs[0].Err = &Error{Class: ErrTimeout, Op: OpReadReplication, Cluster: "us-east-2"}
		obs[0].Snapshot.FetchedAt = heartbeat.Add(-time.Minute)
		rep := Assess(now, obs, DefaultThresholds())
		if rep.Clusters[0].Reachable || rep.Clusters[0].Severity != SeverityCritical ||
			!hasReason(rep.Clusters[0].Reasons, SeverityCritical, "unreachable: timed out waiting for Vault (last good data 1m1s old)") {
			t.Errorf("%+v", rep.Clusters[0])
		}
		for _, l := range rep.Links {
			if !l.Stale || l.Severity != SeverityUnknown || l.HasWALGap {
				t.Errorf("%+v", l)
			}
		}
		// Its secondaries still say they stream: orphans, a warning each;
		// the unreadable primary itself is critical.
		if rep.Worst != SeverityCritical || !hasReason(rep.Clusters[1].Performance.Reasons, SeverityWarning, "its primary us-east-2 is unreachable") {
			t.Errorf("worst %v: %+v", rep.Worst, rep.Clusters[1].Performance)
		}
	})
}

func TestAssessClusterStates(t *testing.T) {
	now := heartbeat
	ce := parsedFixture(t, "status_ce.json")
	unsupported := parsedFixture(t, "status_unsupported.json")
	sealedErr := &Error{Class: ErrSealed, StatusCode: 503}
	serverErr := &Error{Class: ErrServer, StatusCode: 500}
	tests := []struct {
		name      string
		obs       Observation
		sev       Severity
		reachable bool
		reason    string
	}{
		{"community edition", observe("ce", healthFixture(t, "health_ce.json"), &ce), SeverityNA, true, "no replication (Community Edition)"},
		{"community edition via 404", Observation{Name: "ce", Snapshot: &Snapshot{Health: healthFixture(t, "health_ce.json"),
			ReplicationErr: &Error{Class: ErrCommunityEdition}}}, SeverityNA, true, "Community Edition"},
		{"unsupported licence", observe("x", nil, &unsupported), SeverityNA, true, "unsupported by this Vault Enterprise licence"},
		{"sealed", Observation{Name: "s", Snapshot: &Snapshot{Health: healthFixture(t, "health_sealed.json"), ReplicationErr: sealedErr}},
			SeverityCritical, true, "sealed"},
		{"sealed without health", Observation{Name: "s", Snapshot: &Snapshot{HealthErr: serverErr, ReplicationErr: sealedErr}},
			SeverityCritical, true, "sealed"},
		{"replication unreadable", Observation{Name: "x", Snapshot: &Snapshot{Health: healthFixture(t, "health_active.json"), ReplicationErr: serverErr}},
			SeverityWarning, true, "replication status unreadable: server error 500"},
		{"unreachable", Observation{Name: "x", Err: &Error{Class: ErrUnreachable}}, SeverityCritical, false, "unreachable: connection failed"},
		{"unreachable, plain error", Observation{Name: "x", Err: errors.New("dial hvs.CAESIJabcdefghijkl0000")}, SeverityCritical, false, "[redacted]"},
		{"timed out", Observation{Name: "x", Err: &Error{Class: ErrTimeout}}, SeverityCritical, false, "unreachable: timed out waiting for Vault"},
		{"answers only errors", Observation{Name: "x", Err: &Error{Class: ErrServer, StatusCode: 502}}, SeverityCritical, false, "server error 502"},
		{"never read", Observation{Name: "x"}, SeverityUnknown, false, "not read yet"},
		// Vault answers 404 {"errors":[]} for an unknown path; an address
		// ending in /v1 asks for /v1/v1/sys/health.
		{"address ends in /v1", Observation{Name: "x", Address: "https://vault.example.com:8200/v1/", Err: &Error{Class: ErrNotFound, StatusCode: 404}},
			SeverityCritical, false, "not found: Vault does not serve this path (the address ends in /v1: vaultrepl adds /v1 itself, so drop it)"},
		{"403 is not unreachable", Observation{Name: "x", Err: &Error{Class: ErrPermissionDenied, StatusCode: 403, Messages: []string{"permission denied"}}},
			SeverityCritical, false, "permission denied: the token's policy"},
		{"standby", observe("x", healthFixture(t, "health_standby.json"), ptr(parsedFixture(t, "status_disabled.json"))), SeverityOK, true, "standby node"},
		{"not initialised", observe("x", &Health{}, ptr(parsedFixture(t, "status_disabled.json"))), SeverityWarning, true, "not initialised"},
		{"licence terminated", observe("x", &Health{Initialized: true, License: &License{Terminated: true}}, ptr(parsedFixture(t, "status_disabled.json"))),
			SeverityCritical, true, "licence terminated"},
		{"both types disabled", observe("x", healthFixture(t, "health_active.json"), ptr(parsedFixture(t, "status_disabled.json"))), SeverityOK, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Assess(now, []Observation{tt.obs}, DefaultThresholds())
			c := rep.Clusters[0]
			if c.Severity != tt.sev || c.Reachable != tt.reachable {
				t.Errorf("severity %v reachable %v, want %v %v: %+v", c.Severity, c.Reachable, tt.sev, tt.reachable, c)
			}
			if tt.reason != "" && !hasReason(c.Reasons, c.Severity, tt.reason) && !hasReason(c.Reasons, SeverityOK, tt.reason) {
				t.Errorf("reasons %+v lack %q", c.Reasons, tt.reason)
			}
			if len(rep.Links) != 0 {
				t.Errorf("links %+v", rep.Links)
			}
			// A cluster that answered HTTP is never called unreachable, and
			// no word is said twice.
			for _, r := range c.Reasons {
				if code := ClassOf(tt.obs.Err); (code == ErrNotFound || code == ErrPermissionDenied || code == ErrServer) && strings.Contains(r.Text, "unreachable") {
					t.Errorf("answered HTTP, called unreachable: %q", r.Text)
				}
				if strings.Contains(r.Text, "unreachable: unreachable") {
					t.Errorf("doubled word: %q", r.Text)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestAssessThresholdsDisabled(t *testing.T) {
	obs := globalSet(t, func(p, s, _ *Replication) {
		p.Performance.LastPerformanceWAL, s.Performance.MerkleRoot = 1<<40, "differs"
		s.Performance.Primaries[0].ClockSkew = time.Hour
		p.DR.Secondaries[0].CanaryAge = time.Hour
	})
	rep := Assess(heartbeat.Add(time.Hour), obs, Thresholds{})
	if rep.Worst != SeverityOK {
		t.Errorf("zero thresholds still judged: %v %+v", rep.Worst, rep.Clusters)
	}
	if !rep.Links[0].HasWALGap || rep.Links[0].WALGap != 1<<40-223 {
		t.Errorf("gap still measured: %+v", rep.Links[0])
	}
}

func TestAssessEmpty(t *testing.T) {
	if rep := Assess(time.Now(), nil, DefaultThresholds()); rep.Worst != SeverityUnknown || len(rep.Clusters) != 0 {
		t.Errorf("%+v", rep)
	}
}

func TestWALGap(t *testing.T) {
	if walGap(10, 3) != 7 || walGap(3, 10) != -7 || walGap(1<<63+5, 0) != 1<<63-1 || walGap(0, 1<<63+5) != -1<<63 {
		t.Errorf("walGap")
	}
}

func TestSeverityOrder(t *testing.T) {
	order := []Severity{SeverityOK, SeveritySyncing, SeverityUnknown, SeverityWarning, SeverityCritical}
	for i := 1; i < len(order); i++ {
		if Worst(order[i-1], order[i]) != order[i] || Worst(order[i], order[i-1]) != order[i] {
			t.Errorf("%v vs %v", order[i-1], order[i])
		}
	}
	for _, s := range order {
		if ParseSeverity(s.String()) != s {
			t.Errorf("%v", s)
		}
	}
}
