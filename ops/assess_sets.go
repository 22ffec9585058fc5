package ops

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// SplitBrain is a replication set that two or more clusters claim as its
// primary: after a DR secondary is promoted without the old primary being
// demoted, both accept writes and their data diverge.
type SplitBrain struct {
	Type      ReplicationType
	ClusterID string   // the replication set's cluster_id
	Primaries []string // configured names, in observation order
}

// DemoteCommand is the vault command that ends a split brain of type t, run
// on the primary clients should not use.
func DemoteCommand(t ReplicationType) string {
	return "vault write -f sys/replication/" + t.String() + "/primary/demote"
}

// findSplitBrains groups the primaries read now by type and replication set
// cluster_id. A stale snapshot does not count: its cluster may have been
// demoted since.
func findSplitBrains(obs []Observation) []SplitBrain {
	type key struct {
		t  ReplicationType
		id string
	}
	byKey := map[key][]string{}
	var order []key
	for _, o := range obs {
		if o.Err != nil || o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			ts := o.Snapshot.Replication.Of(t)
			if ts.Mode != ModePrimary || ts.ClusterID == "" {
				continue
			}
			k := key{t, ts.ClusterID}
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], o.Name)
		}
	}
	var out []SplitBrain
	for _, k := range order {
		if names := byKey[k]; len(names) > 1 {
			out = append(out, SplitBrain{Type: k.t, ClusterID: k.id, Primaries: names})
		}
	}
	return out
}

// applySplitBrains makes every primary of a split set critical, and leaves
// the lag of its links unknown: the counters of two diverging primaries
// say nothing about one another.
func applySplitBrains(rep *Report, obs []Observation) {
	rep.SplitBrains = findSplitBrains(obs)
	for _, sb := range rep.SplitBrains {
		streamsFrom := connectedTo(obs, sb)
		for _, name := range sb.Primaries {
			others := make([]string, 0, len(sb.Primaries)-1)
			for _, n := range sb.Primaries {
				if n != name {
					others = append(others, n)
				}
			}
			r := Reason{Severity: SeverityCritical,
				Text: fmt.Sprintf("split brain: %s also reports %s primary of replication set %s; both accept writes", strings.Join(others, ", "), sb.Type.Title(), shortSetID(sb.ClusterID)),
				Do:   "demote one: " + DemoteCommand(sb.Type) + " on the one clients should not use"}
			for i := range rep.Clusters {
				if rep.Clusters[i].Name == name {
					ta := rep.Clusters[i].typ(sb.Type)
					ta.Reasons = append(notUnusedTokens(ta.Reasons, name, streamsFrom), r)
					ta.Severity = SeverityCritical
				}
			}
		}
		for i := range rep.Links {
			l := &rep.Links[i]
			if l.Type == sb.Type && contains(sb.Primaries, l.Primary) {
				l.Reasons = notUnusedTokens(l.Reasons, l.Primary, streamsFrom)
				l.Severity = worstOf(l.Reasons)
			}
			if l.Type == sb.Type && contains(sb.Primaries, l.Primary) && !l.InSync {
				l.WALGap, l.HasWALGap, l.CaughtUp, l.LagSeverity = 0, false, false, SeverityUnknown
				l.LagUnknown = "not measured: two primaries claim this replication set"
				kept := l.Reasons[:0]
				for _, r := range l.Reasons {
					if !strings.HasPrefix(r.Text, "lag ") {
						kept = append(kept, r)
					}
				}
				l.Reasons = kept
				l.Severity = worstOf(kept)
			}
		}
	}
}

// InSplitBrain reports whether cluster name is one of the primaries of a
// split set of type t.
func (r Report) InSplitBrain(name string, t ReplicationType) bool {
	for _, sb := range r.SplitBrains {
		if sb.Type == t && contains(sb.Primaries, name) {
			return true
		}
	}
	return false
}

