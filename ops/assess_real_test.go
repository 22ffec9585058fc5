package ops

import (
	"strings"
	"testing"
	"time"
)

// Fixtures in this file are shaped exactly as public sources published them
// (field names and presence; values as printed):
//   - status_2018_issue5565_dr_primary.json: GitHub issue hashicorp/vault#5565
//     "Check cluster sync status" (2018), a DR primary of that time.
//   - status_2018_guides_*.json: hashicorp/vault-guides
//     operations/local-replication/README.md (2018), its "Validation" outputs
//     and the secondary left streaming after `primary/disable`.
//   - status_2020_docs_*.json: HashiCorp API docs, /sys/replication "Check
//     Status" samples as updated in June 2020 (hashicorp/vault PR #9215,
//     website/pages/api-docs/system/replication/index.mdx).
//   - status_primary_both.json, status_perf_secondary.json,
//     status_dr_secondary.json: the 2024 API docs samples (1.16+).
//   - health_1.9.0_prem_dr_secondary.json: HashiCorp sys/health docs sample
//     of an old Enterprise DR secondary ("version":"1.9.0+prem", no
//     "enterprise" field).

func observeAt(name, addr string, h *Health, r *Replication) Observation {
	o := observe(name, h, r)
	o.Address = addr
	return o
}

func typeOf(rep Report, name string, t ReplicationType) TypeAssessment {
	for _, c := range rep.Clusters {
		if c.Name == name {
			return c.Of(t)
		}
	}
	return TypeAssessment{}
}

func clusterOf(rep Report, name string) ClusterAssessment {
	for _, c := range rep.Clusters {
		if c.Name == name {
			return c
		}
	}
	return ClusterAssessment{}
}

func TestAssessAbsentIsNotEmpty(t *testing.T) {
	at2020 := time.Date(2020, 6, 10, 22, 40, 50, 0, time.UTC)
	tests := []struct {
		name        string
		obs         func(t *testing.T) []Observation
		now         time.Time
		cluster     string
		typ         ReplicationType
		sev         Severity
		reason      string // a reason of severity sev
		notReported []string
		forbidden   string // no reason of the cluster may contain this
		worst       Severity
	}{
		{"2018 DR primary without state or secondaries[] (#5565)", func(t *testing.T) []Observation {
			return []Observation{observe("a", nil, ptr(parsedFixture(t, "status_2018_issue5565_dr_primary.json")))}
		}, heartbeat, "a", DR, SeverityOK, "primary (state not reported by this Vault version)",
			[]string{"state", "secondaries"}, "unknown", SeverityOK},
		{"2020 primary without state: judged by its secondaries (docs 2020)", func(t *testing.T) []Observation {
			return []Observation{observe("p", nil, ptr(parsedFixture(t, "status_2020_docs_primary_both.json")))}
		}, at2020, "p", Performance, SeverityOK, "primary (state not reported",
			[]string{"state"}, "never connected", SeverityOK},
		{"2018 primary without secondaries[] whose secondary streams (vault-guides)", func(t *testing.T) []Observation {
			return []Observation{
				observe("vault", nil, ptr(parsedFixture(t, "status_2018_guides_primary_both.json"))),
				observe("vault3", nil, ptr(parsedFixture(t, "status_2018_guides_dr_secondary.json"))),
			}
		}, heartbeat, "vault", DR, SeverityOK, "primary", []string{"state", "last_wal", "secondaries"}, "never connected", SeverityUnknown},
		{"2018 DR secondary without connection_state or primaries[] streams (vault-guides)", func(t *testing.T) []Observation {
			return []Observation{observe("vault3", healthFixture(t, "health_1.9.0_prem_dr_secondary.json"),
				ptr(parsedFixture(t, "status_2018_guides_dr_secondary.json")))}
		}, heartbeat, "vault3", DR, SeverityOK, "streaming WALs",
			[]string{"connection_state", "last_remote_wal", "primaries"}, "unknown", SeverityOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Assess(tt.now, tt.obs(t), DefaultThresholds())
			ta := typeOf(rep, tt.cluster, tt.typ)
			if ta.Severity != tt.sev || !hasReason(ta.Reasons, tt.sev, tt.reason) {
				t.Errorf("%s %v: %v %+v, want %v %q", tt.cluster, tt.typ, ta.Severity, ta.Reasons, tt.sev, tt.reason)
			}
			for _, f := range tt.notReported {
				if !contains(ta.NotReported, f) {
					t.Errorf("not reported %v lacks %q", ta.NotReported, f)
				}
			}
			c := clusterOf(rep, tt.cluster)
			for _, r := range append(append(c.Reasons, c.Performance.Reasons...), c.DR.Reasons...) {
				if strings.Contains(r.Text, tt.forbidden) {
					t.Errorf("reason %q contains %q", r.Text, tt.forbidden)
				}
			}
			if rep.Worst != tt.worst {
				t.Errorf("worst %v, want %v (%+v)", rep.Worst, tt.worst, rep.Links)
			}
		})
	}
}

