package sim

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Faults are scripted from Go (tests, the dashboard's lab menu) and from the
// control endpoint (training). Each one changes the model or the HTTP layer in
// front of it; none fakes a replication status directly.

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

// hugeBodySize is the size of the huge-body fault.
const hugeBodySize = 50 << 20

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
	}
	return fmt.Errorf("unknown fault kind %q", s.Kind)
}

// withCluster runs f on the named cluster under the lock, with the model
// brought up to date first.
func (l *Lab) withCluster(name string, f func(c *cluster) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.cluster(name)
	if err != nil {
		return err
	}
	l.syncLocked()
	return f(c)
}

func (l *Lab) pair(a, b string) (*cluster, *cluster, error) {
	ca, err := l.cluster(a)
	if err != nil {
		return nil, nil, err
	}
	cb, err := l.cluster(b)
	if err != nil {
		return nil, nil, err
	}
	if ca == cb {
		return nil, nil, fmt.Errorf("cannot partition %q from itself", a)
	}
	return ca, cb, nil
}

// Partition cuts the network between two clusters.
func (l *Lab) Partition(a, b string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ca, cb, err := l.pair(a, b)
	if err != nil {
		return err
	}
	l.syncLocked()
	l.partitions[pairKey(ca.name, cb.name)] = true
	return nil
}

// Heal restores the network between two clusters.
func (l *Lab) Heal(a, b string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ca, cb, err := l.pair(a, b)
	if err != nil {
		return err
	}
	l.syncLocked()
	delete(l.partitions, pairKey(ca.name, cb.name))
	return nil
}

// HealAll restores every link.
func (l *Lab) HealAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncLocked()
	clear(l.partitions)
}

// Seal seals a cluster.
func (l *Lab) Seal(name string) error {
	return l.withCluster(name, func(c *cluster) error { c.sealed = true; return nil })
}

// Unseal unseals a cluster (as if the key share had been entered).
func (l *Lab) Unseal(name string) error {
	return l.withCluster(name, func(c *cluster) error {
		if c.sealed {
			c.sealed, c.activeAt = false, l.now()
		}
		return nil
	})
}

// Stop stops a cluster's process: the listener closes, so clients get
// "connection refused" on its port; its data survives for Restart.
func (l *Lab) Stop(name string) error {
	return l.withCluster(name, func(c *cluster) error {
		c.stopped = true
		if c.srv == nil {
			return nil
		}
		// Close does not wait for handlers, so holding the lock is safe.
		// Waiting for Serve to return matters: the listening socket is only
		// released once the parked Accept has returned, and until then a new
		// connection would be reset instead of refused.
		err := c.srv.Close()
		<-c.served
		c.srv, c.served = nil, nil
		return err
	})
}

// Restart starts a stopped cluster on the same port. The lab unseals it on
// the way up (a convenience: a Shamir-sealed Vault would come back sealed;
// use Seal to practise that).
func (l *Lab) Restart(name string) error {
	return l.withCluster(name, func(c *cluster) error {
		if !c.stopped {
			return nil
		}
		if l.started && !l.closed {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)))
			if err != nil {
				return fmt.Errorf("restart %s: %w", name, err)
			}
			l.serve(c, ln)
		}
		c.stopped, c.sealed, c.activeAt = false, false, l.now()
		return nil
	})
}

// SetLatency adds d to every response of the cluster and to its replication
// links (0 removes it).
func (l *Lab) SetLatency(name string, d time.Duration) error {
	if d < 0 {
		return errors.New("latency must not be negative")
	}
	return l.withCluster(name, func(c *cluster) error { c.faults.latency = d; return nil })
}

// FailRequests answers the cluster's next count requests with status and a
// "(simulated)" error; count 0 cancels a burst.
func (l *Lab) FailRequests(name string, status, count int) error {
	if count < 0 || (count > 0 && (status < 100 || status > 599)) {
		return fmt.Errorf("fail-requests needs a status from 100 to 599 and a count of at least 0 (got %d × %d)", status, count)
	}
	return l.withCluster(name, func(c *cluster) error {
		c.faults.failStatus, c.faults.failCount = status, count
		return nil
	})
}

// Hang makes the cluster's requests hang until the client gives up (on) or
// releases them (off). Close releases them too.
func (l *Lab) Hang(name string, on bool) error {
	return l.withCluster(name, func(c *cluster) error {
		switch {
		case on && !c.faults.hang:
			c.faults.hang, c.faults.hangRelease = true, make(chan struct{})
		case !on && c.faults.hang:
			close(c.faults.hangRelease)
			c.faults.hang, c.faults.hangRelease = false, nil
		}
		return nil
	})
}

// Flap makes every other request of the cluster fail with 503 (on), or stops
// it (off): a cluster whose state changes at every poll.
func (l *Lab) Flap(name string, on bool) error {
	return l.withCluster(name, func(c *cluster) error {
		c.faults.flap, c.faults.flapNext = on, on
		return nil
	})
}

// RequestCounts returns how many API requests the cluster has served, by URL
// path (faulted ones included): budgets count requests per poll with it.
func (l *Lab) RequestCounts(name string) map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.byName[name]
	if c == nil {
		return nil
	}
	return maps.Clone(c.requests)
}

// InjectResponse answers the cluster's next count requests with kind; count 0
// cancels.
func (l *Lab) InjectResponse(name string, kind ResponseFault, count int) error {
	if count < 0 || (count > 0 && !slices.Contains(ResponseFaults(), kind)) {
		return fmt.Errorf("unknown response fault %q (want one of %v)", kind, ResponseFaults())
	}
	return l.withCluster(name, func(c *cluster) error {
		c.faults.inject, c.faults.injectCount = kind, count
		return nil
	})
}

