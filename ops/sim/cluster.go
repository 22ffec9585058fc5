package sim

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"fmt"
	"net/http"
	"time"
)

// replType is performance or DR replication.
type replType int

const (
	perfType replType = iota
	drType
)

// String is the path segment Vault uses for the type.
func (t replType) String() string {
	if t == drType {
		return "dr"
	}
	return "performance"
}

// label is how the type reads in a sentence.
func (t replType) label() string {
	if t == drType {
		return "DR"
	}
	return "performance"
}

// Replication modes and states, as Vault spells them
// (sdk/helper/consts/replication.go; the state values of
// https://developer.hashicorp.com/vault/api-docs/system/replication).
const (
	modeDisabled      = "disabled"
	modeBootstrapping = "bootstrapping"
	modePrimary       = "primary"
	modeSecondary     = "secondary"

	stateRunning    = "running"
	stateIdle       = "idle"
	stateStreamWALs = "stream-wals"
	stateMerkleDiff = "merkle-diff"
	stateMerkleSync = "merkle-sync"

	connReady            = "ready"
	connConnecting       = "connecting"
	connIdle             = "idle"
	connTransientFailure = "transient_failure"
)

// secPhase is where a secondary is in its connect → diff → sync → stream cycle.
type secPhase int

const (
	phaseConnecting secPhase = iota
	phaseDiff
	phaseSync
	phaseStream
)

// Timings of the simulated state machines. Vault documents "a brief period"
// without a number; these keep every transition visible on a dashboard that
// polls every two seconds while a manual-clock test still runs in milliseconds.
const (
	quantum           = 250 * time.Millisecond // the model's step
	bootstrapTime     = 2 * time.Second        // mode "bootstrapping" after an enable
	roleChangeOutage  = 2 * time.Second        // 503s after enable, demote, promote, disable
	connectTime       = 1 * time.Second        // one connection attempt
	retryBackoff      = 4 * time.Second        // between failed connection attempts
	merkleDiffTime    = 2 * time.Second        // one merkle-diff pass
	syncKeysPerSecond = 400                    // merkle-sync copy rate
	heartbeatEvery    = 5 * time.Second        // replication heartbeat interval
	canaryEvery       = time.Second            // replication_canary_write_interval_seconds default
	reindexTime       = 6 * time.Second        // a reindex of the lab's small trees
	defaultLinkRTT    = 5 * time.Millisecond   // one-way latency between lab clusters
	defaultTokenTTL   = 30 * time.Minute       // secondary-token ttl default
	loginTokenTTL     = 768 * time.Hour        // Vault's default max TTL, the userpass token TTL
)

// peerRecord is a primary's memory of a secondary that connected with an ID.
type peerRecord struct {
	cluster       string // lab cluster name
	lastHeartbeat time.Time
	connected     bool
}

type pathsFilter struct {
	mode  string
	paths []string
}

// role is one cluster's performance or DR replication role: the state machine
// of modes (disabled, bootstrapping, primary, secondary) and states (running,
// stream-wals, merkle-diff, merkle-sync, idle), plus what a primary knows
// about its secondaries and what a
// secondary knows about its primary.
type role struct {
	typ                 replType
	mode                string
	bootTo              string // the mode bootstrapping ends in
	bootUntil           time.Time
	clusterID           string // the replication set's ID, shared by primary and secondaries
	primaryClusterAddr  string
	state               string
	corrupted           bool
	lastCorruptionCheck time.Time
	lastReindex         time.Time

	// primary side
	known   []string // known_secondaries: IDs of non-revoked activation tokens
	peers   map[string]*peerRecord
	filters map[string]pathsFilter

	// secondary side
	secondaryID       string
	upstream          string // lab name of the primary; "" = none (demoted, forgotten)
	knownPrimaryAddrs []string
	lastRemoteWAL     uint64
	lastStart         time.Time
	connState         string
	connected         bool
	lastHeartbeat     time.Time
	canaryAt          time.Time // primary time of the newest canary received
	phase             secPhase
	phaseUntil        time.Time
	syncDone          uint64
	syncTotal         uint64
	consistent        bool // data equals the primary's at lastRemoteWAL
	initialSync       bool // enabled and not yet streaming: the cluster serves 503s
	retryAt           time.Time
}

func newRole(t replType) *role {
	return &role{typ: t, mode: modeDisabled, peers: map[string]*peerRecord{}, filters: map[string]pathsFilter{}}
}

// isPrimary is true for a running primary (bootstrapping ones are not yet).
func (r *role) isPrimary() bool   { return r.mode == modePrimary }
func (r *role) isSecondary() bool { return r.mode == modeSecondary }

// enabled is true when the type takes part in replication in any way.
func (r *role) enabled() bool { return r.mode != modeDisabled }

