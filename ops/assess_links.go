package ops

import (
	"fmt"
	"math"
	"time"
)

// findLinks lists every primary→secondary link the primaries report
// (known_secondaries plus secondaries[]), in observation and type order, and
// matches each to a configured secondary: same type, mode secondary, same
// cluster_id (the replication set's id, shared by both ends) and
// secondary_id equal to the link's node_id. Secondaries whose primary is not
// configured produce no link: there is no primary side to report.
func findLinks(now time.Time, obs []Observation, th Thresholds) []Link {
	var links []Link
	secs := indexSecondaries(obs)
	for _, o := range obs {
		if o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			p := o.Snapshot.Replication.Of(t)
			if p.Mode != ModePrimary {
				continue
			}
			// One index of the primary's peers per type: a primary listing
			// n secondaries is matched in O(n), not O(n²).
			peers := indexPeers(p.Secondaries)
			for _, id := range secondaryIDs(p) {
				links = append(links, buildLink(now, secs, o, p, peers, id, th))
			}
		}
	}
	return links
}

// secondaryIDs is known_secondaries followed by any connected secondary that
// is not in it, without duplicates.
func secondaryIDs(p TypeStatus) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range p.KnownSecondaries {
		add(id)
	}
	for _, s := range p.Secondaries {
		add(s.NodeID)
	}
	return ids
}

func buildLink(now time.Time, secs secondaryIndex, prim Observation, p TypeStatus, peers map[string]int, id string, th Thresholds) Link {
	l := Link{Type: p.Type, Primary: prim.Name, SecondaryID: id, Stale: prim.Err != nil}
	// The primary's heartbeat times are on the primary's clock.
	primaryNow, off := ClusterNow(now, *prim.Snapshot)
	var peer Peer
	i, hasPeer := peers[id]
	if hasPeer {
		peer = p.Secondaries[i]
		l.Status = peer.Status
		l.CanaryAge, l.HasCanaryAge = peer.CanaryAge, peer.HasCanaryAge
		if !peer.LastHeartbeat.IsZero() {
			l.HeartbeatAge, l.HasHeartbeatAge = primaryNow.Sub(peer.LastHeartbeat), true
		}
	}
	sec, s, found := secs.find(p.Type, p.ClusterID, id)
	if found {
		l.Secondary = sec.Name
		fresh := !l.Stale && sec.Err == nil
		// A secondary the primary lists (connected or not) counts the
		// primary's WALs; one it does not list may be streaming from
		// another primary of the same set (after a promotion).
		samePrimary := !p.HasSecondaries || hasPeer
		measureLag(&l, p, s, fresh, samePrimary)
	}
	judgeLink(primaryNow, &l, linkEnds{peer: peer, hasPeer: hasPeer, primary: p, secondary: s, found: found, version: versionOf(prim),
		issued: prim.Snapshot.Issued, clockOffset: off}, th)
	return l
}

// linkEnds is what judgeLink knows of both ends of a link.
type linkEnds struct {
	peer      Peer // the primary's secondaries[] entry, when hasPeer
	hasPeer   bool
	primary   TypeStatus
	secondary TypeStatus // when found
	found     bool
	version   string // the primary's Vault version
	// issued are the tokens this process generated on the primary;
	// clockOffset is the primary's clock minus this machine's.
	issued      []IssuedToken
	clockOffset time.Duration
}

func versionOf(o Observation) string {
	if o.Snapshot == nil || o.Snapshot.Health == nil {
		return ""
	}
	return o.Snapshot.Health.Version
}

// indexPeers maps each peer's node_id to its first position in peers.
func indexPeers(peers []Peer) map[string]int {
	m := make(map[string]int, len(peers))
	for i, p := range peers {
		if _, dup := m[p.NodeID]; !dup {
			m[p.NodeID] = i
		}
	}
	return m
}

// secondaryKey is a secondary's replication type and secondary_id.
type secondaryKey struct {
	t  ReplicationType
	id string
}

// secondaryIndex lists, per type and secondary_id, the observations of
// configured clusters in secondary mode, in observation order.
type secondaryIndex struct {
	obs []Observation
	at  map[secondaryKey][]int
}

