package ops

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultThresholds are vaultrepl's defaults. Vault documents no numbers for
// these; they are chosen so that a healthy set (heartbeats every few seconds,
// canaries every second, NTP-synced clocks) never trips them, while a stalled
// link does within a poll or two. A zero threshold disables its rule.
func DefaultThresholds() Thresholds {
	return Thresholds{
		HeartbeatWarn: 30 * time.Second,
		HeartbeatCrit: 2 * time.Minute,
		ClockSkewWarn: 2 * time.Second,
		WALGapWarn:    1000,
		WALGapCrit:    10000,
		CanaryAgeWarn: 10 * time.Second,
		CanaryAgeCrit: time.Minute,
	}
}

// Assess judges every observed cluster and the links between them. It is a
// pure function of its arguments.
//
// Judgements that need care:
//   - A cluster none of whose status could be read now (unreachable, timed
//     out, or answering only errors) is critical, in the dashboard and in
//     `status` alike: whatever its own state, nobody can see it from here.
//     Its replication types are unknown, not judged. A never-read cluster
//     (the first poll has not answered yet) is unknown.
//   - Community Edition and an unsupported licence are n/a ("no
//     replication"), never alarming: there is nothing to repair.
//   - A sealed node is critical: it serves nothing, and its replication stops.
//   - A DR secondary is normal; its performance type reads disabled.
//   - A disconnected peer is critical on the cluster that reports it and on
//     the link; a known secondary that never connected is a warning (a token
//     may simply not have been used yet).
//   - WAL lag is judged only when both ends are configured and freshly read;
//     a small negative gap (the secondary read a moment later) is "caught up".
func Assess(now time.Time, obs []Observation, th Thresholds) Report {
	rep := Report{Clusters: make([]ClusterAssessment, len(obs))}
	for i, o := range obs {
		rep.Clusters[i] = assessCluster(now, o, th)
	}
	rep.Links = findLinks(now, obs, th)
	applySplitBrains(&rep, obs)
	applyLag(&rep, th)
	applyOrphans(&rep, obs)
	rep.Worst = SeverityOK
	for i := range rep.Clusters {
		c := &rep.Clusters[i]
		c.Severity = worstOf(c.Reasons, c.Performance.Severity, c.DR.Severity)
		if c.Severity == SeverityOK && c.Performance.Severity == SeverityNA && c.DR.Severity == SeverityNA {
			c.Severity = SeverityNA // nothing to judge here, by design
		}
		rep.Worst = Worst(rep.Worst, c.Severity)
	}
	for _, l := range rep.Links {
		rep.Worst = Worst(rep.Worst, l.Severity)
	}
	if len(obs) == 0 {
		rep.Worst = SeverityUnknown
	}
	rep.NextChange = nextChange(now, obs, th)
	return rep
}

// worstOf is the worst of some reasons and some severities; with nothing at
// all it is ok.
func worstOf(reasons []Reason, sevs ...Severity) Severity {
	w := SeverityOK
	for _, r := range reasons {
		w = Worst(w, r.Severity)
	}
	for _, s := range sevs {
		w = Worst(w, s)
	}
	return w
}

func assessCluster(now time.Time, o Observation, th Thresholds) ClusterAssessment {
	ca := ClusterAssessment{Name: o.Name, Performance: TypeAssessment{Type: Performance}, DR: TypeAssessment{Type: DR}}
	switch {
	case o.Err != nil:
		ca.Err = o.Err
		text := errorWords(o.Err)
		if strings.HasSuffix(strings.TrimSuffix(o.Address, "/"), "/v1") {
			text += " (the address ends in /v1: vaultrepl adds /v1 itself, so drop it)"
		}
		if o.Snapshot != nil && !o.Snapshot.FetchedAt.IsZero() {
			text += fmt.Sprintf(" (last good data %s old)", formatDuration(now.Sub(o.Snapshot.FetchedAt)))
		}
		// Nothing of it could be read now: critical, as the dashboard shows
		// it. Its own state may be fine, but an operator can no longer see
		// it from here, and its replication is not judged (types unknown).
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityCritical, Text: text, Do: errorDo(o.Err)})
		markTypesUnknown(&ca, "not read: the cluster is unreachable")
	case o.Snapshot == nil:
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityUnknown, Text: "not read yet"})
		markTypesUnknown(&ca, "not read yet")
	default:
		assessSnapshot(now, *o.Snapshot, th, &ca)
	}
	return ca
}

