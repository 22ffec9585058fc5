package ops

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ParseReplicationStatus decodes the body of GET sys/replication/status
// (the whole response envelope) into a Replication. It recognises every shape
// in the reference: both types, a type that is only {"mode":"disabled"},
// the top-level {"mode":"unsupported"} of an Enterprise build without the
// feature, and Community Edition's {"mode":"disabled"}.
//
// Only a body that is not a JSON object, or has no data object, is an error
// (class ErrMalformed). Field-level type mismatches are converted or ignored
// and listed in TypeStatus.Anomalies.
func ParseReplicationStatus(body []byte) (Replication, error) {
	data, err := envelopeData(body)
	if err != nil {
		return Replication{}, err
	}
	var top []string
	f, ok := treeFields(data, "", &top)
	if !ok {
		return Replication{}, malformed("data is %s, not an object", kindOf(data))
	}
	hasDR, hasPerf := f.has("dr"), f.has("performance")
	if !hasDR && !hasPerf {
		return topLevelMode(f, top)
	}
	r := Replication{
		Performance: parseTypeStatus(Performance, f),
		DR:          parseTypeStatus(DR, f),
	}
	f.str("mode") // a mode beside dr and performance carries nothing more
	r.Extra = f.extra()
	return r, nil
}

// topLevelMode handles data without dr and performance objects: CE's
// {"mode":"disabled"} and Enterprise's {"mode":"unsupported"}.
func topLevelMode(f *fields, anomalies []string) (Replication, error) {
	raw, _ := f.str("mode")
	mode := ParseMode(raw)
	var r Replication
	switch mode {
	case ModeDisabled:
		// Only CE sends a bare top-level "disabled": Enterprise always sends
		// both type objects, even when both are disabled.
		r.CommunityEdition = true
	case ModeUnsupported:
		r.Unsupported = true
	default:
		// A per-type object (…/performance/status) or an invented shape: the
		// combined endpoint never puts another mode at the top level.
		if raw == "" {
			return Replication{}, malformed("data has neither dr, performance nor mode")
		}
		return Replication{}, malformed("data has no dr or performance object (top-level mode %q)", truncate(raw, 40))
	}
	for _, t := range ReplicationTypes {
		ts := TypeStatus{Type: t, Mode: mode, RawMode: raw, Anomalies: append([]string(nil), anomalies...)}
		r.set(t, ts)
	}
	r.Extra = f.extra()
	return r, nil
}

func (r *Replication) set(t ReplicationType, ts TypeStatus) {
	if t == DR {
		r.DR = ts
		return
	}
	r.Performance = ts
}

// envelopeData returns the data object of a logical response, decoded. Should
// a proxy or an older server put the fields at the top level instead, the
// top level is used.
func envelopeData(body []byte) (map[string]any, error) {
	v, err := decodeTree(body)
	if err != nil {
		return nil, malformedErr(err)
	}
	if v == nil {
		return nil, malformed("body is null")
	}
	env, ok := v.(map[string]any)
	if !ok {
		// What json.Unmarshal says of a body that is not an object.
		var m map[string]json.RawMessage
		return nil, malformedErr(json.Unmarshal(body, &m))
	}
	if data, ok := env["data"].(map[string]any); ok {
		return data, nil
	}
	for _, k := range []string{"dr", "performance", "mode"} {
		if _, ok := env[k]; ok {
			return env, nil
		}
	}
	if data, ok := env["data"]; ok {
		return nil, malformed("data is %s, not an object", kindOf(data))
	}
	return nil, malformed("no data in the response")
}

// parseTypeStatus reads data.performance or data.dr.
func parseTypeStatus(t ReplicationType, parent *fields) TypeStatus {
	ts := TypeStatus{Type: t}
	v, ok := parent.value(t.String())
	if !ok {
		ts.Anomalies = append(ts.Anomalies, t.String()+": missing")
		return ts
	}
	f, ok := treeFields(v, t.String()+".", &ts.Anomalies)
	if !ok {
		ts.Anomalies = append(ts.Anomalies, fmt.Sprintf("%s: expected an object, got %s", t, kindOf(v)))
		return ts
	}
	readRole(f, &ts)
	readWALs(f, &ts)
	readMerkle(f, &ts)
	readPeers(f, &ts)
	ts.Extra = f.extra()
	return ts
}