func TestAssessOldPrimaryLinkJudgedFromTheSecondary(t *testing.T) {
	// vault-guides 2018: the primary lists vault3 in known_secondaries but
	// sends no secondaries[]; vault3 says stream-wals.
	rep := Assess(heartbeat, []Observation{
		observe("vault", nil, ptr(parsedFixture(t, "status_2018_guides_primary_both.json"))),
		observe("vault3", nil, ptr(parsedFixture(t, "status_2018_guides_dr_secondary.json"))),
	}, DefaultThresholds())
	var dr, perf Link
	for _, l := range rep.Links {
		if l.Type == DR {
			dr = l
		} else {
			perf = l
		}
	}
	if dr.Secondary != "vault3" || dr.Severity != SeverityOK || !hasReason(dr.Reasons, SeverityOK, "connected, as vault3 reports (secondaries[] not reported") {
		t.Errorf("DR link %+v", dr)
	}
	if dr.HasWALGap || dr.LagText() != "lag ? WAL" || dr.LagUnknown == "" {
		t.Errorf("lag of a primary without WAL indexes: %q %+v", dr.LagText(), dr)
	}
	// vault2 is not configured here: its connection is unknown, not "never connected".
	if perf.SecondaryID != "vault2" || perf.Severity != SeverityUnknown || !hasReason(perf.Reasons, SeverityUnknown, "connection unknown") {
		t.Errorf("perf link %+v", perf)
	}
}

func TestEditionWithoutEnterpriseField(t *testing.T) {
	h := healthFixture(t, "health_1.9.0_prem_dr_secondary.json")
	if h.HasEnterprise {
		t.Fatalf("enterprise present in a 1.9.0+prem health: %+v", h)
	}
	if e := (Snapshot{Health: h}).Edition(); e != EditionEnterprise {
		t.Errorf("1.9.0+prem is %v", e)
	}
	ce := healthFixture(t, "health_ce.json")
	if e := (Snapshot{Health: ce}).Edition(); e != EditionCommunity {
		t.Errorf("CE health is %v", e)
	}
	// No suffix and no "enterprise", but dr/performance objects: only
	// Enterprise sends those.
	r := parsedFixture(t, "status_2018_issue5565_dr_primary.json")
	if e := (Snapshot{Health: &Health{Initialized: true, Version: "0.11.4"}, Replication: &r}).Edition(); e != EditionEnterprise {
		t.Errorf("replication objects without suffix: %v", e)
	}
}