func (c *ClusterAssessment) typ(t ReplicationType) *TypeAssessment {
	if t == DR {
		return &c.DR
	}
	return &c.Performance
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func shortSetID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// applyOrphans warns on a secondary that streams, or says it does, while
// its primary cannot be its primary any more: unreachable from here, no
// longer listing it (its token revoked, or replication re-enabled), or
// with replication disabled. The secondary keeps reporting stream-wals in
// that case (hashicorp/vault-guides local-replication README, 2018: after
// `primary/disable`, vault2 still shows "state":"stream-wals").
func applyOrphans(rep *Report, obs []Observation) {
	var ix *orphanIndex // built at the first streaming secondary
	for i, o := range obs {
		if o.Err != nil || o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			s := o.Snapshot.Replication.Of(t)
			if s.Mode != ModeSecondary || !saysStreaming(s) {
				continue
			}
			if ix == nil {
				ix = newOrphanIndex(obs)
			}
			if r, ok := ix.orphanReason(o.Name, s); ok {
				ta := rep.Clusters[i].typ(t)
				ta.Reasons = append(ta.Reasons, r)
				ta.Severity = Worst(ta.Severity, r.Severity)
				ta.Orphan = r.Text
			}
		}
	}
}

// saysStreaming is a secondary that streams or claims to.
func saysStreaming(s TypeStatus) bool {
	switch {
	case s.State == StateStreamWALs:
		return true
	case s.ConnectionState == ConnReady:
		return true
	}
	return connectedPeer(s.Primaries)
}

// setKey is one replication set: a type and its cluster_id.
type setKey struct {
	t  ReplicationType
	id string
}

// orphanIndex finds a secondary's primary among the observations without
// scanning them for each secondary (which made judging a fleet quadratic):
// the primaries of each set, each cluster's known secondaries as a set,
// and the clusters by the host:port of their API address and of the
// cluster address one port above it. Every list keeps observation order,
// so the first match is the one a scan would find.
type orphanIndex struct {
	obs       []Observation
	primaries map[setKey][]int
	known     map[knownKey]map[string]bool
	// byAPI and byCluster are built at the first secondary matched by address.
	byAPI, byCluster map[string][]int
}

// knownKey is one observation's status of one type.
type knownKey struct {
	i int
	t ReplicationType
}

func newOrphanIndex(obs []Observation) *orphanIndex {
	ix := &orphanIndex{obs: obs, primaries: map[setKey][]int{}, known: map[knownKey]map[string]bool{}}
	for i, o := range obs {
		if o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			if p := o.Snapshot.Replication.Of(t); p.Mode == ModePrimary && p.ClusterID != "" {
				k := setKey{t, p.ClusterID}
				ix.primaries[k] = append(ix.primaries[k], i)
			}
		}
	}
	return ix
}

// lists reports whether observation i's primary of type t lists secondary
// id in known_secondaries.
func (ix *orphanIndex) lists(i int, t ReplicationType, id string) bool {
	k := knownKey{i, t}
	set, ok := ix.known[k]
	if !ok {
		ks := ix.obs[i].Snapshot.Replication.Of(t).KnownSecondaries
		set = make(map[string]bool, len(ks))
		for _, s := range ks {
			set[s] = true
		}
		ix.known[k] = set
	}
	return set[id]
}