func readRole(f *fields, ts *TypeStatus) {
	ts.RawMode, _ = f.str("mode")
	ts.Mode = ParseMode(ts.RawMode)
	ts.RawState, ts.HasState = f.str("state")
	ts.State = ParseState(ts.RawState)
	ts.RawConnection, ts.HasConnectionState = f.str("connection_state")
	ts.ConnectionState = ParseConnectionState(ts.RawConnection)
	ts.ClusterID, _ = f.str("cluster_id")
	ts.PrimaryClusterAddr, _ = f.str("primary_cluster_addr")
	ts.SecondaryID, _ = f.str("secondary_id")
	ts.LastStart, _ = f.rfc3339("last_start")
}

func readWALs(f *fields, ts *TypeStatus) {
	ts.LastWAL, ts.HasLastWAL = f.u64("last_wal")
	ts.LastPerformanceWAL, ts.HasLastPerformanceWAL = f.u64("last_performance_wal")
	ts.LastDRWAL, ts.HasLastDRWAL = f.u64("last_dr_wal")
	ts.LastRemoteWAL, ts.HasLastRemoteWAL = f.u64("last_remote_wal")
	ts.SSCTGenerationCounter, _ = f.u64("ssct_generation_counter")
}

func readMerkle(f *fields, ts *TypeStatus) {
	ts.MerkleRoot, _ = f.str("merkle_root")
	ts.CorruptedMerkleTree, ts.HasCorruptionCheck = f.boolean("corrupted_merkle_tree")
	ts.LastCorruptionCheck, _ = f.epoch("last_corruption_check_epoch")
	ts.LastReindex, _ = f.epoch("last_reindex_epoch")
	if sf, ok := f.object("merkle_sync_progress"); ok {
		p := &SyncProgress{}
		p.Progress, _ = sf.u64("sync_progress")
		p.TotalKeys, _ = sf.u64("sync_total_keys")
		ts.MerkleSync = p
	}
	var ri Reindex
	inProgress, a := f.boolean("reindex_in_progress")
	stage, b := f.str("reindex_stage")
	progress, c := f.u64("reindex_building_progress")
	total, d := f.u64("reindex_building_total")
	if a || b || c || d {
		ri = Reindex{InProgress: inProgress, Stage: stage, BuildingProgress: progress, BuildingTotal: total}
		ts.Reindex = &ri
	}
}

func readPeers(f *fields, ts *TypeStatus) {
	ts.KnownSecondaries = f.strs("known_secondaries")
	ts.HasKnownSecondaries = ts.KnownSecondaries != nil
	ts.KnownPrimaryClusterAddrs = f.strs("known_primary_cluster_addrs")
	ts.HasKnownPrimaryAddrs = ts.KnownPrimaryClusterAddrs != nil
	ts.Secondaries = parsePeers(f, "secondaries")
	ts.HasSecondaries = ts.Secondaries != nil
	ts.Primaries = parsePeers(f, "primaries")
	ts.HasPrimaries = ts.Primaries != nil
}

func parsePeers(f *fields, key string) []Peer {
	items := f.values(key)
	if items == nil {
		return nil
	}
	peers := make([]Peer, 0, len(items))
	for i, v := range items {
		idx := key + "[" + strconv.Itoa(i) + "]"
		pf, ok := treeFields(v, f.prefix+idx+".", f.anomalies)
		if !ok {
			f.note(idx, "expected an object, got %s (ignored)", kindOf(v))
			continue
		}
		peers = append(peers, parsePeer(pf))
	}
	return peers
}

