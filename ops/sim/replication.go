package sim

import (
	"slices"
	"strconv"
	"time"
)

// This file advances the replication model one quantum at a time. Nothing in
// it reads the wall clock: it is given the lab time, so a manual clock drives
// it exactly like the real-time driver does.

// step advances every cluster to now (a quantum boundary).
func (l *Lab) step(now time.Time) {
	for _, c := range l.clusters {
		l.stepTimers(c, now)
	}
	for _, c := range l.clusters {
		l.backgroundWrites(c, now)
	}
	for _, c := range l.clusters {
		for _, t := range []replType{perfType, drType} {
			if r := c.role(t); r.isSecondary() {
				l.stepSecondary(c, r, now)
			}
		}
	}
	l.checkExercises(now)
}

// stepTimers ends bootstrapping and reindexing when their time has come.
func (l *Lab) stepTimers(c *cluster, now time.Time) {
	for _, r := range []*role{c.perf, c.dr} {
		if r.mode != modeBootstrapping || now.Before(r.bootUntil) {
			continue
		}
		r.mode = r.bootTo
		if r.mode == modePrimary {
			r.state = stateRunning
		} else {
			r.state = stateIdle
			r.phase = phaseConnecting
			r.connState = connConnecting
			r.retryAt = now
		}
	}
	if !c.reindexUntil.IsZero() && !now.Before(c.reindexUntil) {
		c.reindexUntil = time.Time{}
		for _, r := range []*role{c.perf, c.dr} {
			if r.enabled() {
				r.corrupted = false
				r.lastReindex = now
				// A repaired tree must be compared again before streaming.
				if r.isSecondary() && r.phase == phaseStream {
					r.phase, r.phaseUntil, r.state = phaseDiff, now.Add(merkleDiffTime), stateMerkleDiff
				}
			}
		}
	}
}

// writable reports whether the cluster accepts writes of its own: it runs, is
// unsealed and is not a secondary of either type.
func (c *cluster) writable() bool {
	return c.up() && !c.perfSecondary() && !c.drSecondary()
}

// backgroundWrites simulates application traffic on primaries at
// Options.WriteRate: mostly KV writes (replicated everywhere), some leases
// (DR only, like tokens), some local housekeeping (WAL only).
func (l *Lab) backgroundWrites(c *cluster, now time.Time) {
	if l.opts.WriteRate <= 0 || !c.writable() || !(c.perf.isPrimary() || c.dr.isPrimary()) || c.ce {
		return
	}
	n := l.ids.poisson(l.opts.WriteRate * quantum.Seconds())
	for range n {
		x := l.ids.float()
		var m *mutation
		switch {
		case x < 0.75:
			key := "secret/app-" + strconv.Itoa(int(l.ids.float()*64))
			m = &mutation{op: opKVPut, key: key, ver: c.data.kv[key] + 1}
		case x < 0.95:
			key := "sys/expire/id/auth/userpass/login/app-" + strconv.Itoa(int(l.ids.float()*32))
			m = &mutation{op: opLeasePut, key: key, ver: c.data.leases[key] + 1}
		default:
			m = &mutation{op: opLocalInternal}
		}
		c.write(now, m)
	}
}

// write applies a change locally and logs it for secondaries.
func (c *cluster) write(now time.Time, m *mutation) uint64 {
	perf := m.perf(c.data)
	c.data.apply(m)
	return c.log.append(now, perf, m)
}

// linkLatency is the one-way delay between two clusters: the topology's base
// latency plus any latency injected on either end.
func (l *Lab) linkLatency(a, b *cluster) time.Duration {
	d, ok := l.links[pairKey(a.name, b.name)]
	if !ok {
		d = defaultLinkRTT
	}
	return d + a.faults.latency + b.faults.latency
}

func pairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// reachable reports whether a can talk to b over the network at all.
func (l *Lab) reachable(a, b *cluster) bool {
	return !b.stopped && !a.stopped && !l.partitions[pairKey(a.name, b.name)]
}

// primaryFor returns the primary a secondary role follows, or nil.
func (l *Lab) primaryFor(r *role) *cluster {
	if r.upstream == "" {
		return nil
	}
	return l.byName[r.upstream]
}

// linkUp is the whole condition for a replication stream: both ends up and
// reachable, the upstream still a primary of the same replication set, and
// this secondary's ID not revoked.
func (l *Lab) linkUp(s *cluster, r *role, p *cluster) bool {
	if p == nil || !s.up() || !p.up() || s.ce || p.ce || !l.reachable(s, p) {
		return false
	}
	pr := p.role(r.typ)
	return pr.isPrimary() && pr.clusterID == r.clusterID && pr.knows(r.secondaryID)
}