// byAddress lists, in observation order, the clusters (other than self)
// that secondary s names as its primary: by the api_address of its
// primaries[] entry (1.5+), or by a cluster address one port above the
// cluster's API port, the default of a listener's cluster_address (Vault's
// tcp listener docs: it "defaults to one port higher than the value of
// address").
func (ix *orphanIndex) byAddress(self string, s TypeStatus) []int {
	if ix.byAPI == nil {
		ix.byAPI, ix.byCluster = map[string][]int{}, map[string][]int{}
		for i, o := range ix.obs {
			if o.Address == "" {
				continue
			}
			api, ok := hostPort(o.Address)
			if !ok {
				continue
			}
			ix.byAPI[api] = append(ix.byAPI[api], i)
			if c, ok := clusterAddrOf(api); ok {
				ix.byCluster[c] = append(ix.byCluster[c], i)
			}
		}
	}
	var out []int
	for _, p := range s.Primaries {
		if a, ok := hostPort(p.APIAddress); ok {
			out = append(out, ix.byAPI[a]...)
		}
	}
	for _, c := range append([]string{s.PrimaryClusterAddr}, s.KnownPrimaryClusterAddrs...) {
		if a, ok := hostPort(c); ok {
			out = append(out, ix.byCluster[a]...)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return slices.DeleteFunc(out, func(i int) bool { return ix.obs[i].Name == self })
}

// orphanReason looks for the secondary's primary among the configured
// clusters: first by replication set (same type and cluster_id, mode
// primary, in the latest or the last good snapshot), then by the API
// address its primaries[] entry gives.
func (ix *orphanIndex) orphanReason(self string, s TypeStatus) (Reason, bool) {
	warn := func(text, do string) (Reason, bool) {
		return Reason{Severity: SeverityWarning, Text: text, Do: do}, true
	}
	if s.ClusterID != "" {
		// The first reachable candidate, else the first.
		first := -1
		for _, i := range ix.primaries[setKey{s.Type, s.ClusterID}] {
			if ix.obs[i].Name == self {
				continue
			}
			if first < 0 || (ix.obs[first].Err != nil && ix.obs[i].Err == nil) {
				first = i
			}
			if ix.obs[first].Err == nil {
				break
			}
		}
		if first >= 0 {
			o := ix.obs[first]
			p := o.Snapshot.Replication.Of(s.Type)
			switch {
			case o.Err != nil:
				return warn(fmt.Sprintf("its primary %s is unreachable from here: the streaming state may be stale", o.Name),
					"check "+o.Name+" and the network between them (port 8201)")
			case p.HasKnownSecondaries && s.SecondaryID != "" && !ix.lists(first, s.Type, s.SecondaryID):
				return warn(fmt.Sprintf("%s no longer lists this secondary (%s): its token was revoked", o.Name, s.SecondaryID),
					"re-attach it with a new token: vault write sys/replication/"+s.Type.String()+"/secondary/update-primary token=…")
			}
			return Reason{}, false
		}
	}
	for _, i := range ix.byAddress(self, s) {
		o := ix.obs[i]
		if o.Snapshot == nil || o.Snapshot.Replication == nil {
			if o.Err != nil {
				return warn(fmt.Sprintf("its primary %s is unreachable from here: the streaming state may be stale", o.Name),
					"check "+o.Name+" and the network between them (port 8201)")
			}
			continue
		}
		p := o.Snapshot.Replication.Of(s.Type)
		switch p.Mode {
		case ModeDisabled:
			return warn(fmt.Sprintf("its primary %s has %s replication disabled", o.Name, s.Type.Title()),
				"promote this secondary or attach it to another primary: vault write sys/replication/"+s.Type.String()+"/secondary/update-primary token=…")
		case ModePrimary:
			return warn(fmt.Sprintf("its primary %s is primary of another replication set now (%s)", o.Name, shortSetID(p.ClusterID)),
				"attach it to the new set with a new token: vault write sys/replication/"+s.Type.String()+"/secondary/update-primary token=…")
		case ModeSecondary:
			return warn(fmt.Sprintf("its primary %s is a secondary now (demoted)", o.Name),
				"attach it to the new primary: vault write sys/replication/"+s.Type.String()+"/secondary/update-primary token=…")
		}
	}
	return Reason{}, false
}

// clusterAddrOf is the cluster address a listener at API host:port api has
// by default: one port higher (see byAddress).
func clusterAddrOf(api string) (string, bool) {
	host, port, err := net.SplitHostPort(api)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return "", false
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1)), true
}

// hostPort is the host:port of an address, with the scheme's default port.
func hostPort(addr string) (string, bool) {
	if addr == "" {
		return "", false
	}
	if !strings.Contains(addr, "://") {
		addr = "https://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Hostname() == "" {
		return "", false
	}
	port := u.Port()
	if port == "" {
		port = map[bool]string{true: "80", false: "443"}[u.Scheme == "http"]
	}
	return net.JoinHostPort(u.Hostname(), port), true
}

// connectedTo maps each secondary id of a split set to the primary of the
// set its secondaries[] lists it as connected to.
func connectedTo(obs []Observation, sb SplitBrain) map[string]string {
	m := map[string]string{}
	for _, o := range obs {
		if !contains(sb.Primaries, o.Name) || o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, p := range o.Snapshot.Replication.Of(sb.Type).Secondaries {
			if p.Status == PeerConnected {
				m[p.NodeID] = o.Name
			}
		}
	}
	return m
}

// notUnusedTokens rewrites, on primary name of a split set, the "has a
// token but has never connected" of a secondary that streams from the
// other primary: the promoted cluster inherited known_secondaries by
// replication, and no token is unused. That is said, as ok: the split
// brain itself is the finding.
func notUnusedTokens(rs []Reason, name string, streamsFrom map[string]string) []Reason {
	out := make([]Reason, 0, len(rs))
	for _, r := range rs {
		for id, from := range streamsFrom {
			if from != name && r.Text == neverConnectedText(id) {
				r = Reason{Severity: SeverityOK, Text: fmt.Sprintf("secondary %s streams from %s, the other primary of this set", id, from)}
				break
			}
		}
		out = append(out, r)
	}
	return out
}
