package ops

import (
	"strings"
	"time"
)

// ReplicationType is performance or DR replication.
type ReplicationType int

const (
	// Performance is performance replication (sys/replication/performance).
	Performance ReplicationType = iota
	// DR is disaster-recovery replication (sys/replication/dr).
	DR
)

// ReplicationTypes lists both types in display order.
var ReplicationTypes = [...]ReplicationType{Performance, DR}

// String returns the path segment Vault uses: "performance" or "dr".
func (t ReplicationType) String() string {
	if t == DR {
		return "dr"
	}
	return "performance"
}

// Title returns the name people use: "Performance" or "DR".
func (t ReplicationType) Title() string {
	if t == DR {
		return "DR"
	}
	return "Performance"
}

// ParseReplicationType accepts "performance"/"perf"/"pr" and "dr".
func ParseReplicationType(s string) (ReplicationType, bool) {
	switch s {
	case "performance", "perf", "pr", "Performance":
		return Performance, true
	case "dr", "DR":
		return DR, true
	}
	return Performance, false
}

// Mode is a replication type's mode on one cluster.
type Mode int

const (
	// ModeUnknown is a value vaultrepl does not know (or "unknown" itself).
	ModeUnknown Mode = iota
	// ModeDisabled means this type is not in use ({"mode":"disabled"}).
	ModeDisabled
	// ModePrimary is a primary of a replication set.
	ModePrimary
	// ModeSecondary is a secondary of a replication set (or a demoted primary).
	ModeSecondary
	// ModeBootstrapping is the transient mode while enabling.
	ModeBootstrapping
	// ModeUnsupported is an Enterprise licence or build without replication.
	ModeUnsupported
)

var modeNames = [...]string{"unknown", "disabled", "primary", "secondary", "bootstrapping", "unsupported"}

// String returns Vault's spelling of the mode.
func (m Mode) String() string {
	if int(m) >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "unknown"
}

// ParseMode maps Vault's mode string to a Mode; unknown strings give ModeUnknown.
func ParseMode(s string) Mode {
	for i, n := range modeNames {
		if n == s {
			return Mode(i)
		}
	}
	return ModeUnknown
}

// State is the replication state of one type on one cluster ("state").
type State int

const (
	// StateUnknown is an absent or unrecognised state.
	StateUnknown State = iota
	// StateRunning is a healthy primary.
	StateRunning
	// StateReady is reported by some versions as a healthy state.
	StateReady
	// StateStreamWALs is a healthy, streaming secondary.
	StateStreamWALs
	// StateMerkleDiff is a secondary comparing merkle trees.
	StateMerkleDiff
	// StateMerkleSync is a secondary copying the differing keys.
	StateMerkleSync
	// StateConnecting is a secondary (re)connecting.
	StateConnecting
	// StateIdle is a broken or unconnected link (also a demoted primary).
	StateIdle
	// StateTransientFailure is a failed connection that will be retried.
	StateTransientFailure
	// StateShutdown is a connection shut down on request or after a fatal error.
	StateShutdown
)

var stateNames = [...]string{"", "running", "ready", "stream-wals", "merkle-diff", "merkle-sync", "connecting", "idle", "transient_failure", "shutdown"}

// String returns Vault's spelling of the state ("" for StateUnknown).
func (s State) String() string {
	if int(s) >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return ""
}

// ParseState maps Vault's state string to a State; unknown strings give StateUnknown.
func ParseState(s string) State {
	for i, n := range stateNames {
		if i > 0 && n == s {
			return State(i)
		}
	}
	return StateUnknown
}

// ConnectionState is a secondary's gRPC channel state to its primary ("connection_state").
type ConnectionState int

const (
	// ConnUnknown is absent (primaries, older Vault) or unrecognised.
	ConnUnknown ConnectionState = iota
	// ConnReady is a working connection.
	ConnReady
	// ConnConnecting is a connection being established.
	ConnConnecting
	// ConnIdle is no connection.
	ConnIdle
	// ConnTransientFailure is a failed connection that will be retried.
	ConnTransientFailure
	// ConnShutdown is a connection shut down for good.
	ConnShutdown
)

var connNames = [...]string{"", "ready", "connecting", "idle", "transient_failure", "shutdown"}