// errorWords is the text of a failed poll. Only a transport failure (no
// connection, timeout, TLS) is "unreachable"; a cluster that answered HTTP
// with an error gets its class word ("permission denied", "server error
// 503"), never "unreachable", and no word is said twice.
func errorWords(err error) string {
	text := errorSummary(err)
	var e *Error
	transport := !errors.As(err, &e)
	if e != nil {
		switch e.Class {
		case ErrUnreachable, ErrTimeout, ErrTLS, ErrCanceled, ErrUnknownClass:
			// A scheme mismatch got an answer, in the other scheme.
			transport = e.StatusCode == 0 && e.schemeMismatch() == ""
		case ErrServer:
			if e.StatusCode != 0 {
				text = fmt.Sprintf("server error %d", e.StatusCode)
			}
		}
	}
	if transport && !strings.HasPrefix(text, "unreachable") {
		text = "unreachable: " + text
	}
	return text
}

// errorDo is the what-to-do of a failed read: the error class's hint.
func errorDo(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint()
	}
	return classHint(ClassOf(err))
}

// errorSummary is the one-line text of an error for a reason: the class
// summary for ops errors (their Detail may be long), the text otherwise.
func errorSummary(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Summary()
	}
	return redactSecrets(err.Error())
}

func markTypesUnknown(ca *ClusterAssessment, why string) { markTypes(ca, SeverityUnknown, why) }

func markTypes(ca *ClusterAssessment, sev Severity, why string) {
	for _, ta := range []*TypeAssessment{&ca.Performance, &ca.DR} {
		ta.Severity = sev
		ta.Reasons = []Reason{{Severity: sev, Text: why}}
	}
}

func assessSnapshot(now time.Time, s Snapshot, th Thresholds, ca *ClusterAssessment) {
	ca.Reasons = append(ca.Reasons, healthReasons(s.Health)...)
	// Ages of this cluster's heartbeats are measured on its own clock.
	var off time.Duration
	now, off = ClusterNow(now, s)
	if absDuration(off) > ClockOffsetShown {
		_, src := clockOf(s)
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityOK,
			Text: fmt.Sprintf("clock %s %s this machine's (%s); its ages are measured on its own clock", formatDuration(absDuration(off)), map[bool]string{true: "ahead of", false: "behind"}[off > 0], src)})
	}
	if s.Replication == nil {
		assessUnreadReplication(s, ca)
		return
	}
	r := s.Replication
	ca.Reachable = true
	switch {
	case r.CommunityEdition:
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityNA, Text: "no replication (Community Edition)"})
		markTypes(ca, SeverityNA, "no replication (Community Edition)")
		return
	case r.Unsupported:
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityNA, Text: "no replication: unsupported by this Vault Enterprise licence"})
		markTypes(ca, SeverityNA, "unsupported by this licence")
		return
	}
	if r.DR.Mode == ModeSecondary {
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityOK, Text: "DR secondary: only status endpoints answer until it is promoted"})
	}
	ver := ""
	if s.Health != nil {
		ver = s.Health.Version
	}
	tok := tokenCtx{issued: s.Issued, off: off}
	ca.Performance = assessType(now, r.Performance, th, ver, tok)
	ca.DR = assessType(now, r.DR, th, ver, tok)
}

