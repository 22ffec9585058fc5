package sim

import (
	"strconv"
	"time"
)

// Rendering of sys/replication/status and its per-type variants
// (https://developer.hashicorp.com/vault/api-docs/system/replication).
// JSON types follow the documented samples: WAL indexes are numbers,
// epochs are strings, and the numeric-looking peer fields are strings.

func epoch(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// stamp formats a model time on c's clock, RFC 3339 with c's offset. A time
// that never happened (a heartbeat from a primary never reached) prints as
// Go's zero time, as a server that never set the field would.
func stamp(c *cluster, t time.Time) string {
	if t.IsZero() {
		return time.Time{}.Format(time.RFC3339)
	}
	return c.clock(t).Format(time.RFC3339)
}

// replicationStatus is the combined object: {"dr":{…},"performance":{…}}.
func (l *Lab) replicationStatus(c *cluster, now time.Time) map[string]any {
	return map[string]any{
		"dr":          l.typeStatus(c, drType, now),
		"performance": l.typeStatus(c, perfType, now),
	}
}

// typeStatus renders one type's object for cluster c.
func (l *Lab) typeStatus(c *cluster, t replType, now time.Time) map[string]any {
	r := c.role(t)
	if t == perfType && c.drSecondary() {
		// A DR secondary serves no performance role of its own.
		return map[string]any{"mode": modeDisabled}
	}
	switch r.mode {
	case modeDisabled:
		return map[string]any{"mode": modeDisabled}
	case modeBootstrapping:
		// Only the mode is known while the role is being set up [I].
		return map[string]any{"mode": modeBootstrapping}
	}
	perfOnly := t == perfType
	m := map[string]any{
		"cluster_id":                  r.clusterID,
		"corrupted_merkle_tree":       r.corrupted,
		"last_corruption_check_epoch": strconv.FormatInt(r.lastCorruptionCheck.Unix(), 10),
		"last_reindex_epoch":          epoch(r.lastReindex),
		"mode":                        r.mode,
		"primary_cluster_addr":        r.primaryClusterAddr,
		"ssct_generation_counter":     0,
		"state":                       r.state,
	}
	// Deferred: both branches below fill m further and return it.
	defer c.dropNewerStatusFields(m)
	if !c.reindexUntil.IsZero() {
		total := c.data.keyCount(perfOnly)
		frac := float64(now.Sub(c.reindexStart)) / float64(c.reindexUntil.Sub(c.reindexStart))
		m["reindex_in_progress"] = true
		m["reindex_stage"] = "building"
		m["reindex_building_progress"] = uint64(min(max(frac, 0), 1) * float64(total))
		m["reindex_building_total"] = total
	}
	if r.isPrimary() {
		wal := c.log.last
		if perfOnly {
			wal = c.log.lastPerf
			m["last_performance_wal"] = c.log.lastPerf
		} else {
			m["last_dr_wal"] = c.log.last
		}
		m["last_wal"] = c.log.last
		m["merkle_root"] = merkleRoot(r.clusterID, wal, c.data, perfOnly, r.corrupted)
		known := make([]string, len(r.known))
		copy(known, r.known)
		m["known_secondaries"] = known
		m["secondaries"] = l.secondaryPeers(c, r, now)
		return m
	}
	// secondary (including a demoted primary)
	m["connection_state"] = r.connState
	m["known_primary_cluster_addrs"] = append([]string{}, r.knownPrimaryAddrs...)
	m["last_remote_wal"] = r.lastRemoteWAL
	m["last_start"] = stamp(c, r.lastStart)
	m["merkle_root"] = merkleRoot(r.clusterID, r.lastRemoteWAL, c.data, perfOnly, r.corrupted)
	m["primaries"] = l.primaryPeers(c, r, now)
	m["secondary_id"] = r.secondaryID
	if r.phase == phaseSync && r.state == stateMerkleSync {
		m["merkle_sync_progress"] = map[string]any{"sync_progress": r.syncDone, "sync_total_keys": r.syncTotal}
	}
	return m
}

// secondaryPeers renders a primary's secondaries[]: every known ID that has
// connected at least once.
func (l *Lab) secondaryPeers(p *cluster, pr *role, now time.Time) []any {
	out := []any{}
	for _, id := range pr.known {
		rec := pr.peers[id]
		if rec == nil {
			continue
		}
		entry := map[string]any{
			"node_id":                           id,
			"api_address":                       "",
			"cluster_address":                   "",
			"connection_status":                 "disconnected",
			"last_heartbeat":                    stamp(p, rec.lastHeartbeat),
			"last_heartbeat_duration_ms":        "0",
			"clock_skew_ms":                     "0",
			"replication_primary_canary_age_ms": "0",
		}
		if s := l.byName[rec.cluster]; s != nil {
			sr := s.role(pr.typ)
			lat := l.linkLatency(s, p)
			entry["api_address"] = s.apiAddr
			entry["cluster_address"] = s.nodeAddrs[0]
			entry["clock_skew_ms"] = millis(s.faults.skew - p.faults.skew)
			entry["last_heartbeat_duration_ms"] = millis(2 * lat)
			if sr.upstream == p.name && sr.secondaryID == id && sr.isSecondary() {
				if sr.connected && rec.connected {
					entry["connection_status"] = "connected"
				}
				entry["replication_primary_canary_age_ms"] = canaryAge(sr, now)
			}
		}
		out = append(out, entry)
	}
	return out
}

// primaryPeers renders a secondary's primaries[] (one entry: the active node of
// its primary cluster).
func (l *Lab) primaryPeers(s *cluster, r *role, now time.Time) []any {
	p := l.primaryFor(r)
	if p == nil {
		return []any{}
	}
	lat := l.linkLatency(s, p)
	status := "disconnected"
	if r.connected {
		status = "connected"
	}
	addr := r.primaryClusterAddr
	if addr == "" {
		addr = p.nodeAddrs[0]
	}
	return []any{map[string]any{
		"api_address":                       p.apiAddr,
		"cluster_address":                   addr,
		"connection_status":                 status,
		"last_heartbeat":                    stamp(s, r.lastHeartbeat),
		"last_heartbeat_duration_ms":        millis(2 * lat),
		"clock_skew_ms":                     millis(p.faults.skew - s.faults.skew),
		"replication_primary_canary_age_ms": canaryAge(r, now),
	}}
}

// canaryAge is how old the newest replication canary this secondary has seen
// is: roughly its lag in time (1.17+).
func canaryAge(r *role, now time.Time) string {
	if r.canaryAt.IsZero() {
		return "0"
	}
	return millis(now.Sub(r.canaryAt))
}

// Fields the status gained over the versions (the 1.16+ samples of
// https://developer.hashicorp.com/vault/api-docs/system/replication have
// them; older revisions of the page do not): a
// cluster whose version personality predates them leaves them out, as those
// servers do.
var (
	// corrupted_merkle_tree and its check epoch: 1.15.
	statusFields115 = []string{"corrupted_merkle_tree", "last_corruption_check_epoch"}
	// Missing from 1.5–1.12.
	statusFields113 = []string{"last_reindex_epoch", "ssct_generation_counter", "last_start", "connection_state"}
	// Before 1.5 a status has no peer lists (they arrived with the June
	// 2020 API docs, hashicorp/vault PR #9215), and a primary reports no
	// state and only last_wal (GitHub issue hashicorp/vault#5565, 2018).
	statusFields15        = []string{"secondaries", "primaries"}
	statusFields15Primary = []string{"state", "last_performance_wal", "last_dr_wal"}
	// Peer metrics from the heartbeat echo (PR #24343): 1.16.
	peerFields116 = []string{"clock_skew_ms", "last_heartbeat_duration_ms"}
	// The replication canary: 1.17.
	peerFields117 = []string{"replication_primary_canary_age_ms"}
)

func (c *cluster) dropNewerStatusFields(m map[string]any) {
	c.dropBefore(m, 1, 15, statusFields115...)
	c.dropBefore(m, 1, 13, statusFields113...)
	if m["mode"] == modePrimary {
		c.dropBefore(m, 1, 5, statusFields15Primary...)
	}
	c.dropBefore(m, 1, 5, statusFields15...)
	for _, key := range []string{"secondaries", "primaries"} {
		peers, _ := m[key].([]any)
		for _, p := range peers {
			obj := p.(map[string]any)
			c.dropBefore(obj, 1, 16, peerFields116...)
			c.dropBefore(obj, 1, 17, peerFields117...)
		}
	}
}

// dropBefore removes keys from obj when the cluster's version personality
// predates major.minor, the version that added them.
func (c *cluster) dropBefore(obj map[string]any, major, minor int, keys ...string) {
	if versionAtLeast(c.version, major, minor) {
		return
	}
	for _, k := range keys {
		delete(obj, k)
	}
}