func TestAssessSplitBrain(t *testing.T) {
	now := heartbeat.Add(2 * time.Second)
	// The DR secondary promoted without the primary being demoted: both
	// report DR primary of the same set (2024 docs samples; promotion keeps
	// the set's cluster_id so that the old primary can rejoin it).
	promote := func(_, _, dr *Replication) {
		dr.DR.Mode, dr.DR.RawMode = ModePrimary, "primary"
		dr.DR.State, dr.DR.RawState, dr.DR.HasState = StateRunning, "running", true
		dr.DR.SecondaryID, dr.DR.Primaries, dr.DR.HasPrimaries = "", nil, false
		dr.DR.KnownSecondaries, dr.DR.HasKnownSecondaries = []string{}, true
		dr.DR.Secondaries, dr.DR.HasSecondaries = []Peer{}, true
		dr.DR.LastDRWAL, dr.DR.HasLastDRWAL = 240, true
	}
	rep := Assess(now, globalSet(t, promote), DefaultThresholds())
	if len(rep.SplitBrains) != 1 || rep.SplitBrains[0].Type != DR || strings.Join(rep.SplitBrains[0].Primaries, ",") != "us-east-2,us-east-2-dr" {
		t.Fatalf("split brains %+v", rep.SplitBrains)
	}
	for _, name := range []string{"us-east-2", "us-east-2-dr"} {
		ta := typeOf(rep, name, DR)
		if ta.Severity != SeverityCritical || !hasReason(ta.Reasons, SeverityCritical, "split brain") {
			t.Errorf("%s: %v %+v", name, ta.Severity, ta.Reasons)
		}
		found := false
		for _, r := range ta.Reasons {
			found = found || strings.Contains(r.Do, "demote one: vault write -f sys/replication/dr/primary/demote on the one clients should not use")
		}
		if !found {
			t.Errorf("%s: no demote command in %+v", name, ta.Reasons)
		}
		if !rep.InSplitBrain(name, DR) || rep.InSplitBrain(name, Performance) {
			t.Errorf("%s InSplitBrain", name)
		}
	}
	if rep.Worst != SeverityCritical {
		t.Errorf("worst %v", rep.Worst)
	}
	t.Run("performance too", func(t *testing.T) {
		rep := Assess(now, globalSet(t, func(p, s, dr *Replication) {
			promote(p, s, dr)
			dr.Performance = p.Performance
		}), DefaultThresholds())
		if len(rep.SplitBrains) != 2 || typeOf(rep, "us-east-2-dr", Performance).Severity != SeverityCritical ||
			!strings.Contains(typeOf(rep, "us-east-2", Performance).Reasons[len(typeOf(rep, "us-east-2", Performance).Reasons)-1].Do, "sys/replication/performance/primary/demote") {
			t.Errorf("%+v", rep.SplitBrains)
		}
	})
	t.Run("inherited known_secondaries are no unused tokens", func(t *testing.T) {
		// The promoted cluster inherited the performance primary's
		// known_secondaries by replication; its secondaries stream from
		// the old primary (the 2024 docs sample's connected secondary).
		rep := Assess(now, globalSet(t, func(p, s, dr *Replication) {
			promote(p, s, dr)
			dr.Performance = p.Performance
			dr.Performance.Secondaries = []Peer{}
		}), DefaultThresholds())
		ta := typeOf(rep, "us-east-2-dr", Performance)
		if hasReason(ta.Reasons, SeverityWarning, "never connected") || !hasReason(ta.Reasons, SeverityOK, "streams from us-east-2, the other primary of this set") {
			t.Errorf("%+v", ta.Reasons)
		}
		for _, l := range rep.Links {
			if l.Primary == "us-east-2-dr" && l.Type == Performance && (l.Severity != SeverityOK || !hasReason(l.Reasons, SeverityOK, "streams from us-east-2")) {
				t.Errorf("link %+v", l)
			}
		}
		if ta.Severity != SeverityCritical {
			t.Errorf("the split brain is still critical: %v", ta.Severity)
		}
	})
	t.Run("a stale primary is no split brain", func(t *testing.T) {
		obs := globalSet(t, promote)
		obs[0].Err = &Error{Class: ErrTimeout}
		if rep := Assess(now, obs, DefaultThresholds()); len(rep.SplitBrains) != 0 {
			t.Errorf("%+v", rep.SplitBrains)
		}
	})
}