// assessUnreadReplication handles a snapshot with health but no replication
// status: the error's class decides whether that is the cluster's own state
// (sealed: critical, already reported by health; CE: nothing to judge) or a
// failure to read.
func assessUnreadReplication(s Snapshot, ca *ClusterAssessment) {
	switch ClassOf(s.ReplicationErr) {
	case ErrSealed:
		ca.Reachable = true
		if s.Health == nil || !s.Health.Sealed {
			ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityCritical, Text: sealedText, Do: doUnseal})
		}
		markTypesUnknown(ca, "replication status is unavailable while sealed")
	case ErrCommunityEdition:
		ca.Reachable = true
		ca.Reasons = append(ca.Reasons, Reason{Severity: SeverityNA, Text: "no replication (Community Edition)"})
		markTypes(ca, SeverityNA, "no replication (Community Edition)")
	default:
		ca.Err = s.ReplicationErr
		sev := SeverityUnknown
		if s.Health != nil {
			// sys/health answered: the cluster is reachable, but its
			// replication cannot be seen, which needs attention.
			ca.Reachable, sev = true, SeverityWarning
		}
		ca.Reasons = append(ca.Reasons, Reason{Severity: sev, Text: "replication status unreadable: " + errorWords(s.ReplicationErr)})
		markTypesUnknown(ca, "replication status unreadable")
	}
}

const sealedText = "sealed: Vault serves nothing and replication stops until it is unsealed"

// What to do, per finding class.
const (
	doUnseal    = "unseal it: vault operator unseal (once per key share, on every node)"
	doPartition = "check port 8201 between the two clusters both ways, and the heartbeats; then vault write -f sys/replication/recover on the secondary"
)

// healthReasons are the node-level findings of sys/health.
func healthReasons(h *Health) []Reason {
	if h == nil {
		return nil
	}
	var rs []Reason
	add := func(s Severity, text string) { rs = append(rs, Reason{Severity: s, Text: text}) }
	switch {
	case !h.Initialized:
		add(SeverityWarning, "not initialised")
	case h.Sealed:
		rs = append(rs, Reason{Severity: SeverityCritical, Text: sealedText, Do: doUnseal})
	}
	if h.RemovedFromCluster {
		add(SeverityCritical, "node removed from its Raft cluster")
	}
	if h.HasHAConnectionHealthy && !h.HAConnectionHealthy {
		add(SeverityWarning, "standby has lost its connection to the active node")
	}
	switch {
	case h.Sealed:
		// A sealed node also reports standby: true; sealed is what it is.
	case h.PerformanceStandby:
		add(SeverityOK, "performance standby node: serves reads, forwards writes to the active node")
	case h.Standby:
		add(SeverityOK, "standby node: requests are forwarded to the active node")
	}
	if h.License != nil && h.License.Terminated {
		add(SeverityCritical, "licence terminated")
	}
	return rs
}

// assessType judges one replication type on one cluster. ver is the node's
// version, for saying which fields it does not report.
// tokenCtx is what judging unused activation tokens needs besides the
// status: the tokens this process generated and the cluster's clock offset.
type tokenCtx struct {
	issued []IssuedToken
	off    time.Duration
}

func assessType(now time.Time, ts TypeStatus, th Thresholds, ver string, tok tokenCtx) TypeAssessment {
	var rs []Reason
	switch ts.Mode {
	case ModeDisabled:
		rs = append(rs, Reason{Severity: SeverityOK, Text: "not enabled"})
	case ModeUnsupported:
		rs = append(rs, Reason{Severity: SeverityUnknown, Text: "unsupported by this licence"})
	case ModeBootstrapping:
		rs = append(rs, Reason{Severity: SeveritySyncing, Text: "bootstrapping: replication is being set up"})
	case ModePrimary:
		rs = append(rs, primaryReasons(now, ts, th, ver, tok)...)
	case ModeSecondary:
		rs = append(rs, secondaryReasons(now, ts, th, ver)...)
	default:
		rs = append(rs, Reason{Severity: SeverityUnknown, Text: unknownValue("mode", ts.RawMode)})
	}
	rs = append(rs, merkleReasons(ts)...)
	return TypeAssessment{Type: ts.Type, Severity: worstOf(rs), Reasons: rs, NotReported: ts.NotReported()}
}

