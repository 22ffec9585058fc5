package tui

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// faultCase is one row of the fault matrix: a fault on one cluster, what
// its pane must say while the fault lasts, and how the fault clears.
type faultCase struct {
	name string
	// via: "" reaches the cluster directly, "proxy" through a faultProxy,
	// "tls" through a faultProxy serving TLS.
	via   string
	apply func(e *labEnv, p *faultProxy, target string) error
	// clear lifts the fault; nil when it ends by itself (a burst).
	clear func(e *labEnv, p *faultProxy, target string) error
	polls int            // polls with the fault on (default 2)
	want  string         // regexp the target's pane matches while faulted
	class ops.ErrorClass // of the failed read; ErrUnknownClass when the read half succeeds
}

const faultTarget = "us-east-1"

// hangTimeout is the timeout of the reads of a hanging cluster; every other
// read has labEnv's generous default, so no case but the hang depends on
// how fast the machine answers.
const hangTimeout = 300 * time.Millisecond

func labFault(f func(l *sim.Lab, name string) error) func(*labEnv, *faultProxy, string) error {
	return func(e *labEnv, _ *faultProxy, name string) error { return f(e.lab, name) }
}

func proxyFault(h http.HandlerFunc) func(*labEnv, *faultProxy, string) error {
	return func(_ *labEnv, p *faultProxy, _ string) error { p.set(h); return nil }
}

func proxyClear(_ *labEnv, p *faultProxy, _ string) error { p.set(nil); return nil }

func inject(kind sim.ResponseFault, polls int) func(*labEnv, *faultProxy, string) error {
	// Each poll is two requests (health and replication status).
	return labFault(func(l *sim.Lab, n string) error { return l.InjectResponse(n, kind, 2*polls) })
}

func burst(status, polls int) func(*labEnv, *faultProxy, string) error {
	return labFault(func(l *sim.Lab, n string) error { return l.FailRequests(n, status, 2*polls) })
}

func faultMatrix() []faultCase {
	return []faultCase{
		{name: "connection refused", apply: labFault((*sim.Lab).Stop), clear: labFault((*sim.Lab).Restart),
			want: `unreachable: connection failed \(connection refused\)`, class: ops.ErrUnreachable},
		{name: "hang past the timeout",
			apply: func(e *labEnv, _ *faultProxy, n string) error { return e.hang(n, true) },
			clear: func(e *labEnv, _ *faultProxy, n string) error { return e.hang(n, false) },
			want:  `timed out waiting for Vault \(no complete response within 300ms\)`, class: ops.ErrTimeout},
		{name: "500 burst", apply: burst(500, 2), want: `Vault server error \(Internal Server Error \(simulated\)\)`, class: ops.ErrServer},
		{name: "502 burst", apply: burst(502, 2), want: `Vault server error \(Bad Gateway \(simulated\)\)`, class: ops.ErrServer},
		{name: "503 burst", apply: burst(503, 3), polls: 3, want: `Vault server error \(Service Unavailable \(simulated\)\)`, class: ops.ErrServer},
		{name: "sealed", apply: labFault((*sim.Lab).Seal), clear: labFault((*sim.Lab).Unseal),
			want: `sealed: only health answers; replication status returns once it is unsealed`},
		{name: "403 permission denied", apply: inject(sim.FaultForbidden, 2),
			want: `permission denied: the token's policy does not allow this`, class: ops.ErrPermissionDenied},
		{name: "403 invalid token", via: "proxy",
			apply: proxyFault(vaultError(403, `{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}`)), clear: proxyClear,
			want: `invalid token: expired, revoked or from another cluster`, class: ops.ErrInvalidToken},
		{name: "404 enterprise-only", apply: inject(sim.FaultEnterpriseOnly, 2),
			want: `Community Edition: replication is a Vault Enterprise feature`},
		{name: "Community Edition", apply: labFault(func(l *sim.Lab, n string) error { return l.SetCommunityEdition(n, true) }),
			clear: labFault(func(l *sim.Lab, n string) error { return l.SetCommunityEdition(n, false) }),
			want:  `Community Edition \(1\.\d+\.\d+\): replication is a Vault Enterprise feature`},
		{name: "400 DR secondary", via: "proxy",
			apply: proxyFault(vaultError(400, `{"errors":["path disabled in replication DR secondary mode"]}`)), clear: proxyClear,
			want: `DR secondary: only status endpoints answer`, class: ops.ErrDRSecondary},
		{name: "429", apply: inject(sim.FaultRateLimited, 2), want: `rate limited by Vault \(429\)`, class: ops.ErrRateLimited},
		{name: "malformed JSON", apply: inject(sim.FaultMalformedJSON, 2), want: `malformed response: not the JSON Vault sends`, class: ops.ErrMalformed},
		{name: "truncated body", apply: inject(sim.FaultTruncated, 2), want: `malformed response: not the JSON Vault sends \(.*cut off`, class: ops.ErrMalformed},
		{name: "50 MB body", apply: inject(sim.FaultHugeBody, 2), want: `response too large \(body larger than 4194304 bytes\)`, class: ops.ErrTooLarge},
		{name: "50 MB chunked body", via: "proxy", apply: proxyFault(chunkedHuge), clear: proxyClear,
			want: `response too large \(body larger than 4194304 bytes\)`, class: ops.ErrTooLarge},
		{name: "TLS certificate mismatch", via: "tls",
			apply: func(_ *labEnv, p *faultProxy, _ string) error { p.setMismatch(true); return nil },
			clear: func(_ *labEnv, p *faultProxy, _ string) error { p.setMismatch(false); return nil },
			want:  `TLS failure: certificate not trusted or handshake failed`, class: ops.ErrTLS},
		// The lab's flap fails every other request. A poll is two requests,
		// so every poll loses one half (health or replication status, in
		// whichever order they arrive): the pane keeps the other half.
		{name: "flap", apply: labFault(func(l *sim.Lab, n string) error { return l.Flap(n, true) }),
			clear: labFault(func(l *sim.Lab, n string) error { return l.Flap(n, false) }), polls: 4,
			want: `(health|replication status) unreadable: Vault server error`},
	}
}