// stepSecondary runs one quantum of a secondary's connection and sync cycle.
func (l *Lab) stepSecondary(s *cluster, r *role, now time.Time) {
	p := l.primaryFor(r)
	if p == nil {
		r.connected, r.connState, r.state = false, connIdle, stateIdle
		return
	}
	pr := p.role(r.typ)
	if !l.linkUp(s, r, p) {
		l.linkDown(r, now)
		return
	}
	lat := l.linkLatency(s, p)
	if !r.connected {
		if now.Before(r.retryAt) {
			return
		}
		if r.connState != connConnecting {
			// Show a connection attempt before it succeeds.
			r.connState, r.retryAt = connConnecting, now.Add(connectTime)
			return
		}
		r.connected, r.connState, r.lastHeartbeat = true, connReady, now
		r.knownPrimaryAddrs = slices.Clone(p.nodeAddrs)
		if r.phase != phaseStream {
			r.phase, r.phaseUntil, r.state = phaseDiff, now.Add(merkleDiffTime), stateMerkleDiff
		}
	}
	rec := pr.peers[r.secondaryID]
	if rec == nil {
		rec = &peerRecord{}
		pr.peers[r.secondaryID] = rec
	}
	if now.Sub(r.lastHeartbeat) >= heartbeatEvery {
		r.lastHeartbeat = now
	}
	rec.cluster, rec.connected, rec.lastHeartbeat = s.name, true, r.lastHeartbeat
	if c := now.Add(-lat).Truncate(canaryEvery); c.After(r.canaryAt) {
		r.canaryAt = c
	}
	if r.typ == drType {
		// A DR secondary mirrors its primary's performance identity so that a
		// promotion can take that role over ("Promote DR secondary" in
		// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr).
		s.shadowPerf = cloneRole(p.perf)
		if p.drSecondary() && p.shadowPerf != nil {
			s.shadowPerf = cloneRole(p.shadowPerf)
		}
	}

	switch r.phase {
	case phaseDiff:
		if now.Before(r.phaseUntil) {
			return
		}
		_, logOK := p.log.after(r.lastRemoteWAL)
		if r.corrupted || pr.corrupted || !r.consistent || !logOK {
			r.phase, r.state = phaseSync, stateMerkleSync
			r.syncDone, r.syncTotal = 0, p.data.keyCount(r.typ == perfType)
			return
		}
		r.phase, r.state = phaseStream, stateStreamWALs
		r.initialSync = false
		l.stream(s, r, p, now, lat)
	case phaseSync:
		r.syncDone += uint64(syncKeysPerSecond * quantum.Seconds())
		if r.syncDone < r.syncTotal {
			return
		}
		r.syncDone = r.syncTotal
		if !r.corrupted && !pr.corrupted {
			// The sync copies the primary's current replicated state.
			if r.typ == perfType {
				s.data.adoptPerf(p.data)
				r.lastRemoteWAL = p.log.lastPerf
			} else {
				s.data = p.data.clone(false)
				r.lastRemoteWAL = p.log.last
			}
			r.consistent = true
			l.dataReplaced(s, now)
		}
		// Either way the trees are compared again; with a corrupted tree
		// this loops merkle-diff → merkle-sync forever, as real clusters do.
		r.phase, r.phaseUntil, r.state = phaseDiff, now.Add(merkleDiffTime/2), stateMerkleDiff
	case phaseStream:
		l.stream(s, r, p, now, lat)
	}
}

// linkDown handles a quantum in which the secondary cannot reach its primary:
// gRPC-style reconnection attempts, alternating connecting and
// transient_failure. The state keeps its last value (a captured 2018 output
// showed stream-wals on a secondary whose primary was gone).
func (l *Lab) linkDown(r *role, now time.Time) {
	if r.connected {
		r.connected, r.connState, r.retryAt = false, connTransientFailure, now.Add(retryBackoff)
		if r.phase == phaseSync {
			r.phase = phaseConnecting
		}
		return
	}
	if now.Before(r.retryAt) {
		return
	}
	if r.connState == connConnecting {
		r.connState, r.retryAt = connTransientFailure, now.Add(retryBackoff)
	} else {
		r.connState, r.retryAt = connConnecting, now.Add(connectTime)
	}
}

// stream applies the primary's WAL entries that have crossed the link.
func (l *Lab) stream(s *cluster, r *role, p *cluster, now time.Time, lat time.Duration) {
	entries, ok := p.log.after(r.lastRemoteWAL)
	if !ok {
		// The WALs this secondary needs are gone: resynchronise.
		r.consistent = false
		r.phase, r.phaseUntil, r.state = phaseDiff, now.Add(merkleDiffTime), stateMerkleDiff
		return
	}
	arrived := now.Add(-lat)
	for _, e := range entries {
		if e.at.After(arrived) {
			break
		}
		if r.typ == perfType && !e.perf {
			continue
		}
		s.write(now, e.mut)
		r.lastRemoteWAL = e.index
	}
}

func cloneRole(r *role) *role {
	c := *r
	c.known = slices.Clone(r.known)
	c.peers = map[string]*peerRecord{}
	c.filters = map[string]pathsFilter{}
	for k, v := range r.filters {
		c.filters[k] = pathsFilter{mode: v.mode, paths: slices.Clone(v.paths)}
	}
	c.knownPrimaryAddrs = slices.Clone(r.knownPrimaryAddrs)
	return &c
}

// unavailable reports whether the cluster answers ordinary requests with 503:
// shortly after a role change, during a secondary's initial sync, and while a
// primary reindexes.
func (c *cluster) unavailable(now time.Time) bool {
	if now.Before(c.unavailableUntil) {
		return true
	}
	if c.perf.initialSync || c.dr.initialSync {
		return true
	}
	return !c.reindexUntil.IsZero() && (c.perf.isPrimary() || c.dr.isPrimary())
}

// dataReplaced is called when c's data was replaced wholesale (a purge on
// activation, or a merkle sync) rather than by WAL entries: c's own DR
// secondaries cannot follow that by streaming and must compare trees and
// resynchronise.
func (l *Lab) dataReplaced(c *cluster, now time.Time) {
	for _, s := range l.clusters {
		if r := s.dr; r.isSecondary() && r.upstream == c.name {
			r.consistent = false
			if r.phase == phaseStream {
				r.phase, r.phaseUntil, r.state = phaseDiff, now.Add(merkleDiffTime), stateMerkleDiff
			}
		}
	}
}