// ClockOffsetShown is the offset between a cluster's clock and this
// machine's beyond which it is shown, and beyond which a heartbeat "in the
// future" is an anomaly (server_time_utc has whole seconds).
const ClockOffsetShown = 2 * time.Second

// ClusterNow is now on the cluster's own clock: the snapshot's ServerClock
// (sys/health's server_time_utc, else the HTTP Date header) plus the time
// since it was read. A snapshot not built by a Client (no ClockSource) uses
// its Health's server_time_utc. Offsets up to ClockOffsetShown (NTP drift,
// whole seconds, the read's duration) are ignored. off is the cluster's
// clock minus this machine's.
func ClusterNow(now time.Time, s Snapshot) (clusterNow time.Time, off time.Duration) {
	clock, _ := clockOf(s)
	if clock.IsZero() || s.FetchedAt.IsZero() {
		return now, 0
	}
	off = clock.Sub(s.FetchedAt.Truncate(time.Second))
	if absDuration(off) <= ClockOffsetShown {
		return now, 0
	}
	return now.Add(off), off
}

// clockOf is the cluster's clock reading of a snapshot and its source.
func clockOf(s Snapshot) (time.Time, ClockSource) {
	switch {
	case s.ClockSource != "":
		return s.ServerClock, s.ClockSource
	case s.Health != nil && !s.Health.ServerTime.IsZero():
		return s.Health.ServerTime, ClockServerTime
	}
	return time.Time{}, ClockNone
}

// ClockOffset is the cluster's clock minus this machine's, as ClusterNow
// measures it (0 within ClockOffsetShown), and its source; ok is false when
// the snapshot carries no clock of the cluster.
func ClockOffset(s Snapshot) (off time.Duration, src ClockSource, ok bool) {
	clock, src := clockOf(s)
	if clock.IsZero() || s.FetchedAt.IsZero() {
		return 0, src, false
	}
	_, off = ClusterNow(s.FetchedAt, s)
	return off, src, true
}

// NotReportedBy is how a field the node's version leaves out is described:
// "not reported by Vault 1.4.7+prem" (or "by this Vault version" when the
// version is unknown too).
func NotReportedBy(version string) string {
	if version == "" {
		return "not reported by this Vault version"
	}
	return "not reported by Vault " + version
}

func unknownValue(field, raw string) string {
	if raw == "" {
		return field + " not reported"
	}
	return fmt.Sprintf("unrecognised %s %q", field, raw)
}

func primaryReasons(now time.Time, ts TypeStatus, th Thresholds, ver string, tok tokenCtx) []Reason {
	var rs []Reason
	switch ts.State {
	case StateUnknown:
		if !ts.HasState {
			// Before 1.5 a primary sends no state (HashiCorp API docs
			// sample, 2020; hashicorp/vault#5565, 2018): it is a primary,
			// judged by what it does send.
			rs = append(rs, Reason{Severity: SeverityOK, Text: "primary (state " + NotReportedBy(ver) + ")"})
			break
		}
		rs = append(rs, Reason{Severity: SeverityUnknown, Text: unknownValue("state", ts.RawState)})
	case StateRunning, StateReady:
		rs = append(rs, Reason{Severity: SeverityOK, Text: "running"})
	case StateIdle, StateTransientFailure, StateShutdown:
		rs = append(rs, Reason{Severity: SeverityCritical, Text: fmt.Sprintf("state %s: replication is not running (check the server logs)", ts.State)})
	default:
		rs = append(rs, Reason{Severity: SeverityUnknown, Text: fmt.Sprintf("unexpected state %q for a primary", ts.RawState)})
	}
	seen := map[string]bool{}
	for _, p := range ts.Secondaries {
		seen[p.NodeID] = true
		rs = append(rs, peerReasons(now, p, "secondary "+p.ID(), th)...)
	}
	if !ts.HasSecondaries {
		// Without secondaries[] (before 1.5) the primary says nothing about
		// connections: a known secondary is not "never connected", its own
		// status tells (the links judge it from there).
		return rs
	}
	for _, id := range ts.KnownSecondaries {
		if !seen[id] {
			rs = append(rs, unusedTokenReason(now, tok.off, ts.Type, id, tok.issued))
		}
	}
	return rs
}