// Every fault shows its classified message in its own pane, every other
// pane keeps updating, and the pane recovers once the fault clears. The
// dashboard never quits and every frame draws.
func TestFaultMatrix(t *testing.T) {
	for _, fc := range faultMatrix() {
		t.Run(fc.name, func(t *testing.T) {
			var proxy *faultProxy
			e := newLabEnv(t, labEnvOptions{topology: "global", hangTimeout: hangTimeout,
				addr: func(name, addr string) (string, ops.TLSConfig) {
					if name != faultTarget || fc.via == "" {
						return addr, ops.TLSConfig{}
					}
					proxy = newFaultProxy(t, addr, fc.via == "tls")
					return proxy.srv.URL, ops.TLSConfig{CACert: proxy.caFile}
				}})
			e.cycle()
			e.cycle()
			checkAllHealthy(t, e)

			if err := fc.apply(e, proxy, faultTarget); err != nil {
				t.Fatal(err)
			}
			want := regexp.MustCompile(fc.want)
			polls := max(fc.polls, 2)
			for i := range polls {
				before := snapshotPolls(e)
				e.cycle()
				checkOthersUpdated(t, e, before, want)
				c := &e.m.clusters[e.id(faultTarget)]
				pane := e.pane(faultTarget)
				if !want.MatchString(pane) {
					t.Fatalf("poll %d: %s's pane lacks %q:\n%s", i+1, faultTarget, fc.want, pane)
				}
				if fc.class != ops.ErrUnknownClass && ops.ClassOf(c.lastErr) != fc.class {
					t.Fatalf("poll %d: class %v (%v), want %v", i+1, ops.ClassOf(c.lastErr), c.lastErr, fc.class)
				}
				if fc.class == ops.ErrUnknownClass && c.lastErr != nil {
					t.Fatalf("poll %d: the read failed as a whole: %v", i+1, c.lastErr)
				}
			}
			if fc.class != ops.ErrUnknownClass {
				checkDetailShows(t, e, fc.class)
			}

			if fc.clear != nil {
				if err := fc.clear(e, proxy, faultTarget); err != nil {
					t.Fatal(err)
				}
			}
			e.cycle()
			checkAllHealthy(t, e)
			if p := e.pane(faultTarget); want.MatchString(p) {
				t.Fatalf("the message stays after recovery:\n%s", p)
			}
			if fc.class != ops.ErrUnknownClass && !hasEvent(e, faultTarget, "reachable again after") {
				t.Errorf("the timeline lacks the recovery: %v", e.m.clusters[e.id(faultTarget)].events)
			}
		})
	}
}

