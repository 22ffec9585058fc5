package ops

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Op names of the two status reads, as they appear in errors.
const (
	OpReadHealth      = "read health"
	OpReadReplication = "read replication status"
)

// healthQuery is what vault/api's Sys().Health() sends: every "this node is
// not the healthy active node" status becomes 299, so sealed, standby,
// performance-standby, DR-secondary, uninitialised, HA-unhealthy and removed
// nodes all answer 2xx with their health data.
var healthQuery = url.Values{
	"uninitcode":             {"299"},
	"sealedcode":             {"299"},
	"standbycode":            {"299"},
	"drsecondarycode":        {"299"},
	"performancestandbycode": {"299"},
	"removedcode":            {"299"},
	"haunhealthycode":        {"299"},
}

// HealthQuery returns a copy of the query parameters every sys/health read
// sends, so that a screen showing the equivalent command shows exactly what
// is sent.
func HealthQuery() url.Values {
	q := make(url.Values, len(healthQuery))
	for k, v := range healthQuery {
		q[k] = append([]string(nil), v...)
	}
	return q
}

// healthStatuses are the codes sys/health uses for its own answers when the
// overrides are ignored (an old server or a proxy that strips the query):
// their bodies are still health data.
var healthStatuses = map[int]bool{429: true, 472: true, 473: true, 474: true, 501: true, 503: true, 530: true}

// Status reads sys/health and sys/replication/status concurrently, so a poll
// costs one round trip. Both are unauthenticated and read in the root
// namespace.
//
// Either half may fail on its own, with its classified error in the
// Snapshot (a sealed cluster has health but no replication status). Status
// returns an error only when neither half could be read; the Snapshot then
// still carries both errors and the timing.
func (c *Client) Status(ctx context.Context) (Snapshot, error) {
	start := c.opts.Now()
	var (
		wg              sync.WaitGroup
		health          *Health
		healthErr       error
		healthDate      time.Time
		replication     *Replication
		replicationErr  error
		replicationDate time.Time
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		health, healthDate, healthErr = c.readHealth(ctx)
	}()
	go func() {
		defer wg.Done()
		replication, replicationDate, replicationErr = c.readReplication(ctx)
	}()
	wg.Wait()
	snap, err := c.snapshot(start, health, healthErr, replication, replicationErr)
	snap.ServerClock, snap.ClockSource = serverClock(health, healthDate, replicationDate)
	snap.Issued = c.issued.snapshot()
	snap.PathsFilterWrites = c.filterWrites.load()
	return snap, err
}

// serverClock is the cluster's clock of one poll: server_time_utc of a
// health read of this poll (health may be nil: carried over or failed),
// else the Date header of either reply.
func serverClock(health *Health, dates ...time.Time) (time.Time, ClockSource) {
	if health != nil && !health.ServerTime.IsZero() {
		return health.ServerTime, ClockServerTime
	}
	for _, d := range dates {
		if !d.IsZero() {
			return d, ClockDateHeader
		}
	}
	return time.Time{}, ClockNone
}

// snapshot puts the two reads of a status together. It is an error only when
// neither half was read, and then the replication error, which names the
// more specific failure (a sealed cluster still answers health).
func (c *Client) snapshot(start time.Time, health *Health, healthErr error, replication *Replication, replicationErr error) (Snapshot, error) {
	snap := Snapshot{
		FetchedAt: start, Took: c.opts.Now().Sub(start),
		Health: health, HealthErr: healthErr,
		Replication: replication, ReplicationErr: replicationErr,
	}
	if health == nil && replication == nil {
		if replicationErr != nil {
			return snap, replicationErr
		}
		return snap, healthErr
	}
	return snap, nil
}