func secondaryReasons(now time.Time, ts TypeStatus, th Thresholds, ver string) []Reason {
	rs := []Reason{secondaryState(ts, ver)}
	switch ts.ConnectionState {
	case ConnReady:
	case ConnConnecting:
		rs = append(rs, Reason{Severity: SeveritySyncing, Text: "connection to the primary: connecting"})
	case ConnIdle, ConnTransientFailure, ConnShutdown:
		rs = append(rs, Reason{Severity: SeverityCritical, Text: "connection to the primary: " + ts.ConnectionState.String(), Do: doPartition})
	default:
		if ts.RawConnection != "" {
			rs = append(rs, Reason{Severity: SeverityUnknown, Text: unknownValue("connection_state", ts.RawConnection)})
		}
	}
	// Absent (nil) is an older Vault; present and empty is the documented
	// symptom of a secondary that has lost track of its primary.
	if ts.KnownPrimaryClusterAddrs != nil && len(ts.KnownPrimaryClusterAddrs) == 0 {
		rs = append(rs, Reason{Severity: SeverityWarning, Text: "no known primary cluster addresses"})
	}
	for _, p := range ts.Primaries {
		rs = append(rs, peerReasons(now, p, "primary "+p.ID(), th)...)
	}
	return rs
}

func secondaryState(ts TypeStatus, ver string) Reason {
	if !ts.HasState {
		// Judge by the connection when the state is not sent.
		switch {
		case ts.ConnectionState == ConnReady || connectedPeer(ts.Primaries):
			return Reason{Severity: SeverityOK, Text: "connected to the primary (state " + NotReportedBy(ver) + ")"}
		}
		return Reason{Severity: SeverityUnknown, Text: "state " + NotReportedBy(ver)}
	}
	switch ts.State {
	case StateStreamWALs:
		return Reason{Severity: SeverityOK, Text: "streaming WALs"}
	case StateMerkleDiff:
		return Reason{Severity: SeveritySyncing, Text: "merkle-diff: comparing merkle trees with the primary"}
	case StateMerkleSync:
		text := "merkle-sync: copying the keys that differ"
		if p := ts.MerkleSync; p != nil && p.TotalKeys > 0 {
			text += fmt.Sprintf(" (%d of %d, %s)", p.Progress, p.TotalKeys, percent(p.Progress, p.TotalKeys))
		}
		return Reason{Severity: SeveritySyncing, Text: text}
	case StateConnecting:
		return Reason{Severity: SeveritySyncing, Text: "connecting to the primary"}
	case StateIdle:
		return Reason{Severity: SeverityCritical, Text: "state idle: not replicating (a demoted primary stays idle until update-primary)",
			Do: "point it at the current primary: vault write sys/replication/" + ts.Type.String() + "/secondary/update-primary token=<new activation token>"}
	case StateTransientFailure, StateShutdown:
		return Reason{Severity: SeverityCritical, Text: fmt.Sprintf("state %s: not replicating", ts.State), Do: doPartition}
	case StateUnknown:
		return Reason{Severity: SeverityUnknown, Text: unknownValue("state", ts.RawState)}
	}
	return Reason{Severity: SeverityUnknown, Text: fmt.Sprintf("unexpected state %q for a secondary", ts.RawState)}
}