func TestAssessLagMeaning(t *testing.T) {
	now := heartbeat.Add(2 * time.Second)
	tests := []struct {
		name    string
		mutate  func(p, s, dr *Replication)
		text    string // LagText of the performance link
		gap     bool
		sev     Severity // LagSeverity
		unknown string   // part of LagUnknown
	}{
		{"equal roots are in sync whatever the counters", func(p, s, _ *Replication) { s.Performance.LastRemoteWAL = 0 },
			"in sync", true, SeverityOK, ""},
		{"freshly bootstrapped: last_remote_wal 0 and roots differ", func(p, s, _ *Replication) {
			s.Performance.LastRemoteWAL, s.Performance.MerkleRoot = 0, "differs"
		}, "lag ? WAL", false, SeverityUnknown, "received no WAL yet"},
		{"one WAL ahead is not -1", func(p, s, _ *Replication) {
			s.Performance.LastRemoteWAL, s.Performance.MerkleRoot = 224, "differs"
		}, "caught up", false, SeverityUnknown, "ahead of the primary's 223"},
		{"behind by 8", func(p, s, _ *Replication) {
			s.Performance.LastRemoteWAL, s.Performance.MerkleRoot = 215, "differs"
		}, "lag 8 WAL", true, SeverityOK, ""},
		{"another primary's counters (secondary not connected to this one)", func(p, s, _ *Replication) {
			p.Performance.Secondaries = []Peer{}
			s.Performance.MerkleRoot = "differs"
		}, "lag ? WAL", false, SeverityUnknown, "WAL counters of different primaries"},
		{"past the warning", func(p, s, _ *Replication) {
			p.Performance.LastPerformanceWAL, s.Performance.MerkleRoot = 1300, "differs"
		}, "lag 1077 WAL", true, SeverityWarning, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Assess(now, globalSet(t, tt.mutate), DefaultThresholds())
			l := rep.Links[0]
			if l.LagText() != tt.text || l.HasWALGap != tt.gap || l.LagSeverity != tt.sev || !strings.Contains(l.LagUnknown, tt.unknown) {
				t.Errorf("%q gap %v %v %q: %+v", l.LagText(), l.HasWALGap, l.LagSeverity, l.LagUnknown, l)
			}
			if l.HasWALGap && l.WALGap < 0 {
				t.Errorf("negative lag %d", l.WALGap)
			}
		})
	}
}

func TestAssessOrphans(t *testing.T) {
	t.Run("primary disabled replication (vault-guides 2018)", func(t *testing.T) {
		// vault (8200) disabled replication; vault2 still says stream-wals
		// and names https://127.0.0.1:8201, vault's cluster address.
		rep := Assess(heartbeat, []Observation{
			observeAt("vault", "http://127.0.0.1:8200", nil, ptr(parsedFixture(t, "status_2018_guides_both_disabled.json"))),
			observeAt("vault2", "http://127.0.0.1:8202", nil, ptr(parsedFixture(t, "status_2018_guides_orphan_secondary.json"))),
		}, DefaultThresholds())
		ta := typeOf(rep, "vault2", Performance)
		if ta.Severity != SeverityWarning || !hasReason(ta.Reasons, SeverityWarning, "its primary vault has Performance replication disabled") {
			t.Errorf("%v %+v", ta.Severity, ta.Reasons)
		}
	})
	t.Run("primary unreachable", func(t *testing.T) {
		obs := globalSet(t, nil)
		obs[0].Err = &Error{Class: ErrUnreachable}
		rep := Assess(heartbeat.Add(time.Second), obs, DefaultThresholds())
		ta := typeOf(rep, "us-east-1", Performance)
		if ta.Severity != SeverityWarning || !hasReason(ta.Reasons, SeverityWarning, "its primary us-east-2 is unreachable from here") {
			t.Errorf("%v %+v", ta.Severity, ta.Reasons)
		}
	})
	t.Run("primary no longer lists it", func(t *testing.T) {
		rep := Assess(heartbeat.Add(time.Second), globalSet(t, func(p, _, _ *Replication) {
			p.Performance.KnownSecondaries, p.Performance.Secondaries = []string{}, []Peer{}
		}), DefaultThresholds())
		ta := typeOf(rep, "us-east-1", Performance)
		if ta.Severity != SeverityWarning || !hasReason(ta.Reasons, SeverityWarning, "us-east-2 no longer lists this secondary") {
			t.Errorf("%v %+v", ta.Severity, ta.Reasons)
		}
	})
	t.Run("primary not configured: no finding", func(t *testing.T) {
		rep := Assess(heartbeat.Add(time.Second), globalSet(t, nil)[1:], DefaultThresholds())
		if ta := typeOf(rep, "us-east-1", Performance); ta.Severity != SeverityOK {
			t.Errorf("%v %+v", ta.Severity, ta.Reasons)
		}
	})
}