func indexSecondaries(obs []Observation) secondaryIndex {
	x := secondaryIndex{obs: obs, at: map[secondaryKey][]int{}}
	for i, o := range obs {
		if o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			s := o.Snapshot.Replication.Of(t)
			if s.Mode == ModeSecondary {
				k := secondaryKey{t, s.SecondaryID}
				x.at[k] = append(x.at[k], i)
			}
		}
	}
	return x
}

// find finds the configured cluster at the other end of a link. A missing
// cluster_id on either side does not prevent a match by id alone (older
// versions), but two different ids do: after a promotion or a re-enable,
// the same secondary id can belong to another replication set.
func (x secondaryIndex) find(t ReplicationType, clusterID, id string) (Observation, TypeStatus, bool) {
	for _, i := range x.at[secondaryKey{t, id}] {
		o := x.obs[i]
		s := o.Snapshot.Replication.Of(t)
		if clusterID != "" && s.ClusterID != "" && s.ClusterID != clusterID {
			continue
		}
		return o, s, true
	}
	return Observation{}, TypeStatus{}, false
}

// walGap is primary − secondary as a signed number, saturating instead of
// overflowing on absurd inputs.
func walGap(primary, secondary uint64) int64 {
	if primary >= secondary {
		d := primary - secondary
		if d > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(d)
	}
	d := secondary - primary
	if d > math.MaxInt64 {
		return math.MinInt64
	}
	return -int64(d)
}

// judgeLink sets the link's reasons and severity.
func judgeLink(now time.Time, l *Link, e linkEnds, th Thresholds) {
	if l.Stale {
		l.Severity = SeverityUnknown
		l.Reasons = []Reason{{Severity: SeverityUnknown, Text: fmt.Sprintf("primary %s unreachable: shown from its last good data, not judged", l.Primary)}}
		return
	}
	var rs []Reason
	switch {
	case e.hasPeer:
		rs = append(rs, peerReasons(now, e.peer, "secondary "+l.SecondaryID, th)...)
	case !e.primary.HasSecondaries:
		rs = append(rs, unreportedLink(l, e))
	default:
		rs = append(rs, unusedTokenReason(now, e.clockOffset, l.Type, l.SecondaryID, e.issued))
	}
	l.LagSeverity = SeverityUnknown
	if r, ok := lagReason(l, th); ok {
		l.LagSeverity = r.Severity
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		rs = append(rs, Reason{Severity: SeverityOK, Text: "connected"})
	}
	l.Reasons = rs
	l.Severity = worstOf(rs)
}

// unreportedLink judges a link whose primary sends no secondaries[] (before
// 1.5): from the secondary's own status when it is configured, else unknown.
func unreportedLink(l *Link, e linkEnds) Reason {
	why := "secondaries[] " + NotReportedBy(e.version)
	if !e.found {
		return Reason{Severity: SeverityUnknown, Text: "connection unknown: " + why + " and the secondary is not configured here"}
	}
	s := e.secondary
	switch {
	case s.ConnectionState == ConnReady || connectedPeer(s.Primaries) || (!s.HasConnectionState && s.State == StateStreamWALs):
		return Reason{Severity: SeverityOK, Text: fmt.Sprintf("connected, as %s reports (%s)", l.Secondary, why)}
	}
	return Reason{Severity: SeverityUnknown, Text: fmt.Sprintf("connection unknown: %s; see %s's own status", why, l.Secondary)}
}

// applyLag adds each link's lag finding to the secondary's own assessment:
// it is the secondary that is behind.
func applyLag(rep *Report, th Thresholds) {
	byName := make(map[string][]int, len(rep.Clusters))
	for i, c := range rep.Clusters {
		byName[c.Name] = append(byName[c.Name], i)
	}
	for _, l := range rep.Links {
		if l.Secondary == "" || l.Stale {
			continue
		}
		r, ok := lagReason(&l, th)
		if !ok {
			continue
		}
		for _, i := range byName[l.Secondary] {
			c := &rep.Clusters[i]
			ta := &c.Performance
			if l.Type == DR {
				ta = &c.DR
			}
			ta.Reasons = append(ta.Reasons, r)
			ta.Severity = Worst(ta.Severity, r.Severity)
		}
	}
}