// String returns Vault's spelling ("" for ConnUnknown).
func (c ConnectionState) String() string {
	if int(c) >= 0 && int(c) < len(connNames) {
		return connNames[c]
	}
	return ""
}

// ParseConnectionState maps Vault's connection_state string.
func ParseConnectionState(s string) ConnectionState {
	for i, n := range connNames {
		if i > 0 && n == s {
			return ConnectionState(i)
		}
	}
	return ConnUnknown
}

// PeerStatus is a peer's "connection_status".
type PeerStatus int

const (
	// PeerUnknown is absent or unrecognised.
	PeerUnknown PeerStatus = iota
	// PeerConnected is a connected peer.
	PeerConnected
	// PeerDisconnected is a peer that is not connected.
	PeerDisconnected
)

var peerNames = [...]string{"", "connected", "disconnected"}

// String returns Vault's spelling ("" for PeerUnknown).
func (p PeerStatus) String() string {
	if int(p) >= 0 && int(p) < len(peerNames) {
		return peerNames[p]
	}
	return ""
}

// ParsePeerStatus maps Vault's connection_status string.
func ParsePeerStatus(s string) PeerStatus {
	for i, n := range peerNames {
		if i > 0 && n == s {
			return PeerStatus(i)
		}
	}
	return PeerUnknown
}

// Peer is one entry of secondaries[] (on a primary) or primaries[] (on a secondary).
type Peer struct {
	NodeID         string // secondaries[] only: the activation token id
	APIAddress     string
	ClusterAddress string
	Status         PeerStatus
	RawStatus      string
	LastHeartbeat  time.Time // zero when absent
	// HeartbeatUnparsable is a last_heartbeat that is present but not a time.
	HeartbeatUnparsable bool
	// The three durations come from millisecond strings; Has* tells absent from zero.
	LastHeartbeatDuration    time.Duration
	HasLastHeartbeatDuration bool
	ClockSkew                time.Duration
	HasClockSkew             bool
	CanaryAge                time.Duration
	HasCanaryAge             bool
	// Extra holds fields this version of vaultrepl does not know.
	Extra map[string]any
}

// ID returns the peer's identity for display: its node_id (secondaries[]) or,
// for primaries[] entries, which carry none, its API or cluster address.
func (p Peer) ID() string {
	switch {
	case p.NodeID != "":
		return p.NodeID
	case p.APIAddress != "":
		return p.APIAddress
	}
	return p.ClusterAddress
}

// SyncProgress is merkle_sync_progress, present only in merkle-sync.
type SyncProgress struct {
	Progress  uint64
	TotalKeys uint64
}

// Reindex is the reindex_* fields, present only while a reindex runs.
type Reindex struct {
	InProgress       bool
	Stage            string
	BuildingProgress uint64
	BuildingTotal    uint64
}

// TypeStatus is one replication type's object from sys/replication/status.
// Every documented field is kept; Extra holds any field Vault adds later.
type TypeStatus struct {
	Type            ReplicationType
	Mode            Mode
	RawMode         string // as Vault sent it, for display when Mode is Unknown
	State           State
	RawState        string
	ConnectionState ConnectionState
	RawConnection   string

	ClusterID          string
	PrimaryClusterAddr string
	MerkleRoot         string

	// HasState, HasConnectionState, HasLastWAL… say whether Vault sent the
	// field at all: versions differ (before 1.5 a primary sends no state and
	// no secondaries[], a secondary no primaries[]; before 1.13 no
	// connection_state), and an absent field is unknown, never zero or empty.
	HasState              bool
	HasConnectionState    bool
	HasLastWAL            bool
	HasLastPerformanceWAL bool
	HasLastDRWAL          bool
	HasKnownSecondaries   bool
	HasSecondaries        bool
	HasKnownPrimaryAddrs  bool
	HasPrimaries          bool

	CorruptedMerkleTree      bool
	HasCorruptionCheck       bool      // corrupted_merkle_tree present (1.15+)
	LastCorruptionCheck      time.Time // zero = never checked ("-62135596800")
	LastReindex              time.Time // zero = never ("0")
	SSCTGenerationCounter    uint64
	LastStart                time.Time // secondaries: when replication (re)started
	LastWAL                  uint64
	LastPerformanceWAL       uint64 // performance primaries
	LastDRWAL                uint64 // DR primaries
	LastRemoteWAL            uint64 // secondaries
	HasLastRemoteWAL         bool
	KnownSecondaries         []string
	Secondaries              []Peer
	SecondaryID              string
	KnownPrimaryClusterAddrs []string
	Primaries                []Peer
	MerkleSync               *SyncProgress
	Reindex                  *Reindex

	// Extra holds fields this version of vaultrepl does not know.
	Extra map[string]any
	// Anomalies lists fields whose JSON type differed from the reference
	// ("performance.last_remote_wal: expected a number, got a string"). The
	// value was converted when its meaning was unambiguous, else ignored:
	// one odd field never makes the whole status unreadable.
	Anomalies []string
}

