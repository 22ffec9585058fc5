package sim

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // named zones on hosts without a zone database
)

// defaultVersion is the Enterprise version every lab cluster reports; the
// 1.17 personality answers an invalid token with both "permission denied" and
// "invalid token" (see SetVersion for older personalities).
const defaultVersion = "1.17.6+ent"

// maxFleet bounds fleet:N: each cluster is a listener and a goroutine.
const maxFleet = 512

// Each cluster keeps one time zone, as a server formats local times in its
// host's zone: a named zone, so daylight saving applies as it does on a real
// host in that region (EDT in summer, EST in winter), never a fixed offset.
// time/tzdata embeds the zone database, so a host without one (a minimal
// container, Windows) gives the same answers.
//
// The zones are loaded when a topology is first built, not at package
// init: every process links this package, and `vaultrepl version` or
// `status` from cron has no use for them (loading both reads the zone
// database: ~0.2 ms of every start).
var (
	zoneEastern = sync.OnceValue(func() *time.Location { return mustZone("America/New_York") })
	zoneCentral = sync.OnceValue(func() *time.Location { return mustZone("America/Chicago") })
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("sim: time zone " + name + ": " + err.Error())
	}
	return loc
}

type clusterSpec struct {
	name string
	zone *time.Location
}

type replSpec struct {
	primary, secondary string
	typ                replType
}

type topoSpec struct {
	clusters []clusterSpec
	links    map[[2]string]time.Duration
	repl     []replSpec // already established at start, performance before DR
}

// Topologies returns the topology names the lab accepts (fleet takes a size).
func Topologies() []string { return []string{"fresh", "global", "datacenter", "fleet:N"} }

func parseTopology(name string) (topoSpec, error) {
	links := map[[2]string]time.Duration{}
	link := func(a, b string, d time.Duration) { links[pairKey(a, b)] = d }
	switch {
	case name == "fresh":
		// Four unconfigured clusters: the guided setup starts from nothing.
		var cs []clusterSpec
		for _, n := range []string{"vault-a", "vault-b", "vault-c", "vault-d"} {
			cs = append(cs, clusterSpec{n, zoneEastern()})
		}
		return topoSpec{clusters: cs, links: links}, nil
	case name == "global":
		// The seed's "Global Cloud Deployment".
		link("us-east-2", "us-east-1", 6*time.Millisecond)
		link("us-east-2", "eu-west-1", 40*time.Millisecond)
		link("us-east-1", "eu-west-1", 38*time.Millisecond)
		link("us-east-2", "us-east-2-dr", 1*time.Millisecond)
		return topoSpec{
			clusters: []clusterSpec{{"us-east-2", zoneEastern()}, {"us-east-1", zoneEastern()}, {"eu-west-1", time.UTC}, {"us-east-2-dr", zoneEastern()}},
			links:    links,
			repl: []replSpec{
				{"us-east-2", "us-east-1", perfType},
				{"us-east-2", "eu-west-1", perfType},
				{"us-east-2", "us-east-2-dr", drType},
			},
		}, nil
	case name == "datacenter":
		// The seed's "Multi–Data Center Deployment".
		link("dc-a", "dc-b", 8*time.Millisecond)
		link("dc-a", "cloud", 20*time.Millisecond)
		link("dc-b", "cloud", 22*time.Millisecond)
		return topoSpec{
			clusters: []clusterSpec{{"dc-a", zoneEastern()}, {"dc-b", zoneCentral()}, {"cloud", time.UTC}},
			links:    links,
			repl:     []replSpec{{"dc-a", "dc-b", perfType}, {"dc-a", "cloud", perfType}},
		}, nil
	case strings.HasPrefix(name, "fleet:"):
		n, err := strconv.Atoi(strings.TrimPrefix(name, "fleet:"))
		if err != nil || n < 1 || n > maxFleet {
			return topoSpec{}, fmt.Errorf("topology %q: fleet size must be a number from 1 to %d", name, maxFleet)
		}
		return fleet(n), nil
	}
	return topoSpec{}, fmt.Errorf("unknown topology %q (want fresh, global, datacenter or fleet:N)", name)
}

// fleet builds N clusters in replication sets of eight: a primary, six
// performance secondaries and a DR secondary (the last set may be partial).
func fleet(n int) topoSpec {
	spec := topoSpec{links: map[[2]string]time.Duration{}}
	zones := []*time.Location{zoneEastern(), zoneCentral(), time.UTC}
	var perf, dr []replSpec
	for set := 0; len(spec.clusters) < n; set++ {
		prefix := fmt.Sprintf("f%02d-", set+1)
		primary := prefix + "primary"
		spec.clusters = append(spec.clusters, clusterSpec{primary, zones[set%len(zones)]})
		for i := 1; i <= 6 && len(spec.clusters) < n; i++ {
			name := fmt.Sprintf("%sperf%d", prefix, i)
			spec.clusters = append(spec.clusters, clusterSpec{name, zones[(set+i)%len(zones)]})
			spec.links[pairKey(primary, name)] = time.Duration(4+5*i) * time.Millisecond
			perf = append(perf, replSpec{primary, name, perfType})
		}
		if len(spec.clusters) < n {
			name := prefix + "dr"
			spec.clusters = append(spec.clusters, clusterSpec{name, zones[set%len(zones)]})
			spec.links[pairKey(primary, name)] = 2 * time.Millisecond
			dr = append(dr, replSpec{primary, name, drType})
		}
	}
	spec.repl = append(perf, dr...)
	return spec
}

// group is one student's set of clusters (the only one, unnamed, in a lab
// without students), with the exercise run it is checked against.
type group struct {
	name     string // "s01"; "" without students
	index    int
	clusters []*cluster
	exercise *exerciseRun
}