func TestAssessSealedWinsOverStandbyAndEdition(t *testing.T) {
	// A sealed node reports standby: true (health_sealed.json, the shape of
	// HashiCorp's sys/health docs for a sealed standby).
	sealed := healthFixture(t, "health_sealed.json")
	ce := parsedFixture(t, "status_ce.json")
	ceSealed := *healthFixture(t, "health_ce.json")
	ceSealed.Sealed, ceSealed.Standby = true, true
	for _, o := range []Observation{
		{Name: "ent", Snapshot: &Snapshot{Health: sealed, ReplicationErr: &Error{Class: ErrSealed, StatusCode: 503}}},
		observe("ce", &ceSealed, &ce),
	} {
		c := Assess(heartbeat, []Observation{o}, DefaultThresholds()).Clusters[0]
		if c.Severity != SeverityCritical || !hasReason(c.Reasons, SeverityCritical, "sealed") {
			t.Errorf("%s: %v %+v", o.Name, c.Severity, c.Reasons)
		}
		if hasReason(c.Reasons, SeverityOK, "standby") {
			t.Errorf("%s: a sealed node described as standby: %+v", o.Name, c.Reasons)
		}
		if c.Reasons[0].Severity != SeverityCritical {
			t.Errorf("%s: sealed is not the first reason: %+v", o.Name, c.Reasons)
		}
	}
}

func TestAssessWhatToDo(t *testing.T) {
	now := heartbeat.Add(2 * time.Second)
	tests := []struct {
		name    string
		mutate  func(p, s, dr *Replication)
		cluster int
		typ     ReplicationType
		do      string
	}{
		{"partition", func(p, _, _ *Replication) { p.Performance.Secondaries[0].Status = PeerDisconnected }, 0, Performance, "check port 8201"},
		{"merkle corruption", func(_, s, _ *Replication) { s.Performance.CorruptedMerkleTree = true }, 1, Performance, "sys/replication/reindex"},
		{"idle after demote", func(_, s, _ *Replication) { s.Performance.State = StateIdle }, 1, Performance, "sys/replication/performance/secondary/update-primary"},
		{"unused token", func(p, _, _ *Replication) { p.DR.KnownSecondaries = append(p.DR.KnownSecondaries, "spare") }, -1, DR,
			"vault write sys/replication/dr/primary/revoke-secondary id=spare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Assess(now, globalSet(t, tt.mutate), DefaultThresholds())
			var rs []Reason
			if tt.cluster < 0 {
				for _, l := range rep.Links {
					rs = append(rs, l.Reasons...)
				}
			} else {
				rs = rep.Clusters[tt.cluster].Of(tt.typ).Reasons
			}
			for _, r := range rs {
				if strings.Contains(r.Do, tt.do) {
					return
				}
			}
			t.Errorf("no %q in %+v", tt.do, rs)
		})
	}
	sealed := Assess(now, []Observation{{Name: "s", Snapshot: &Snapshot{Health: healthFixture(t, "health_sealed.json"),
		ReplicationErr: &Error{Class: ErrSealed, StatusCode: 503}}}}, DefaultThresholds())
	if !strings.Contains(sealed.Clusters[0].Reasons[0].Do, "vault operator unseal") {
		t.Errorf("sealed: %+v", sealed.Clusters[0].Reasons)
	}
}