// Enabled reports whether this type takes part in replication (primary,
// secondary or on its way there).
func (s TypeStatus) Enabled() bool {
	switch s.Mode {
	case ModePrimary, ModeSecondary, ModeBootstrapping:
		return true
	}
	return false
}

// PrimaryWAL returns the WAL index to display for a primary:
// last_performance_wal or last_dr_wal, falling back to last_wal; 0 when none
// was sent (PrimaryWALReported tells absent from 0).
func (s TypeStatus) PrimaryWAL() uint64 {
	switch {
	case s.Type == Performance && s.LastPerformanceWAL != 0:
		return s.LastPerformanceWAL
	case s.Type == DR && s.LastDRWAL != 0:
		return s.LastDRWAL
	}
	return s.LastWAL
}

// PrimaryWALReported returns last_performance_wal or last_dr_wal, falling
// back to last_wal (the only one Vault sent before those two appeared). ok is
// false when the primary sent none of them.
func (s TypeStatus) PrimaryWALReported() (wal uint64, ok bool) {
	switch {
	case s.Type == Performance && s.HasLastPerformanceWAL:
		return s.LastPerformanceWAL, true
	case s.Type == DR && s.HasLastDRWAL:
		return s.LastDRWAL, true
	}
	return s.LastWAL, s.HasLastWAL
}

// NotReported lists the fields this type's mode documents that Vault did not
// send: older versions leave them out (a 1.4 primary has no state and no
// secondaries[]). The judge says "not reported" for them instead of
// inventing a value; the detail view and `status --json` show them.
func (s TypeStatus) NotReported() []string {
	var out []string
	add := func(has bool, field string) {
		if !has {
			out = append(out, field)
		}
	}
	switch s.Mode {
	case ModePrimary:
		add(s.HasState, "state")
		add(s.HasLastWAL || s.HasLastPerformanceWAL || s.HasLastDRWAL, "last_wal")
		add(s.HasKnownSecondaries, "known_secondaries")
		add(s.HasSecondaries, "secondaries")
	case ModeSecondary:
		add(s.HasState, "state")
		add(s.HasConnectionState, "connection_state")
		add(s.HasLastRemoteWAL, "last_remote_wal")
		add(s.HasKnownPrimaryAddrs, "known_primary_cluster_addrs")
		add(s.HasPrimaries, "primaries")
	}
	return out
}

// Replication is the data of sys/replication/status.
type Replication struct {
	// Unsupported is the top-level {"mode":"unsupported"} shape.
	Unsupported bool
	// CommunityEdition is the top-level {"mode":"disabled"} shape that only CE sends.
	CommunityEdition bool
	Performance      TypeStatus
	DR               TypeStatus
	// Extra holds unknown keys of data besides dr, performance and mode.
	Extra map[string]any
}

// Of returns the status of one type.
func (r Replication) Of(t ReplicationType) TypeStatus {
	if t == DR {
		return r.DR
	}
	return r.Performance
}

// License is sys/health's license object (Enterprise only).
type License struct {
	State      string
	ExpiryTime time.Time
	Terminated bool
}

