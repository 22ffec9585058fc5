package sim

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Faults are scripted from Go (tests, the dashboard's lab menu) and from the
// control endpoint (training). Each one changes the model or the HTTP layer in
// front of it; none fakes a replication status directly.

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

// withLink runs f on the link between two distinct clusters under the lock,
// with the model brought up to date first.
func (l *Lab) withLink(a, b string, f func(key [2]string)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ca, err := l.cluster(a)
	if err != nil {
		return err
	}
	cb, err := l.cluster(b)
	if err != nil {
		return err
	}
	if ca == cb {
		return fmt.Errorf("cannot partition %q from itself", a)
	}
	l.syncLocked()
	f(pairKey(ca.name, cb.name))
	return nil
}

// Partition cuts the network between two clusters.
func (l *Lab) Partition(a, b string) error {
	return l.withLink(a, b, func(k [2]string) { l.partitions[k] = true })
}

// Heal restores the network between two clusters.
func (l *Lab) Heal(a, b string) error {
	return l.withLink(a, b, func(k [2]string) { delete(l.partitions, k) })
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
// personality: before 1.17 an invalid token is only "permission denied";
// replication status and sys/health leave out the fields the version did not
// have yet (canary age before 1.17, echo and clock skew before 1.16, the
// merkle corruption fields before 1.15, reindex epoch, SSCT counter,
// last_start and connection_state before 1.13); and a Community Edition
// cluster before 1.14 knows no Enterprise paths at all ("unsupported path").
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

// PromoteWithoutDemote promotes name's secondary of replicationType ("dr" or
// "performance") exactly as `…/secondary/promote` does, with force, leaving
// its primary a primary: the split brain of a failover done halfway, where
// both clusters accept writes as primary of one replication set. The lab
// offers it so that a trainee can see what that looks like without first
// generating a DR operation token.
func (l *Lab) PromoteWithoutDemote(name, replicationType string) error {
	t, err := parseReplType(replicationType)
	if err != nil {
		return err
	}
	return l.withCluster(name, func(c *cluster) error {
		q := &request{l: l, c: c, now: l.now(), body: map[string]any{"force": true}}
		resp := handlePromote(q, t)
		if resp.status != http.StatusOK {
			return fmt.Errorf("promote %s: %s", name, resp.body)
		}
		return nil
	})
}