func parsePeer(f *fields) Peer {
	var p Peer
	p.NodeID, _ = f.str("node_id")
	p.APIAddress, _ = f.str("api_address")
	p.ClusterAddress, _ = f.str("cluster_address")
	p.RawStatus, _ = f.str("connection_status")
	p.Status = ParsePeerStatus(p.RawStatus)
	if v, ok := f.obj["last_heartbeat"]; ok && v != nil {
		var parsed bool
		p.LastHeartbeat, parsed = f.rfc3339("last_heartbeat")
		p.HeartbeatUnparsable = !parsed
	}
	p.LastHeartbeatDuration, p.HasLastHeartbeatDuration = f.millis("last_heartbeat_duration_ms", true)
	p.ClockSkew, p.HasClockSkew = f.millis("clock_skew_ms", true)
	p.CanaryAge, p.HasCanaryAge = f.millis("replication_primary_canary_age_ms", true)
	p.Extra = f.extra()
	return p
}

// ParseHealth decodes a sys/health body (top-level JSON, no envelope). A body
// that is not an object, or has neither "initialized" nor "sealed", is not a
// health response (class ErrMalformed).
func ParseHealth(body []byte) (Health, error) {
	var h Health
	f, ok := newFields(body, "", &h.Anomalies)
	if !ok {
		return Health{}, notAnObject(body)
	}
	hasInit, hasSealed := f.has("initialized"), f.has("sealed")
	if !hasInit && !hasSealed {
		return Health{}, malformed("not a sys/health response")
	}
	readHealthNode(f, &h)
	readHealthCluster(f, &h)
	h.Extra = f.extra()
	return h, nil
}

func readHealthNode(f *fields, h *Health) {
	h.Initialized, _ = f.boolean("initialized")
	h.Sealed, _ = f.boolean("sealed")
	h.Standby, _ = f.boolean("standby")
	h.PerformanceStandby, _ = f.boolean("performance_standby")
	h.RemovedFromCluster, _ = f.boolean("removed_from_cluster")
	h.HAConnectionHealthy, h.HasHAConnectionHealthy = f.boolean("ha_connection_healthy")
	h.LastRequestForwardingHeartbeat, _ = f.millis("last_request_forwarding_heartbeat_ms", false)
	h.EchoDuration, _ = f.millis("echo_duration_ms", false)
	h.ClockSkew, _ = f.millis("clock_skew_ms", false)
	h.CanaryAge, _ = f.millis("replication_primary_canary_age_ms", false)
	if secs, ok := f.u64("server_time_utc"); ok && secs < 1<<40 {
		h.ServerTime = time.Unix(int64(secs), 0).UTC()
	}
}

func readHealthCluster(f *fields, h *Health) {
	perf, _ := f.str("replication_performance_mode")
	h.PerformanceMode = ParseMode(perf)
	dr, _ := f.str("replication_dr_mode")
	h.DRMode = ParseMode(dr)
	h.Version, _ = f.str("version")
	h.Enterprise, h.HasEnterprise = f.boolean("enterprise")
	h.ClusterName, _ = f.str("cluster_name")
	h.ClusterID, _ = f.str("cluster_id")
	h.LastWAL, _ = f.u64("last_wal")
	lf, ok := f.object("license")
	if !ok {
		return
	}
	l := &License{}
	l.State, _ = lf.str("state")
	l.ExpiryTime, _ = lf.rfc3339("expiry_time")
	l.Terminated, _ = lf.boolean("terminated")
	h.License = l
}

// malformed builds the ErrMalformed error for a body that is JSON but not
// the shape Vault sends.
func malformed(format string, args ...any) *Error {
	return &Error{Class: ErrMalformed, Messages: []string{fmt.Sprintf(format, args...)}}
}

// malformedErr wraps a JSON decoding error. Truncated input is named as such
// because "unexpected end of JSON input" is what a cut-off response looks like.
func malformedErr(err error) *Error {
	msg := "not JSON: " + err.Error()
	var syn *json.SyntaxError
	if errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input" {
		msg = "truncated JSON: the response was cut off"
	}
	return &Error{Class: ErrMalformed, Messages: []string{truncate(msg, 200)}, Err: err}
}

// notAnObject is the malformed error for a body that did not decode as a
// JSON object: not JSON at all (or truncated), or JSON of another shape.
func notAnObject(body []byte) *Error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return malformedErr(err)
	}
	return malformed("the response is %s, not a JSON object", jsonKind(body))
}