func TestAssessWordsForErrors(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
		bad  string
	}{
		{&Error{Class: ErrUnreachable}, "unreachable: connection failed", "unreachable: unreachable"},
		{&Error{Class: ErrTimeout}, "unreachable: timed out", ""},
		{&Error{Class: ErrPermissionDenied, StatusCode: 403}, "permission denied", "unreachable"},
		{&Error{Class: ErrServer, StatusCode: 503}, "server error 503", "unreachable"},
		{&Error{Class: ErrRateLimited, StatusCode: 429}, "rate limited", "unreachable"},
		{&Error{Class: ErrMalformed, StatusCode: 200}, "malformed response", "unreachable"},
		{&Error{Class: ErrTooLarge, StatusCode: 200}, "response too large", "unreachable"},
		{&Error{Class: ErrNotFound, StatusCode: 404}, "not found", "unreachable"},
	} {
		c := Assess(heartbeat, []Observation{{Name: "x", Err: tt.err}}, DefaultThresholds()).Clusters[0]
		text := c.Reasons[0].Text
		if !strings.HasPrefix(text, tt.want) || (tt.bad != "" && strings.Contains(text, tt.bad)) {
			t.Errorf("%v: %q", tt.err, text)
		}
	}
}

func TestAssessOnTheClustersClock(t *testing.T) {
	// This machine's clock is 10 minutes slow: the cluster's server_time_utc
	// says 15:16:00 when we read it at 15:06:00 by our clock. The primary's
	// heartbeats (15:15:56 on its clock) are 4s old, not 10 minutes in the
	// future, and not 9m56s old.
	obs := globalSet(t, func(p, _, _ *Replication) {
		for _, ts := range []*TypeStatus{&p.Performance, &p.DR} {
			for i := range ts.Secondaries {
				ts.Secondaries[i].LastHeartbeat = heartbeat.Add(10 * time.Minute)
			}
		}
	})
	read := heartbeat.Add(4 * time.Second)
	h := *healthFixture(t, "health_active.json")
	h.ServerTime = read.Add(10 * time.Minute)
	obs[0].Snapshot.Health, obs[0].Snapshot.FetchedAt = &h, read
	rep := Assess(read, obs, DefaultThresholds())
	c := rep.Clusters[0]
	if c.Severity != SeverityOK || !hasReason(c.Reasons, SeverityOK, "clock 10m0s ahead of this machine's") {
		t.Errorf("%v %+v %+v", c.Severity, c.Reasons, c.Performance.Reasons)
	}
	if l := rep.Links[0]; l.HeartbeatAge != 4*time.Second {
		t.Errorf("heartbeat age %v on the primary's clock", l.HeartbeatAge)
	}
	t.Run("heartbeat in the future", func(t *testing.T) {
		rep := Assess(heartbeat.Add(-time.Minute), globalSet(t, nil), DefaultThresholds())
		if ta := rep.Clusters[0].Performance; ta.Severity != SeverityWarning || !hasReason(ta.Reasons, SeverityWarning, "in the future") {
			t.Errorf("%v %+v", ta.Severity, ta.Reasons)
		}
	})
	t.Run("heartbeat unparsable", func(t *testing.T) {
		body := strings.Replace(string(fixture(t, "status_primary_both.json")), `"last_heartbeat": "2024-03-04T10:05:56-05:00"`, `"last_heartbeat": "yesterday"`, 1)
		r, err := ParseReplicationStatus([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		rep := Assess(heartbeat, []Observation{observe("p", nil, &r)}, DefaultThresholds())
		found := false
		for _, ta := range []TypeAssessment{rep.Clusters[0].DR, rep.Clusters[0].Performance} {
			found = found || hasReason(ta.Reasons, SeverityWarning, "last_heartbeat is not a time")
		}
		if !found || rep.Worst != SeverityWarning {
			t.Errorf("%+v", rep.Clusters[0])
		}
	})
}

func TestAssessAddressEndingInV1(t *testing.T) {
	o := Observation{Name: "x", Address: "https://vault.example:8200/v1/", Err: &Error{Class: ErrNotFound, StatusCode: 404}}
	c := Assess(heartbeat, []Observation{o}, DefaultThresholds()).Clusters[0]
	if !strings.Contains(c.Reasons[0].Text, "ends in /v1") || strings.Contains(c.Reasons[0].Text, "unreachable") {
		t.Errorf("%q", c.Reasons[0].Text)
	}
}