// prefix is what the group's cluster names start with.
func (g *group) prefix() string {
	if g.name == "" {
		return ""
	}
	return g.name + "-"
}

// prefixed renames every cluster of the topology with p.
func (s topoSpec) prefixed(p string) topoSpec {
	if p == "" {
		return s
	}
	out := topoSpec{links: map[[2]string]time.Duration{}}
	for _, c := range s.clusters {
		out.clusters = append(out.clusters, clusterSpec{p + c.name, c.zone})
	}
	for k, d := range s.links {
		out.links[pairKey(p+k[0], p+k[1])] = d
	}
	for _, r := range s.repl {
		out.repl = append(out.repl, replSpec{p + r.primary, p + r.secondary, r.typ})
	}
	return out
}

// buildGroup creates the group's clusters and establishes the topology's
// replication as if it had been set up before the lab started.
func (l *Lab) buildGroup(g *group, spec topoSpec) error {
	spec = spec.prefixed(g.prefix())
	made, err := l.makeClusters(spec, len(l.clusters))
	if err != nil {
		return err
	}
	for _, c := range made {
		if l.byName[c.name] != nil {
			return fmt.Errorf("duplicate cluster %q", c.name)
		}
		l.clusters = append(l.clusters, c)
		l.byName[c.name] = c
	}
	g.clusters = made
	for k, d := range spec.links {
		l.links[k] = d
	}
	return nil
}

// makeClusters builds the clusters of spec, numbered from first, with their
// replication established, without adding them to the lab.
func (l *Lab) makeClusters(spec topoSpec, first int) ([]*cluster, error) {
	now := l.modelNow
	made := make([]*cluster, 0, len(spec.clusters))
	byName := map[string]*cluster{}
	for i, cs := range spec.clusters {
		if byName[cs.name] != nil {
			return nil, fmt.Errorf("duplicate cluster %q", cs.name)
		}
		c := l.newCluster(first+i, cs, now)
		made = append(made, c)
		byName[c.name] = c
	}
	for _, r := range spec.repl {
		l.establish(byName[r.primary], byName[r.secondary], r.typ, r.secondary, now)
	}
	return made, nil
}

// newCluster makes an initialised, unsealed Enterprise cluster configured the
// way a lab starts: a kv-v2 engine at secret/, userpass with the operator user
// and its policy, and a root token. The setup goes through the WAL like any
// write, so a fresh cluster's counters start above zero.
func (l *Lab) newCluster(i int, cs clusterSpec, now time.Time) *cluster {
	g := l.ids
	c := &cluster{
		name: cs.name, index: i, version: defaultVersion, zone: cs.zone,
		nodeAddrs: nodeAddrsFor(cs.name), coreID: g.uuid(), activeAt: now,
		perf: newRole(perfType), dr: newRole(drType),
		wraps: map[string]*wrapToken{}, drOpTokens: map[string]bool{}, requests: map[string]int{},
	}
	c.data = baseStore(g)
	c.rootToken = l.mintRoot(c, now)
	c.write(now, &mutation{op: opMountEnable, key: "secret/", mount: &mountEntry{Path: "secret/", Type: "kv",
		Description: "key/value secret storage", Accessor: "kv_" + g.hex(8), UUID: g.uuid(), Options: map[string]string{"version": "2"}}})
	c.write(now, &mutation{op: opAuthEnable, key: "userpass/", mount: &mountEntry{Path: "userpass/", Type: "userpass",
		Accessor: "auth_userpass_" + g.hex(8), UUID: g.uuid()}})
	c.write(now, &mutation{op: opPolicyPut, key: operatorPolicyName, policy: operatorPolicy})
	c.write(now, &mutation{op: opUserPut, key: userKey("userpass/", l.username),
		user: &userEntry{PasswordHash: hashPassword(l.password), Policies: []string{operatorPolicyName}}})
	c.handler = &clusterHandler{l: l, c: c}
	l.newOutbound(c)
	return c
}

// establish makes s a streaming secondary of p, as an activation long ago
// would have. A performance secondary gets a new local root token (its own
// was purged, and operators generate a new one); a DR secondary holds the
// primary's tokens, so it advertises the primary's root token, which is the
// one that works there after a promotion.
func (l *Lab) establish(p, s *cluster, t replType, id string, now time.Time) {
	pr := p.role(t)
	if !pr.isPrimary() {
		pr.mode, pr.state, pr.clusterID = modePrimary, stateRunning, l.ids.uuid()
		p.write(now, &mutation{op: opLocalInternal})
	}
	pr.known = append(pr.known, id)
	pr.peers[id] = &peerRecord{cluster: s.name, connected: true, lastHeartbeat: now}

	sr := s.role(t)
	*sr = *newRole(t)
	sr.mode, sr.state, sr.phase = modeSecondary, stateStreamWALs, phaseStream
	sr.clusterID, sr.secondaryID, sr.upstream = pr.clusterID, id, p.name
	sr.knownPrimaryAddrs = append([]string{}, p.nodeAddrs...)
	sr.primaryClusterAddr = p.nodeAddrs[0]
	sr.lastStart, sr.lastHeartbeat, sr.canaryAt = now, now, now.Truncate(canaryEvery)
	sr.connected, sr.connState, sr.consistent = true, connReady, true
	if t == perfType {
		s.data.tokens = map[string]*tokenEntry{}
		s.data.leases = map[string]uint64{}
		s.data.adoptPerf(p.data)
		sr.lastRemoteWAL = p.log.lastPerf
		s.rootToken = l.mintRoot(s, now)
		return
	}
	s.data = p.data.clone(false)
	sr.lastRemoteWAL = p.log.last
	s.rootToken = p.rootToken
	s.shadowPerf = cloneRole(p.perf)
}
