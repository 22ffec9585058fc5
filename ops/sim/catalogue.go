package sim

// The fault catalogue: what faults exist and what each one takes, so that a
// menu (the dashboard's lab menu) or a script (the control endpoint) can
// offer and apply them as data, and list the ones in effect.

import (
	"fmt"
	"sort"
	"time"
)

// ResponseFault is a malformed or hostile response to inject.
type ResponseFault string

// The injectable responses.
const (
	FaultMalformedJSON  ResponseFault = "malformed-json"  // 200 with a body that is not JSON
	FaultTruncated      ResponseFault = "truncated"       // Content-Length promises more than is sent; the connection is cut
	FaultHugeBody       ResponseFault = "huge-body"       // 200 with a 50 MB body, streamed (never held in memory)
	FaultForbidden      ResponseFault = "forbidden"       // 403 permission denied
	FaultNotFound       ResponseFault = "not-found"       // 404 with no errors (Vault's "nothing here")
	FaultEnterpriseOnly ResponseFault = "enterprise-only" // 404 enterprise-only feature
	FaultRateLimited    ResponseFault = "rate-limited"    // 429 rate limit quota exceeded
)

// ResponseFaults lists the injectable responses.
func ResponseFaults() []ResponseFault {
	return []ResponseFault{FaultMalformedJSON, FaultTruncated, FaultHugeBody, FaultForbidden, FaultNotFound, FaultEnterpriseOnly, FaultRateLimited}
}

// FaultKind describes one fault for a menu: which parameters FaultSpec needs.
type FaultKind struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Cluster     bool   `json:"cluster"`  // applies to one cluster
	Peer        bool   `json:"peer"`     // takes a second cluster
	Duration    bool   `json:"duration"` // takes a duration
	Status      bool   `json:"status"`   // takes an HTTP status code
	Count       bool   `json:"count"`    // takes a number of requests
	Response    bool   `json:"response"` // takes a ResponseFault
	Type        bool   `json:"type"`     // takes "performance" or "dr"
	Toggle      bool   `json:"toggle"`   // can be switched off with Off
}

// The fault kinds ApplyFault understands.
const (
	KindPartition        = "partition"
	KindHeal             = "heal"
	KindHealAll          = "heal-all"
	KindSeal             = "seal"
	KindUnseal           = "unseal"
	KindStop             = "stop"
	KindRestart          = "restart"
	KindLatency          = "latency"
	KindFailRequests     = "fail-requests"
	KindHang             = "hang"
	KindRespond          = "respond"
	KindCorruptMerkle    = "corrupt-merkle"
	KindSkewClock        = "skew-clock"
	KindFlap             = "flap"
	KindCommunityEdition = "community-edition"
	KindClear            = "clear"
	// KindPromoteNoDemote promotes a secondary while its primary stays
	// primary: a split brain.
	KindPromoteNoDemote = "promote-without-demote"
)

// FaultKinds is the catalogue of faults, in menu order.
func FaultKinds() []FaultKind {
	return []FaultKind{
		{Name: KindPartition, Cluster: true, Peer: true, Description: "cut the network between two clusters: replication between them disconnects and calls between them time out"},
		{Name: KindHeal, Cluster: true, Peer: true, Description: "restore the network between two clusters"},
		{Name: KindHealAll, Description: "restore every partitioned link"},
		{Name: KindSeal, Cluster: true, Description: "seal the cluster: 503 Vault is sealed, replication stops"},
		{Name: KindUnseal, Cluster: true, Description: "unseal the cluster"},
		{Name: KindStop, Cluster: true, Description: "stop the cluster's process: its port refuses connections"},
		{Name: KindRestart, Cluster: true, Description: "start a stopped cluster again on the same port (the lab unseals it)"},
		{Name: KindLatency, Cluster: true, Duration: true, Description: "add latency to every response of the cluster and to its replication links (0 removes it)"},
		{Name: KindFailRequests, Cluster: true, Status: true, Count: true, Description: "answer the next requests with an error status (e.g. a burst of 503s)"},
		{Name: KindHang, Cluster: true, Toggle: true, Description: "hang requests until the client gives up"},
		{Name: KindFlap, Cluster: true, Toggle: true, Description: "fail every other request with 503, so a poller sees the cluster flap"},
		{Name: KindRespond, Cluster: true, Response: true, Count: true, Description: "answer the next requests with a malformed, truncated, huge, 403, 404 or 429 response"},
		{Name: KindCorruptMerkle, Cluster: true, Type: true, Description: "corrupt the cluster's merkle tree: corrupted_merkle_tree is true and secondaries loop between merkle-diff and merkle-sync until a reindex"},
		{Name: KindPromoteNoDemote, Cluster: true, Type: true, Description: "promote this secondary without demoting its primary (a failover done halfway): two primaries of one replication set, a split brain"},
		{Name: KindSkewClock, Cluster: true, Duration: true, Description: "skew the cluster's clock (negative to run behind); peers report clock_skew_ms"},
		{Name: KindCommunityEdition, Cluster: true, Toggle: true, Description: "make the cluster answer as Vault Community Edition (no replication, 404 enterprise-only feature)"},
		{Name: KindClear, Cluster: true, Description: "remove every fault of the cluster: heal, unseal, restart, no latency or injections, repaired tree, true clock, Enterprise"},
	}
}