func parseReplType(s string) (replType, error) {
	switch strings.ToLower(s) {
	case "performance", "perf":
		return perfType, nil
	case "dr":
		return drType, nil
	}
	return 0, fmt.Errorf("replication type must be performance or dr, not %q", s)
}

// CorruptMerkle corrupts one replication type's merkle tree on a cluster. On a
// secondary, or on the secondaries of a corrupted primary, merkle-diff finds
// bad pages and merkle-sync never cures them, so they loop until a reindex
// (sys/replication/reindex) or ClearFaults repairs the tree.
func (l *Lab) CorruptMerkle(name, replicationType string) error {
	t, err := parseReplType(replicationType)
	if err != nil {
		return err
	}
	return l.withCluster(name, func(c *cluster) error {
		r := c.role(t)
		if !r.isPrimary() && !r.isSecondary() {
			return fmt.Errorf("%s replication is not running on %s", t.label(), name)
		}
		now := l.now()
		r.corrupted, r.lastCorruptionCheck = true, now
		l.resyncAffected(c, t, now)
		return nil
	})
}

// resyncAffected sends c (if a secondary) or the streaming secondaries of c
// (if a primary) back to merkle-diff.
func (l *Lab) resyncAffected(c *cluster, t replType, now time.Time) {
	for _, s := range l.clusters {
		sr := s.role(t)
		if !sr.isSecondary() || sr.phase != phaseStream || (s != c && sr.upstream != c.name) {
			continue
		}
		sr.phase, sr.phaseUntil, sr.state = phaseDiff, now.Add(merkleDiffTime), stateMerkleDiff
	}
}

// SkewClock sets the cluster's clock offset from lab time.
func (l *Lab) SkewClock(name string, d time.Duration) error {
	return l.withCluster(name, func(c *cluster) error { c.faults.skew = d; return nil })
}

// SetCommunityEdition switches the cluster's Community Edition personality:
// replication paths answer 404 enterprise-only feature (sys/replication/status
// says {"mode":"disabled"}), sys/health says enterprise false, and the version
// loses "+ent". Its replication links stop while it is on.
func (l *Lab) SetCommunityEdition(name string, on bool) error {
	return l.withCluster(name, func(c *cluster) error { c.ce = on; return nil })
}

// SetVersion changes the version the cluster reports, and with it the
// personality: before 1.17 an invalid token is only "permission denied".
func (l *Lab) SetVersion(name, version string) error {
	if version == "" {
		return errors.New("version must not be empty")
	}
	return l.withCluster(name, func(c *cluster) error { c.version = version; return nil })
}

// ClearFaults removes every fault of a cluster: its partitions are healed, it
// is unsealed and restarted, latency, injections and skew are removed, its
// merkle trees are repaired and it is Enterprise again.
func (l *Lab) ClearFaults(name string) error {
	if err := l.Restart(name); err != nil {
		return err
	}
	if err := l.Hang(name, false); err != nil {
		return err
	}
	return l.withCluster(name, func(c *cluster) error {
		for k := range l.partitions {
			if k[0] == name || k[1] == name {
				delete(l.partitions, k)
			}
		}
		now := l.now()
		if c.sealed {
			c.sealed, c.activeAt = false, now
		}
		c.faults = faultState{}
		c.ce = false
		for _, t := range []replType{perfType, drType} {
			if r := c.role(t); r.corrupted {
				r.corrupted, r.lastReindex = false, now
				l.resyncAffected(c, t, now)
			}
		}
		return nil
	})
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

// injectedResponse builds the response of an injected fault.
func (l *Lab) injectedResponse(kind ResponseFault, hr *http.Request) response {
	switch kind {
	case FaultMalformedJSON:
		return response{status: http.StatusOK, body: []byte(`{"request_id":"` + l.ids.uuid() + `","data":{"performance":{"mode":"primary",},"dr":<html>`)}
	case FaultTruncated:
		body := []byte(`{"request_id":"` + l.ids.uuid() + `","lease_id":"","renewable":false,"lease_duration":0,"data":{"dr":{"mode":"disabled"},"performance":{"mode":"disabled"}},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}`)
		return response{status: http.StatusOK, body: body, truncateAt: len(body) / 2}
	case FaultHugeBody:
		head := `{"request_id":"` + l.ids.uuid() + `","lease_id":"","renewable":false,"lease_duration":0,"data":{"padding":"`
		tail := `"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}`
		return response{status: http.StatusOK, length: int64(len(head) + hugeBodySize + len(tail)),
			stream: func(w io.Writer) error { return streamPadding(w, head, tail, hugeBodySize) }}
	case FaultForbidden:
		return errResp(http.StatusForbidden, errPermissionDenied)
	case FaultNotFound:
		return errResp(http.StatusNotFound)
	case FaultEnterpriseOnly:
		return errResp(http.StatusNotFound, errEnterpriseOnly)
	case FaultRateLimited:
		return errResp(http.StatusTooManyRequests, errRateLimited)
	}
	return errResp(http.StatusInternalServerError, "unknown injected response (simulated)")
}

// streamPadding writes head, n filler bytes and tail in small chunks, so a
// 50 MB body costs 32 KB of memory.
func streamPadding(w io.Writer, head, tail string, n int) error {
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	chunk := []byte(strings.Repeat("A", 32<<10))
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	_, err := io.WriteString(w, tail)
	return err
}