// Health is sys/health, read with every status-code override so that sealed,
// standby and DR-secondary nodes answer with data rather than an error.
type Health struct {
	Initialized        bool
	Sealed             bool
	Standby            bool
	PerformanceStandby bool
	PerformanceMode    Mode // a hint only: trust sys/replication/status
	DRMode             Mode
	ServerTime         time.Time
	Version            string
	Enterprise         bool
	// HasEnterprise tells an absent "enterprise" (before 1.16; Enterprise
	// builds are then known by their version suffix) from false.
	HasEnterprise bool
	ClusterName   string
	ClusterID     string
	LastWAL       uint64
	License       *License
	EchoDuration  time.Duration
	ClockSkew     time.Duration
	CanaryAge     time.Duration
	// RemovedFromCluster is set on a Raft node removed from its cluster (newer Vault).
	RemovedFromCluster bool
	// HAConnectionHealthy is a standby's view of its link to the active node;
	// meaningful only when HasHAConnectionHealthy (newer Vault, standbys).
	HAConnectionHealthy    bool
	HasHAConnectionHealthy bool
	// LastRequestForwardingHeartbeat is last_request_forwarding_heartbeat_ms.
	LastRequestForwardingHeartbeat time.Duration

	// Extra holds fields this version of vaultrepl does not know.
	Extra map[string]any
	// Anomalies lists fields whose JSON type differed from the reference.
	Anomalies []string
}

// DRSecondary reports whether the node says it is a DR secondary. It is a
// hint (sys/health derives it from a bitmask); trust sys/replication/status.
func (h Health) DRSecondary() bool { return h.DRMode == ModeSecondary }

// Edition is what the cluster turned out to be.
type Edition int

const (
	// EditionUnknown is not known yet.
	EditionUnknown Edition = iota
	// EditionEnterprise is Vault Enterprise.
	EditionEnterprise
	// EditionCommunity is Vault Community Edition (no replication).
	EditionCommunity
)

// String returns "enterprise", "community" or "unknown".
func (e Edition) String() string {
	switch e {
	case EditionEnterprise:
		return "enterprise"
	case EditionCommunity:
		return "community"
	}
	return "unknown"
}

// Snapshot is one poll of one cluster: sys/health plus sys/replication/status.
// Either half may be missing with its own classified error (a sealed cluster has
// health but no replication status); Status returns an error only when neither
// half could be read.
type Snapshot struct {
	FetchedAt      time.Time
	Took           time.Duration
	Health         *Health
	HealthErr      error
	Replication    *Replication
	ReplicationErr error
	// ServerClock is the cluster's own clock at about FetchedAt (whole
	// seconds): sys/health's server_time_utc when health was read in this
	// poll, else the HTTP Date header (RFC 9110 §6.6.1) of a reply of this
	// poll; zero when neither came. ClockSource names which ("" for a
	// snapshot not built by a Client, whose Health.ServerTime is then used).
	ServerClock time.Time
	ClockSource ClockSource
	// Issued are the activation tokens this process generated on the
	// cluster (Vault's status says only that an id is known, not since
	// when nor until when).
	Issued []IssuedToken
	// PathsFilterWrites counts the paths-filter writes this process sent
	// through the cluster's client (landed or not): when it moves, the
	// filters shown are out of date.
	PathsFilterWrites uint64
}

// Edition infers the edition from whatever was read.
func (s Snapshot) Edition() Edition {
	switch {
	case s.Replication != nil && s.Replication.CommunityEdition:
		return EditionCommunity
	case s.Health != nil && s.Health.HasEnterprise:
		if s.Health.Enterprise {
			return EditionEnterprise
		}
		return EditionCommunity
	case s.Health != nil && hasEntSuffix(s.Health.Version):
		// "enterprise" exists only from 1.16; older Enterprise builds are
		// known by their version suffix ("1.9.0+prem").
		return EditionEnterprise
	case s.Replication != nil:
		// Only Enterprise sends dr and performance objects (or "unsupported").
		return EditionEnterprise
	case s.Health != nil && s.Health.Version != "":
		return EditionCommunity
	}
	return EditionUnknown
}

func hasEntSuffix(v string) bool {
	// Enterprise builds carry a metadata suffix such as "+ent", "+prem" or "+ent.hsm".
	for _, suf := range []string{"+ent", "+prem", "+pro"} {
		if strings.Contains(v, suf) {
			return true
		}
	}
	return false
}

// ClockSource says where a Snapshot's ServerClock came from.
type ClockSource string

// Clock sources.
const (
	ClockServerTime ClockSource = "server_time_utc"
	ClockDateHeader ClockSource = "Date header"
	// ClockNone is a poll whose replies carried neither.
	ClockNone ClockSource = "none"
)
