package wizard

import (
	"slices"
	"strings"

	"github.com/vaultrepl/vaultrepl/ops"
)

// What the failover and lifecycle flows decide from the survey, apart from
// any screen: who the old primary is and whether it is fenced, which
// performance secondaries must follow a new primary and how, and what the
// operator must tell clients afterwards.

// fence is what a failover's pre-flight knows about the old DR primary.
type fence int

const (
	// fenceUnknown: the old primary is not among the configured clusters
	// (or could not be identified): nobody can say whether it still serves.
	fenceUnknown fence = iota
	// fenceLive: it answers and is unsealed, and is still a DR primary:
	// promoting now would make two primaries (split brain).
	fenceLive
	// fenceDown: it does not answer.
	fenceDown
	// fenceSealed: it answers sealed: it serves nothing until unsealed.
	fenceSealed
	// fenceDemoted: it answers but is no longer a DR primary.
	fenceDemoted
)

// fenced reports whether a promotion cannot create a second primary by
// what vaultrepl sees (an unreachable cluster may still serve clients that
// can reach it: the operator is told so, not asked to type).
func (f fence) fenced() bool { return f == fenceDown || f == fenceSealed || f == fenceDemoted }

// fenceOf reads the old primary's survey entry.
func fenceOf(old facts) fence {
	s := old.Snap
	switch {
	case old.Name == "":
		return fenceUnknown
	case s.Health == nil && s.Replication == nil:
		if old.Err != nil && (ops.IsClass(old.Err, ops.ErrUnreachable) || ops.IsClass(old.Err, ops.ErrTimeout)) {
			return fenceDown
		}
		return fenceUnknown
	case s.Health != nil && s.Health.Sealed, ops.IsClass(s.ReplicationErr, ops.ErrSealed):
		return fenceSealed
	case s.Replication != nil && s.Replication.DR.Mode != ops.ModePrimary:
		return fenceDemoted
	case s.Replication != nil:
		return fenceLive
	}
	return fenceUnknown
}

// fencePhrase is what the operator types to say the old primary is fenced
// when vaultrepl cannot see it: "us-east-2 is fenced".
func fencePhrase(old string) string {
	if old == "" {
		old = "the old primary"
	}
	return old + " is fenced"
}

// drPrimaryOf names the configured DR primary of a DR secondary: the
// cluster that is a DR primary of the same replication set, else (it may be
// down, so unreadable) the configured cluster at the API address the
// secondary last knew for its primary.
func (m Model) drPrimaryOf(secondary string) string {
	f, ok := m.survey[secondary]
	if !ok {
		return ""
	}
	ts := f.of(ops.DR)
	for _, c := range m.d.Clusters {
		p, ok := m.survey[c.Name]
		if ok && c.Name != secondary && ts.ClusterID != "" && p.of(ops.DR).Mode == ops.ModePrimary && p.of(ops.DR).ClusterID == ts.ClusterID {
			return c.Name
		}
	}
	for _, peer := range ts.Primaries {
		if name := m.clusterByAddr(peer.APIAddress); name != "" && name != secondary {
			return name
		}
	}
	return ""
}

// drSecondariesOf lists the configured DR secondaries of a DR primary: the
// clusters whose DR cluster_id is the primary's and that are secondaries.
func (m Model) drSecondariesOf(primary string) []string {
	p, ok := m.survey[primary]
	if !ok || p.of(ops.DR).ClusterID == "" {
		return nil
	}
	var out []string
	for _, c := range m.d.Clusters {
		f, ok := m.survey[c.Name]
		if ok && c.Name != primary && f.of(ops.DR).Mode == ops.ModeSecondary && f.of(ops.DR).ClusterID == p.of(ops.DR).ClusterID {
			out = append(out, c.Name)
		}
	}
	return out
}

// followers lists the performance secondaries that must follow a new
// performance primary: secondaries of its replication set (same
// cluster_id) that do not yet stream from it, in configuration order.
func (m Model) followers(newPrimary string) []string {
	np, ok := m.survey[newPrimary]
	if !ok {
		return nil
	}
	pts := np.of(ops.Performance)
	if pts.Mode != ops.ModePrimary || pts.ClusterID == "" {
		return nil
	}
	c, _ := m.cluster(newPrimary)
	var out []string
	for _, cl := range m.d.Clusters {
		f, ok := m.survey[cl.Name]
		if !ok || cl.Name == newPrimary {
			continue
		}
		ts := f.of(ops.Performance)
		if ts.Mode != ops.ModeSecondary || ts.ClusterID != pts.ClusterID {
			continue
		}
		if followsAlready(ts, c.Address) {
			continue
		}
		out = append(out, cl.Name)
	}
	return out
}

// followsAlready: the secondary streams from the cluster at addr.
func followsAlready(ts ops.TypeStatus, addr string) bool {
	if ts.State != ops.StateStreamWALs || len(ts.Primaries) == 0 {
		return false
	}
	return normAddr(ts.Primaries[0].APIAddress) == normAddr(addr) && ts.Primaries[0].Status == ops.PeerConnected
}

// followPlan is how one performance secondary will follow the new primary.
type followPlan struct {
	// byAddrs: update_primary_addrs would also do (the secondary keeps its
	// credentials for the set); why says why not, when it would not.
	byAddrs bool
	why     string
	// revokeFirst: the new primary already knows the secondary's id
	// (inherited from the old primary): ids are unique on a primary, so the
	// stale registration is revoked before a token is issued under it.
	revokeFirst bool
	id          string // the secondary id the token is issued for
}

// planFollow decides how secondary follows newPrimary.
func (m Model) planFollow(secondary, newPrimary string) followPlan {
	sec, np := m.survey[secondary].of(ops.Performance), m.survey[newPrimary].of(ops.Performance)
	p := followPlan{id: sec.SecondaryID}
	if p.id == "" {
		p.id = secondary
	}
	// The follow step uses the token whenever; byAddrs records that the
	// one-write alternative was open, for the review to mention.
	p.byAddrs, p.why = ops.UpdatePrimaryAddrsAllowed(sec, np)
	p.revokeFirst = slices.Contains(np.KnownSecondaries, p.id)
	return p
}

// clientAdvice is what must change for clients after a promotion: the
// address they use and, for performance, their tokens.
func clientAdvice(t ops.ReplicationType, oldName, newName, newAddr string) []string {
	if oldName == "" {
		oldName = "the old primary"
	}
	lines := []string{
		"Point clients at " + newName + ": change VAULT_ADDR, the load balancer or the DNS name from " +
			oldName + " to " + newAddr + ".",
	}
	if t == ops.DR {
		lines = append(lines, "Tokens and leases were replicated to "+newName+": clients keep their tokens.")
	} else {
		lines = append(lines, "Tokens and leases are local to each performance cluster: clients log in again on "+newName+".")
	}
	return lines
}

// drTokenExplain says how the two kinds of DR operation token are made.
func drTokenExplain() []string {
	cmds := ops.BatchDROperationTokenCommands("dr-operation", "8h")
	return []string{
		"A DR secondary accepts no Vault token: promote, update-primary and disable are authorised by a DR operation token.",
		"Key shares: a quorum of the primary's unseal (or recovery) key holders each enter a share here; " +
			"vaultrepl keeps the one-time pad (OTP) Vault returned and decodes the token locally. " +
			"Such a token does not expire: revoke it when the failover is over.",
		"Batch token, made in advance on the primary with a policy allowing update on the DR secondary paths:",
		"  " + strings.Join(cmds, "\n  "),
	}
}