func (r *role) knows(id string) bool {
	for _, k := range r.known {
		if k == id {
			return true
		}
	}
	return false
}

// wrapToken is an issued activation token, kept by the primary that signed it.
type wrapToken struct {
	jti       string
	accessor  string
	id        string // the secondary ID it was generated for
	typ       replType
	clusterID string
	created   time.Time // primary clock
	ttl       time.Duration
	used      bool
	revoked   bool
}

// drAttempt is a token generation in progress (drtoken.go).
type drAttempt struct {
	nonce    string
	otp      string
	progress int
	encoded  string
}

// faultState holds one cluster's injected faults (see faults.go).
type faultState struct {
	latency     time.Duration
	failStatus  int
	failCount   int
	inject      ResponseFault
	injectCount int
	hang        bool
	hangRelease chan struct{} // closed when the hang is lifted
	skew        time.Duration
	flap        bool // every other request fails with 503
	flapNext    bool // the next request is the failing one
}

// cluster is one simulated Vault Enterprise cluster. All fields are guarded by
// the lab's lock.
type cluster struct {
	name      string
	index     int
	version   string // e.g. "1.17.6+ent"; the +ent suffix is dropped in CE mode
	ce        bool
	zone      *time.Location
	apiAddr   string // "http://127.0.0.1:port"; "" until the lab starts or SetAPIAddr
	port      int
	nodeAddrs []string // cluster addresses of the (simulated) nodes
	coreID    string   // the cluster's own ID (sys/health cluster_id)
	activeAt  time.Time
	sealed    bool
	stopped   bool

	key         *ecdsa.PrivateKey // signs activation tokens; made on first use
	publicKey   *ecdh.PrivateKey  // generate-public-key; made on demand
	data        *store
	log         walLog
	perf, dr    *role
	shadowPerf  *role // the performance role a DR secondary takes over on promotion
	wraps       map[string]*wrapToken
	drAttempt   *drAttempt // generate-operation-token in progress
	rootAttempt *drAttempt // generate-root in progress
	drOpTokens  map[string]bool

	unavailableUntil time.Time
	reindexStart     time.Time
	reindexUntil     time.Time
	rootToken        string // the token the lab advertises for this cluster

	faults   faultState
	requests map[string]int // API requests served, by path (RequestCounts)
	// kvForwarded counts KV writes this performance secondary forwarded to
	// its primary, and kvForwardedKey is the last one's store key (kvKey):
	// what the kv-replication exercise checks.
	kvForwarded    int
	kvForwardedKey string
	kvReads        int // KV version reads answered with the data (200)

	// serving
	handler  http.Handler
	srv      *http.Server
	served   chan struct{} // closed when srv's Serve loop has returned
	client   *http.Client
	outbound *http.Transport
}

func (c *cluster) role(t replType) *role {
	if t == drType {
		return c.dr
	}
	return c.perf
}

// drSecondary reports whether the cluster is (or is becoming) a DR secondary,
// the mode in which it refuses nearly every request: it serves no client
// reads or writes until promoted ("DR replication" in
// https://developer.hashicorp.com/vault/docs/enterprise/replication).
func (c *cluster) drSecondary() bool {
	return c.dr.mode == modeSecondary || (c.dr.mode == modeBootstrapping && c.dr.bootTo == modeSecondary)
}

// perfSecondary reports whether writes must be forwarded to a primary.
func (c *cluster) perfSecondary() bool {
	return c.perf.mode == modeSecondary || (c.perf.mode == modeBootstrapping && c.perf.bootTo == modeSecondary)
}

// clock is the cluster's own view of time: lab time plus any injected skew.
func (c *cluster) clock(labNow time.Time) time.Time {
	return labNow.Add(c.faults.skew).In(c.zone)
}

// up is true when the cluster's process runs and is unsealed: it can ship and
// receive WALs.
func (c *cluster) up() bool { return !c.stopped && !c.sealed }

func (c *cluster) displayVersion() string {
	if c.ce {
		return trimEnt(c.version)
	}
	return c.version
}

func trimEnt(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '+' {
			return v[:i]
		}
	}
	return v
}

// nodeHost is the host name of node i of the named cluster: its cluster
// addresses, sys/ha-status and the Raft configuration all name it so.
func nodeHost(name string, i int) string { return fmt.Sprintf("%s-node-%d", name, i+1) }

// nodeAddrsFor invents the cluster addresses (port 8201) of a three-node
// cluster; they are what secondaries list in known_primary_cluster_addrs and
// what update_primary_addrs must name.
func nodeAddrsFor(name string) []string {
	out := make([]string, 3)
	for i := range out {
		out[i] = "https://" + nodeHost(name, i) + ":8201"
	}
	return out
}