// A cluster that is down at every other poll: its pane alternates between
// the error and fresh data, the others never miss a poll, and the
// timeline (bounded) records each transition.
func TestFaultFlapEveryPoll(t *testing.T) {
	e := newLabEnv(t, labEnvOptions{topology: "global"})
	e.cycle()
	want := regexp.MustCompile(`Vault server error \(Service Unavailable \(simulated\)\)`)
	id := e.id(faultTarget)
	const polls = 80 // more transitions than the timeline keeps
	for i := range polls {
		down := i%2 == 0
		if down {
			if err := e.lab.FailRequests(faultTarget, 503, 2); err != nil {
				t.Fatal(err)
			}
		}
		before := snapshotPolls(e)
		e.cycle()
		checkOthersUpdated(t, e, before, want)
		c := &e.m.clusters[id]
		pane := e.pane(faultTarget)
		switch {
		case down && (ops.ClassOf(c.lastErr) != ops.ErrServer || !want.MatchString(pane)):
			t.Fatalf("poll %d: want the 503 in the pane, got %v:\n%s", i, c.lastErr, pane)
		case down && !strings.Contains(pane, "showing last good data"):
			t.Fatalf("poll %d: the last good data is not kept:\n%s", i, pane)
		case !down && (c.lastErr != nil || want.MatchString(pane)):
			t.Fatalf("poll %d: not recovered: %v:\n%s", i, c.lastErr, pane)
		}
	}
	if n := len(e.m.clusters[id].events); n > maxEvents {
		t.Errorf("timeline holds %d events, bound %d", n, maxEvents)
	}
	if !hasEvent(e, faultTarget, "reachable again after") || !hasEvent(e, faultTarget, "unreachable: Vault server error") {
		t.Errorf("transitions missing: %v", e.m.clusters[id].events)
	}
}

// snapshotPolls records each cluster's poll count and its primary WAL.
type pollMark struct {
	polls int
	wal   uint64
}

func snapshotPolls(e *labEnv) []pollMark {
	out := make([]pollMark, len(e.m.clusters))
	for i := range e.m.clusters {
		c := &e.m.clusters[i]
		out[i].polls = c.polls
		if c.snap != nil && c.snap.Replication != nil {
			out[i].wal = c.snap.Replication.Performance.LastWAL
		}
	}
	return out
}

// checkOthersUpdated: every cluster but the target was read in this cycle,
// successfully, shows new data, and does not show the target's message.
func checkOthersUpdated(t *testing.T, e *labEnv, before []pollMark, want *regexp.Regexp) {
	t.Helper()
	for i := range e.m.clusters {
		c := &e.m.clusters[i]
		if c.spec.Name == faultTarget {
			continue
		}
		if c.polls != before[i].polls+1 || c.lastErr != nil || !c.lastOK.Equal(e.clk.Now()) {
			t.Fatalf("%s missed the poll: polls %d→%d, err %v, last ok %v", c.spec.Name, before[i].polls, c.polls, c.lastErr, c.lastOK)
		}
		if r := c.snap.Replication; r != nil && r.Performance.Mode == ops.ModePrimary && r.Performance.LastWAL <= before[i].wal {
			t.Fatalf("%s shows no new data: WAL %d→%d", c.spec.Name, before[i].wal, r.Performance.LastWAL)
		}
		if p := e.pane(c.spec.Name); want.MatchString(p) {
			t.Fatalf("%s's pane shows the target's fault:\n%s", c.spec.Name, p)
		}
	}
}

// checkAllHealthy: every cluster's latest read succeeded in full.
func checkAllHealthy(t *testing.T, e *labEnv) {
	t.Helper()
	for i := range e.m.clusters {
		c := &e.m.clusters[i]
		if c.lastErr != nil || c.snap == nil || c.snap.Health == nil || c.snap.Replication == nil ||
			c.snap.HealthErr != nil || c.snap.ReplicationErr != nil || c.snap.Replication.CommunityEdition {
			t.Fatalf("%s is not healthy: %v\n%s", c.spec.Name, c.lastErr, e.pane(c.spec.Name))
		}
	}
	n := len(e.m.clusters)
	if v := plain(e.m); !strings.Contains(v, fmt.Sprintf("%d/%d reachable", n, n)) {
		t.Fatalf("header:\n%s", v)
	}
}

// checkDetailShows opens the target's detail view, which must name the
// error's class and its hint.
func checkDetailShows(t *testing.T, e *labEnv, class ops.ErrorClass) {
	t.Helper()
	m := e.m
	m.focus = e.id(faultTarget)
	m = send(m, keyMsg("enter"))
	if m.screen != screenDetail {
		t.Fatal("enter did not open the detail view")
	}
	v := strings.Join(strings.Fields(plain(m)), " ")
	oe := &ops.Error{Class: class}
	for _, s := range []string{"class " + class.String(), "what " + oe.Summary(), "hint " + oe.Hint()[:30]} {
		if !strings.Contains(v, s) {
			t.Fatalf("detail view lacks %q:\n%s", s, plain(m))
		}
	}
}

func hasEvent(e *labEnv, name, prefix string) bool {
	for _, ev := range e.m.clusters[e.id(name)].events {
		if strings.Contains(ev.text, prefix) {
			return true
		}
	}
	return false
}