// readHealth reads GET sys/health with the 299 overrides.
// The reply's Date header comes back even when the read failed: a server
// that answered has a clock.
func (c *Client) readHealth(ctx context.Context) (*Health, time.Time, error) {
	rep, err := c.do(ctx, request{op: OpReadHealth, method: http.MethodGet, path: "sys/health", query: healthQuery})
	if err != nil && !(rep.status != 0 && healthStatuses[rep.status]) {
		return nil, rep.date, err
	}
	h, perr := ParseHealth(rep.body)
	if perr != nil {
		if err != nil {
			return nil, rep.date, err // the status code says more than the body
		}
		return nil, rep.date, c.withOp(perr, OpReadHealth, rep.status)
	}
	return &h, rep.date, nil
}

// readReplication reads GET sys/replication/status (both types at once).
func (c *Client) readReplication(ctx context.Context) (*Replication, time.Time, error) {
	rep, err := c.do(ctx, request{op: OpReadReplication, method: http.MethodGet, path: "sys/replication/status"})
	if err != nil {
		// CE has always answered this path with {"mode":"disabled"}, but a
		// 404 "enterprise-only feature" here (as PR #18870 once planned)
		// says the same thing, so it is data, not a failure.
		if ClassOf(err) == ErrCommunityEdition {
			return ceReplication(), rep.date, nil
		}
		return nil, rep.date, err
	}
	r, perr := ParseReplicationStatus(rep.body)
	if perr != nil {
		return nil, rep.date, c.withOp(perr, OpReadReplication, rep.status)
	}
	return &r, rep.date, nil
}

func ceReplication() *Replication {
	r := &Replication{CommunityEdition: true}
	for _, t := range ReplicationTypes {
		r.set(t, TypeStatus{Type: t, Mode: ModeDisabled, RawMode: ModeDisabled.String()})
	}
	return r
}

// StatusAfter refreshes a cluster read before as prev, usually with one
// request: sys/replication/status, carrying prev's health data over. It also
// reads sys/health — one request after the other, still two in all — when
// prev has no complete health and replication data, when prev was sealed or
// a standby (states that health tells), when the replication read fails,
// or when it tells another story than prev's (edition, licence, either
// type's mode). Otherwise health can only have changed in ways the
// replication status does not show (a version upgrade, a standby taking
// over), so a caller that polls uses Status every few polls and StatusAfter
// in between. A nil prev is Status.
func (c *Client) StatusAfter(ctx context.Context, prev *Snapshot) (Snapshot, error) {
	if !healthCarriesOver(prev) {
		return c.Status(ctx)
	}
	start := c.opts.Now()
	replication, replicationDate, replicationErr := c.readReplication(ctx)
	if replicationErr == nil && sameStory(prev.Replication, replication) {
		// The carried-over health's server_time_utc is of an earlier poll:
		// this poll's clock is its reply's Date header.
		snap, err := c.snapshot(start, prev.Health, nil, replication, nil)
		snap.ServerClock, snap.ClockSource = serverClock(nil, replicationDate)
		snap.Issued = c.issued.snapshot()
		snap.PathsFilterWrites = c.filterWrites.load()
		return snap, err
	}
	health, healthDate, healthErr := c.readHealth(ctx)
	snap, err := c.snapshot(start, health, healthErr, replication, replicationErr)
	snap.ServerClock, snap.ClockSource = serverClock(health, healthDate, replicationDate)
	snap.Issued = c.issued.snapshot()
	snap.PathsFilterWrites = c.filterWrites.load()
	return snap, err
}

// healthCarriesOver reports whether prev's health data may stand for now.
func healthCarriesOver(prev *Snapshot) bool {
	if prev == nil || prev.Health == nil || prev.Replication == nil || prev.HealthErr != nil || prev.ReplicationErr != nil {
		return false
	}
	h := prev.Health
	return h.Initialized && !h.Sealed && !h.Standby && !h.PerformanceStandby
}

// sameStory: the two replication reads agree on everything sys/health also
// describes.
func sameStory(a, b *Replication) bool {
	return a.CommunityEdition == b.CommunityEdition && a.Unsupported == b.Unsupported &&
		a.Performance.Mode == b.Performance.Mode && a.DR.Mode == b.DR.Mode
}
