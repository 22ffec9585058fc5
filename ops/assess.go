package ops

import "time"

// Severity is how healthy something is, judged at a glance.
type Severity int

const (
	// SeverityUnknown means there is not enough data to judge (unreachable, never read).
	SeverityUnknown Severity = iota
	// SeverityOK is healthy.
	SeverityOK
	// SeveritySyncing is healthy but catching up (merkle-diff, merkle-sync, bootstrapping).
	SeveritySyncing
	// SeverityWarning needs attention soon.
	SeverityWarning
	// SeverityCritical is broken now.
	SeverityCritical
	// SeverityNA is "not applicable": nothing to judge by design (Community
	// Edition, a licence without replication). Unknown is kept for "could
	// not tell"; n/a ranks with ok, as there is nothing to repair.
	SeverityNA
)

var severityNames = [...]string{"unknown", "ok", "syncing", "warning", "critical", "n/a"}

// String returns "ok", "syncing", "warning", "critical", "n/a" or "unknown".
func (s Severity) String() string {
	if int(s) >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity is the inverse of String.
func ParseSeverity(s string) Severity {
	for i, n := range severityNames {
		if n == s {
			return Severity(i)
		}
	}
	return SeverityUnknown
}

// rank orders severities for Worst: ok < syncing < unknown < warning < critical.
func (s Severity) rank() int {
	switch s {
	case SeverityOK, SeverityNA:
		return 0
	case SeveritySyncing:
		return 1
	case SeverityUnknown:
		return 2
	case SeverityWarning:
		return 3
	case SeverityCritical:
		return 4
	}
	return 2
}

// Worst returns the more severe of a and b.
func Worst(a, b Severity) Severity {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Reason is one finding behind a severity, phrased for an operator.
type Reason struct {
	Severity Severity
	Text     string // "secondary us-east-1 disconnected", "heartbeat 45s old"
	// Do is the one-line what-to-do of the finding's class, with the vault
	// command where one exists; "" for findings that need nothing.
	Do string
	// Since is when the finding was first seen, kept across polls by an
	// Onsets; zero until stamped (Assess itself is a pure function).
	Since time.Time
	// Offer is the guided action that clears the finding, as data (the
	// dashboard opens the wizard on it); the zero Offer is none.
	Offer Offer
}

// OfferKind names a guided action a finding offers.
type OfferKind int

const (
	// OfferNone: the finding offers nothing to run.
	OfferNone OfferKind = iota
	// OfferRevoke: revoke secondary SecondaryID of Type on the cluster
	// with the finding (its primary): an activation token never used.
	OfferRevoke
)

func (k OfferKind) String() string {
	if k == OfferRevoke {
		return "revoke"
	}
	return "none"
}

// Offer is what a finding offers to run: the action, the replication type
// and the secondary id it is for.
type Offer struct {
	Kind        OfferKind
	Type        ReplicationType
	SecondaryID string
}

// Thresholds tune the assessment; DefaultThresholds gives the defaults.
type Thresholds struct {
	HeartbeatWarn time.Duration // age of a peer's last heartbeat
	HeartbeatCrit time.Duration
	ClockSkewWarn time.Duration // absolute clock skew
	WALGapWarn    uint64        // primary WAL minus secondary last_remote_wal
	WALGapCrit    uint64
	CanaryAgeWarn time.Duration
	CanaryAgeCrit time.Duration
}

// TypeAssessment is the judgement of one replication type on one cluster.
type TypeAssessment struct {
	Type     ReplicationType
	Severity Severity
	Reasons  []Reason
	// NotReported lists the documented fields of this mode that the node's
	// version did not send (TypeStatus.NotReported): unknown, not judged.
	NotReported []string
	// Orphan is set on a secondary that streams (or says so) while its
	// primary cannot be its primary any more: why, for the topology.
	Orphan string
}

// Link is a primary→secondary replication link found by matching cluster_id and
// secondary_id/node_id across configured clusters.
type Link struct {
	Type        ReplicationType
	Primary     string // configured cluster name of the primary
	Secondary   string // configured cluster name of the secondary; "" when not configured
	SecondaryID string // the activation token id (node_id / secondary_id)
	Status      PeerStatus
	// WALGap is primary last_performance_wal/last_dr_wal minus secondary last_remote_wal,
	// valid only when both clusters are configured and read (HasWALGap).
	WALGap       int64
	HasWALGap    bool
	CanaryAge    time.Duration
	HasCanaryAge bool
	HeartbeatAge time.Duration // now minus last_heartbeat, when HasHeartbeatAge
	// HasHeartbeatAge tells a heartbeat that arrived just now (age 0) from none.
	HasHeartbeatAge bool
	InSync          bool // merkle roots equal
	// LagSeverity is the lag's own judgement (the glyph and colour of
	// "lag 8 WAL"), unknown when the lag is not meaningful.
	LagSeverity Severity
	// LagUnknown says why a configured secondary's lag is not a number.
	LagUnknown string
	// CaughtUp: the secondary had received at least the WAL index its
	// primary reported, read a moment earlier. The lag is still not a number
	// (it would be negative, and a clamped 0 would claim a measurement), but
	// the secondary is not behind what we saw of the primary: it is shown as
	// "caught up" rather than "lag ? WAL", which flickers on healthy links
	// whenever the two reads straddle a write.
	CaughtUp bool
	Severity Severity
	// Reasons explain Severity (disconnected, lag, heartbeat age, never connected).
	Reasons []Reason
	// Stale marks a link taken from the primary's last good snapshot while its
	// latest poll failed: shown, but not judged (Severity is unknown).
	Stale bool
}

// ClusterAssessment is the judgement of one cluster.
type ClusterAssessment struct {
	Name string
	// Reachable is true when the cluster's replication state could be
	// determined now: the latest poll succeeded and either returned the
	// replication status or failed for a reason the cluster's own state
	// explains (sealed, Community Edition, unsupported licence).
	Reachable bool
	Severity  Severity // worst of both types and the cluster-level Reasons
	// Reasons are findings about the node rather than one type: sealed,
	// unreachable, Community Edition, standby, not initialised.
	Reasons     []Reason
	Performance TypeAssessment
	DR          TypeAssessment
	// Err is the classified error behind an unreachable or unreadable cluster.
	Err error
}

// Of returns the assessment of one type.
func (c ClusterAssessment) Of(t ReplicationType) TypeAssessment {
	if t == DR {
		return c.DR
	}
	return c.Performance
}

// Observation is what is known about one configured cluster when assessing:
// the last good snapshot (nil if never read) and the latest error (nil if the
// latest poll succeeded).
type Observation struct {
	Name string
	// Address is the configured API address, used to recognise a
	// secondary's primary by the api_address its primaries[] gives; may be "".
	Address  string
	Snapshot *Snapshot
	Err      error
}

// Report is the assessment of every configured cluster and the links between them.
type Report struct {
	Clusters []ClusterAssessment // in the order of the observations
	Links    []Link
	// SplitBrains are the replication sets with more than one primary.
	SplitBrains []SplitBrain
	Worst       Severity
	// NextChange is the earliest time at which assessing the same
	// observations again could give another report (an age crossing a
	// threshold, or an age written in a reason reaching its next rounded
	// value); zero when only new observations can change it. A dashboard
	// judges again then, not on every clock tick.
	NextChange time.Time
}