// FaultSpec is one fault to apply (see FaultKinds for which fields each kind
// reads).
type FaultSpec struct {
	Kind     string
	Cluster  string
	Peer     string
	Duration time.Duration
	Status   int
	Count    int
	Response ResponseFault
	Type     string // "performance" or "dr"
	Off      bool   // for toggles: switch the fault off
}

// ApplyFault applies a fault described as data: the entry point of the control
// endpoint and of the dashboard's lab menu.
func (l *Lab) ApplyFault(s FaultSpec) error {
	switch s.Kind {
	case KindPartition:
		return l.Partition(s.Cluster, s.Peer)
	case KindHeal:
		return l.Heal(s.Cluster, s.Peer)
	case KindHealAll:
		l.HealAll()
		return nil
	case KindSeal:
		return l.Seal(s.Cluster)
	case KindUnseal:
		return l.Unseal(s.Cluster)
	case KindStop:
		return l.Stop(s.Cluster)
	case KindRestart:
		return l.Restart(s.Cluster)
	case KindLatency:
		return l.SetLatency(s.Cluster, s.Duration)
	case KindFailRequests:
		return l.FailRequests(s.Cluster, s.Status, s.Count)
	case KindHang:
		return l.Hang(s.Cluster, !s.Off)
	case KindFlap:
		return l.Flap(s.Cluster, !s.Off)
	case KindRespond:
		return l.InjectResponse(s.Cluster, s.Response, s.Count)
	case KindCorruptMerkle:
		return l.CorruptMerkle(s.Cluster, s.Type)
	case KindSkewClock:
		return l.SkewClock(s.Cluster, s.Duration)
	case KindCommunityEdition:
		return l.SetCommunityEdition(s.Cluster, !s.Off)
	case KindClear:
		return l.ClearFaults(s.Cluster)
	case KindPromoteNoDemote:
		return l.PromoteWithoutDemote(s.Cluster, s.Type)
	}
	return fmt.Errorf("unknown fault kind %q", s.Kind)
}

// ActiveFault is one fault in effect, for display.
type ActiveFault struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

// ActiveFaults lists the faults in effect on a cluster (nil for an unknown
// name).
func (l *Lab) ActiveFaults(name string) []ActiveFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.byName[name]
	if c == nil {
		return nil
	}
	var out []ActiveFault
	var peers []string
	for k := range l.partitions {
		if k[0] == name {
			peers = append(peers, k[1])
		} else if k[1] == name {
			peers = append(peers, k[0])
		}
	}
	sort.Strings(peers)
	for _, p := range peers {
		out = append(out, ActiveFault{KindPartition, "from " + p})
	}
	if c.stopped {
		out = append(out, ActiveFault{Kind: KindStop})
	}
	if c.sealed {
		out = append(out, ActiveFault{Kind: KindSeal})
	}
	f := c.faults
	if f.latency > 0 {
		out = append(out, ActiveFault{KindLatency, f.latency.String()})
	}
	if f.failCount > 0 {
		out = append(out, ActiveFault{KindFailRequests, fmt.Sprintf("%d × %d left", f.failStatus, f.failCount)})
	}
	if f.hang {
		out = append(out, ActiveFault{Kind: KindHang})
	}
	if f.flap {
		out = append(out, ActiveFault{Kind: KindFlap})
	}
	if f.injectCount > 0 {
		out = append(out, ActiveFault{KindRespond, fmt.Sprintf("%s × %d left", f.inject, f.injectCount)})
	}
	for _, t := range []replType{perfType, drType} {
		if c.role(t).corrupted {
			out = append(out, ActiveFault{KindCorruptMerkle, t.String()})
		}
	}
	if f.skew != 0 {
		out = append(out, ActiveFault{KindSkewClock, f.skew.String()})
	}
	if c.ce {
		out = append(out, ActiveFault{Kind: KindCommunityEdition})
	}
	return out
}
