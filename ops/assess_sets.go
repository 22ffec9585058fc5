package ops

import (
	"fmt"
	"net"
	"net/url"
	"sort"
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
	for i, o := range obs {
		if o.Err != nil || o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		for _, t := range ReplicationTypes {
			s := o.Snapshot.Replication.Of(t)
			if s.Mode != ModeSecondary || !saysStreaming(s) {
				continue
			}
			if r, ok := orphanReason(obs, o.Name, s); ok {
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

// orphanReason looks for the secondary's primary among the configured
// clusters: first by replication set (same type and cluster_id, mode
// primary, in the latest or the last good snapshot), then by the API
// address its primaries[] entry gives.
func orphanReason(obs []Observation, self string, s TypeStatus) (Reason, bool) {
	warn := func(text, do string) (Reason, bool) {
		return Reason{Severity: SeverityWarning, Text: text, Do: do}, true
	}
	var candidates []Observation
	for _, o := range obs {
		if o.Name == self || o.Snapshot == nil || o.Snapshot.Replication == nil {
			continue
		}
		p := o.Snapshot.Replication.Of(s.Type)
		if p.Mode == ModePrimary && s.ClusterID != "" && p.ClusterID == s.ClusterID {
			candidates = append(candidates, o)
		}
	}
	sort.SliceStable(candidates, func(a, b int) bool { return candidates[a].Err == nil && candidates[b].Err != nil })
	if len(candidates) > 0 {
		o := candidates[0]
		p := o.Snapshot.Replication.Of(s.Type)
		switch {
		case o.Err != nil:
			return warn(fmt.Sprintf("its primary %s is unreachable from here: the streaming state may be stale", o.Name),
				"check "+o.Name+" and the network between them (port 8201)")
		case p.HasKnownSecondaries && s.SecondaryID != "" && !contains(p.KnownSecondaries, s.SecondaryID):
			return warn(fmt.Sprintf("%s no longer lists this secondary (%s): its token was revoked", o.Name, s.SecondaryID),
				"re-attach it with a new token: vault write sys/replication/"+s.Type.String()+"/secondary/update-primary token=…")
		}
		return Reason{}, false
	}
	for _, o := range obs {
		if o.Name == self || o.Address == "" || !primaryAt(s, o.Address) {
			continue
		}
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

// primaryAt reports whether the secondary names addr (a configured API
// address) as its primary: by the api_address of its primaries[] entry
// (1.5+), or by a cluster address one port above the API port, the default
// of a listener's cluster_address (Vault's tcp listener docs: it "defaults
// to one port higher than the value of address").
func primaryAt(s TypeStatus, addr string) bool {
	api, ok := hostPort(addr)
	if !ok {
		return false
	}
	for _, p := range s.Primaries {
		if a, ok := hostPort(p.APIAddress); ok && a == api {
			return true
		}
	}
	host, port, err := net.SplitHostPort(api)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return false
	}
	cluster := net.JoinHostPort(host, strconv.Itoa(n+1))
	for _, c := range append([]string{s.PrimaryClusterAddr}, s.KnownPrimaryClusterAddrs...) {
		if a, ok := hostPort(c); ok && a == cluster {
			return true
		}
	}
	return false
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