func merkleReasons(ts TypeStatus) []Reason {
	var rs []Reason
	if ts.CorruptedMerkleTree {
		rs = append(rs, Reason{Severity: SeverityCritical, Text: "merkle tree corrupted: run merkle-check, then reindex (secondary first)",
			Do: "vault write -f sys/replication/merkle-check, then vault write -f sys/replication/reindex (secondaries first)"})
	}
	if ri := ts.Reindex; ri != nil && ri.InProgress {
		text := "reindex in progress"
		if ri.Stage != "" {
			text += " (" + ri.Stage
			if ri.BuildingTotal > 0 {
				text += " " + percent(ri.BuildingProgress, ri.BuildingTotal)
			}
			text += ")"
		}
		if ts.Mode == ModePrimary {
			rs = append(rs, Reason{Severity: SeverityWarning, Text: text + ": the primary is unusable until it finishes"})
		} else {
			rs = append(rs, Reason{Severity: SeveritySyncing, Text: text})
		}
	}
	return rs
}

func connectedPeer(peers []Peer) bool {
	for _, p := range peers {
		if p.Status == PeerConnected {
			return true
		}
	}
	return false
}

// peerReasons are the findings about one peer entry, from the reporting
// cluster's side.
func peerReasons(now time.Time, p Peer, label string, th Thresholds) []Reason {
	var rs []Reason
	switch p.Status {
	case PeerDisconnected:
		return append(rs, Reason{Severity: SeverityCritical, Text: label + " disconnected", Do: doPartition})
	case PeerUnknown:
		if p.RawStatus != "" {
			rs = append(rs, Reason{Severity: SeverityUnknown, Text: label + ": " + unknownValue("connection_status", p.RawStatus)})
		}
	}
	if p.HeartbeatUnparsable {
		rs = append(rs, Reason{Severity: SeverityWarning, Text: label + ": last_heartbeat is not a time Vault would send"})
	}
	if !p.LastHeartbeat.IsZero() && now.Sub(p.LastHeartbeat) < -ClockOffsetShown {
		rs = append(rs, Reason{Severity: SeverityWarning, Text: fmt.Sprintf("%s: last heartbeat %s in the future (a clock is wrong)", label, formatDuration(p.LastHeartbeat.Sub(now))),
			Do: "check NTP on both clusters"})
	}
	if !p.LastHeartbeat.IsZero() {
		age := now.Sub(p.LastHeartbeat)
		if sev, ok := overThreshold(age, th.HeartbeatWarn, th.HeartbeatCrit); ok {
			rs = append(rs, Reason{Severity: sev, Text: fmt.Sprintf("%s: last heartbeat %s ago", label, formatDuration(age))})
		}
	}
	if p.HasClockSkew && th.ClockSkewWarn > 0 && absDuration(p.ClockSkew) > th.ClockSkewWarn {
		rs = append(rs, Reason{Severity: SeverityWarning, Text: fmt.Sprintf("%s: clock skew %s", label, formatDuration(p.ClockSkew))})
	}
	if p.HasCanaryAge {
		if sev, ok := overThreshold(p.CanaryAge, th.CanaryAgeWarn, th.CanaryAgeCrit); ok {
			rs = append(rs, Reason{Severity: sev, Text: fmt.Sprintf("%s: newest replication canary %s old", label, formatDuration(p.CanaryAge))})
		}
	}
	return rs
}

// overThreshold compares v with a warning and a critical threshold (zero
// disables either).
func overThreshold(v, warn, crit time.Duration) (Severity, bool) {
	switch {
	case crit > 0 && v > crit:
		return SeverityCritical, true
	case warn > 0 && v > warn:
		return SeverityWarning, true
	}
	return SeverityOK, false
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// formatDuration rounds for reading: milliseconds below a second, whole
// seconds up to two days ("4m10s"), then days and hours ("20792d13h", not
// "499022h13m5s", which is what a server claiming server_time_utc 0 would
// otherwise read as).
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if a := absDuration(d); a >= 2*day {
		sign := ""
		if d < 0 {
			sign = "-"
		}
		return fmt.Sprintf("%s%dd%dh", sign, a/day, (a%day)/time.Hour)
	}
	if absDuration(d) >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

func percent(part, total uint64) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(total))
}
