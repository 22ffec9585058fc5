package wizard

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The fake world is a handful of clusters with just enough replication
// behaviour to drive the step machine: roles, activation tokens, a secondary
// that moves bootstrapping → merkle-diff → merkle-sync → stream-wals one
// status read at a time, auth methods that propagate, and a log of writes.
// The teatest flows use the real simulator (ops/sim) instead.

var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fakeRole struct {
	mode        ops.Mode
	clusterID   string
	known       []string
	primary     string // secondaries: the primary's name
	secondaryID string
	progress    int // secondaries: status reads since activation
	wal         uint64
}

type fakeCluster struct {
	name, addr string
	ce         bool
	sealed     bool
	down       bool
	perf, dr   fakeRole
	mounts     []ops.Mount
	auth       []ops.Mount
	caps       map[string][]string // nil: root
	badToken   bool                // the token is gone (after activation)
	stall      bool                // a secondary that never gets past merkle-diff
}

func (c *fakeCluster) role(t ops.ReplicationType) *fakeRole {
	if t == ops.DR {
		return &c.dr
	}
	return &c.perf
}

type fakeWorld struct {
	mu       sync.Mutex
	clock    *fakeClock
	clusters []*fakeCluster
	writes   []string
	tokenIDs map[string]string // activation JWT → secondary id
	issuers  map[string]string // activation JWT → the primary that signed it
}

func newWorld(names ...string) *fakeWorld {
	w := &fakeWorld{clock: &fakeClock{t: t0}, tokenIDs: map[string]string{}, issuers: map[string]string{}}
	for i, n := range names {
		w.clusters = append(w.clusters, &fakeCluster{
			name: n, addr: fmt.Sprintf("http://127.0.0.1:%d", 8200+i),
			perf: fakeRole{mode: ops.ModeDisabled}, dr: fakeRole{mode: ops.ModeDisabled},
			mounts: []ops.Mount{{Path: "cubbyhole/", Type: "cubbyhole"}, {Path: "secret/", Type: "kv"}, {Path: "sys/", Type: "system"}},
			auth:   []ops.Mount{{Path: "token/", Type: "token"}, {Path: "userpass/", Type: "userpass"}},
		})
	}
	return w
}

func (w *fakeWorld) get(name string) *fakeCluster {
	for _, c := range w.clusters {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (w *fakeWorld) byAddr(addr string) *fakeCluster {
	for _, c := range w.clusters {
		if normAddr(c.addr) == normAddr(addr) {
			return c
		}
	}
	return nil
}

func (w *fakeWorld) wrote() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.writes)
}

func (w *fakeWorld) deps() Deps {
	var cs []Cluster
	for _, c := range w.clusters {
		cs = append(cs, Cluster{Name: c.name, Address: c.addr, Op: &fakeOp{w: w, name: c.name}})
	}
	return Deps{
		Clusters: cs, Now: w.clock.Now, Interval: time.Second, StuckAfter: 5, VerifyPolls: 5,
		Username: "operator",
		Login: func(_ context.Context, cluster, user, pass string) (Operator, error) {
			if pass != "secret" {
				return nil, &ops.Error{Class: ops.ErrPermissionDenied, Op: "log in with userpass", Cluster: cluster, StatusCode: 400, Messages: []string{"invalid username or password"}}
			}
			return &fakeOp{w: w, name: cluster, fresh: true}, nil
		},
		Copy: func(string) error { return nil },
	}
}

// fakeOp is one cluster's Operator. fresh: it carries a token obtained by
// logging in after activation.
type fakeOp struct {
	w     *fakeWorld
	name  string
	fresh bool
}

func (o *fakeOp) err(class ops.ErrorClass, op string, msgs ...string) error {
	return &ops.Error{Class: class, Op: op, Cluster: o.name, Messages: msgs}
}

// reachable checks the cluster is up; the caller holds the lock.
func (o *fakeOp) reachable(op string) (*fakeCluster, error) {
	c := o.w.get(o.name)
	if c.down {
		return nil, o.err(ops.ErrUnreachable, op, "dial tcp "+strings.TrimPrefix(c.addr, "http://")+": connect: connection refused")
	}
	return c, nil
}

func (o *fakeOp) authed(op string) (*fakeCluster, error) {
	c, err := o.reachable(op)
	if err != nil {
		return nil, err
	}
	if c.dr.mode == ops.ModeSecondary {
		return nil, o.err(ops.ErrDRSecondary, op, "path disabled in replication DR secondary mode")
	}
	if c.badToken && !o.fresh {
		return nil, o.err(ops.ErrInvalidToken, op, "permission denied", "invalid token")
	}
	return c, nil
}

func (o *fakeOp) Status(context.Context) (ops.Snapshot, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.reachable("read status")
	if err != nil {
		return ops.Snapshot{}, err
	}
	s := ops.Snapshot{FetchedAt: o.w.clock.Now()}
	s.Health = &ops.Health{Initialized: true, Sealed: c.sealed, Enterprise: !c.ce, Version: "1.17.0+ent"}
	if c.ce {
		s.Health.Version = "1.17.0"
		s.Replication = &ops.Replication{CommunityEdition: true}
		return s, nil
	}
	if c.sealed {
		s.ReplicationErr = o.err(ops.ErrSealed, "read replication status")
		return s, nil
	}
	r := &ops.Replication{}
	for _, t := range ops.ReplicationTypes {
		ts := o.w.typeStatus(c, t)
		if t == ops.DR {
			r.DR = ts
		} else {
			r.Performance = ts
		}
	}
	s.Replication = r
	return s, nil
}

// typeStatus renders one role, moving a new secondary one state further on
// each read; the caller holds the lock.
func (w *fakeWorld) typeStatus(c *fakeCluster, t ops.ReplicationType) ops.TypeStatus {
	r := c.role(t)
	ts := ops.TypeStatus{Type: t, Mode: r.mode, RawMode: r.mode.String(), ClusterID: r.clusterID}
	switch r.mode {
	case ops.ModePrimary:
		ts.State = ops.StateRunning
		ts.KnownSecondaries = slices.Clone(r.known)
		ts.LastWAL, ts.LastPerformanceWAL, ts.LastDRWAL = r.wal, r.wal, r.wal
		for _, s := range w.clusters {
			sr := s.role(t)
			if sr.mode == ops.ModeSecondary && sr.primary == c.name && sr.progress >= 4 {
				ts.Secondaries = append(ts.Secondaries, ops.Peer{NodeID: sr.secondaryID, APIAddress: s.addr, Status: ops.PeerConnected})
			}
		}
	case ops.ModeSecondary, ops.ModeBootstrapping:
		p := w.get(r.primary)
		if !c.stall {
			r.progress++
		} else {
			r.progress = min(r.progress+1, 2)
		}
		ts.SecondaryID = r.secondaryID
		switch {
		case r.progress <= 1:
			ts.Mode, ts.RawMode = ops.ModeBootstrapping, "bootstrapping"
			ts.State, ts.ConnectionState = ops.StateUnknown, ops.ConnConnecting
		case r.progress == 2:
			ts.State, ts.ConnectionState = ops.StateMerkleDiff, ops.ConnReady
		case r.progress == 3:
			ts.State, ts.ConnectionState = ops.StateMerkleSync, ops.ConnReady
			ts.MerkleSync = &ops.SyncProgress{Progress: 40, TotalKeys: 100}
		default:
			ts.State, ts.ConnectionState = ops.StateStreamWALs, ops.ConnReady
			r.wal = p.role(t).wal
		}
		ts.LastRemoteWAL, ts.HasLastRemoteWAL = r.wal, true
	case ops.ModeDisabled, ops.ModeUnknown, ops.ModeUnsupported:
	}
	return ts
}

func (o *fakeOp) Capabilities(_ context.Context, paths ...string) (map[string][]string, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.authed("read capabilities")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range paths {
		switch {
		case c.caps == nil:
			out[p] = []string{"root"}
		default:
			out[p] = c.caps[p]
		}
	}
	return out, nil
}

func (o *fakeOp) EnablePrimary(_ context.Context, t ops.ReplicationType, _ ops.EnablePrimaryRequest) (ops.WriteResult, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	op := "enable " + t.String() + " primary"
	c, err := o.authed(op)
	if err != nil {
		return ops.WriteResult{}, err
	}
	o.w.writes = append(o.w.writes, o.name+": "+op)
	r := c.role(t)
	if r.mode != ops.ModeDisabled {
		return ops.WriteResult{}, o.err(ops.ErrBadRequest, op, "already enabled (simulated)")
	}
	r.mode, r.clusterID = ops.ModePrimary, o.name+"-"+t.String()+"-set"
	return ops.WriteResult{Warnings: []string{"This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly."}}, nil
}

func (o *fakeOp) SecondaryToken(_ context.Context, t ops.ReplicationType, rq ops.SecondaryTokenRequest) (ops.ActivationToken, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	op := "generate " + t.String() + " secondary token"
	c, err := o.authed(op)
	if err != nil {
		return ops.ActivationToken{}, err
	}
	o.w.writes = append(o.w.writes, o.name+": "+op+" "+rq.ID)
	r := c.role(t)
	if slices.Contains(r.known, rq.ID) {
		return ops.ActivationToken{}, o.err(ops.ErrBadRequest, op, "duplicate id (simulated)")
	}
	r.known = append(r.known, rq.ID)
	now := o.w.clock.Now()
	ttl := rq.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	jwt := makeJWT(now, now.Add(ttl), c.addr)
	o.w.tokenIDs[jwt] = rq.ID
	o.w.issuers[jwt] = c.name
	return ops.ActivationToken{ID: rq.ID, Token: jwt, TTL: ttl, IssuedAt: now, Expires: now.Add(ttl), Addr: c.addr, CreationTime: now}, nil
}

func (o *fakeOp) EnableSecondary(_ context.Context, t ops.ReplicationType, rq ops.EnableSecondaryRequest) (ops.WriteResult, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	op := "enable " + t.String() + " secondary"
	c, err := o.authed(op)
	if err != nil {
		return ops.WriteResult{}, err
	}
	o.w.writes = append(o.w.writes, o.name+": "+op)
	claims, derr := ops.DecodeActivationToken(rq.Token)
	if derr != nil {
		return ops.WriteResult{}, o.err(ops.ErrBadRequest, op, "bad token")
	}
	addr := rq.PrimaryAPIAddr
	if addr == "" {
		addr = claims.Addr
	}
	// What the secondary says when its unwrap call to addr fails, as the
	// lab (and Vault) word it: no answer, a Vault that did not sign the
	// token (403), or a token that Vault no longer knows (400).
	p := o.w.byAddr(addr)
	if p == nil || p.down {
		return ops.WriteResult{}, o.err(ops.ErrServer, op, `error unwrapping secondary token: Post "`+addr+`/v1/sys/wrapping/unwrap": dial tcp: connect: connection refused (simulated)`)
	}
	if issuer, known := o.w.issuers[rq.Token]; known && issuer != p.name {
		return ops.WriteResult{}, o.err(ops.ErrServer, op, `error response unwrapping secondary token; status code is 403, message is "403 Forbidden"`)
	}
	id, ok := o.w.tokenIDs[rq.Token]
	if !ok || !claims.Expires.After(o.w.clock.Now()) {
		return ops.WriteResult{}, o.err(ops.ErrServer, op, `error response unwrapping secondary token; status code is 400, message is "400 Bad Request"`)
	}
	delete(o.w.tokenIDs, rq.Token)
	r := c.role(t)
	*r = fakeRole{mode: ops.ModeSecondary, clusterID: p.role(t).clusterID, primary: p.name, secondaryID: id}
	c.mounts = slices.Clone(p.mounts)
	c.auth = slices.Clone(p.auth)
	c.badToken = true
	return ops.WriteResult{Warnings: []string{"Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete."}}, nil
}

func (o *fakeOp) ListAuth(context.Context) ([]ops.Mount, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.authed("list auth methods")
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.auth), nil
}

func (o *fakeOp) ListMounts(context.Context) ([]ops.Mount, error) {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.authed("list secrets engines")
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.mounts), nil
}

func (o *fakeOp) EnableAuth(_ context.Context, path, typ, desc string) error {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.authed("enable auth method")
	if err != nil {
		return err
	}
	o.w.writes = append(o.w.writes, o.name+": enable auth "+path)
	mt := ops.Mount{Path: path, Type: typ, Description: desc}
	c.auth = append(c.auth, mt)
	c.perf.wal++
	c.dr.wal++
	for _, s := range o.w.clusters {
		if s.perf.mode == ops.ModeSecondary && s.perf.primary == c.name {
			s.auth = append(s.auth, mt)
		}
	}
	return nil
}

func (o *fakeOp) DisableAuth(_ context.Context, path string) error {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	c, err := o.authed("disable auth method")
	if err != nil {
		return err
	}
	o.w.writes = append(o.w.writes, o.name+": disable auth "+path)
	drop := func(ms []ops.Mount) []ops.Mount {
		return slices.DeleteFunc(ms, func(m ops.Mount) bool { return m.Path == path })
	}
	c.auth = drop(c.auth)
	c.perf.wal++
	c.dr.wal++
	for _, s := range o.w.clusters {
		if s.perf.mode == ops.ModeSecondary && s.perf.primary == c.name {
			s.auth = drop(s.auth)
		}
	}
	return nil
}

// makeJWT builds an activation-token-shaped JWT (the signature is not
// checked by anything here).
func makeJWT(iat, exp time.Time, addr string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "ES512", "typ": "JWT"}) + "." +
		enc(map[string]any{"accessor": "", "addr": addr, "exp": exp.Unix(), "iat": iat.Unix(), "jti": "hvs.fake", "nbf": iat.Add(-5 * time.Second).Unix(), "type": "wrapping"}) +
		".c2lnbmF0dXJl"
}

// driver runs the model the way bubbletea would, synchronously: commands
// run (concurrently, as bubbletea does), their messages go back into Update,
// timers fire at once, and the clock and spinner ticks are dropped so that a
// drive ends when nothing is left to do.
type driver struct {
	t     *testing.T
	m     Model
	out   []tea.Msg // ClosedMsg, WroteMsg, ClientChangedMsg
	polls int       // pollDueMsg delivered so far
	// maxPolls bounds watch and verify loops (a stuck secondary never ends).
	maxPolls int
}

func instantTick(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return fn(time.Time{}) }
}

func newDriver(t *testing.T, d Deps, s Start) *driver {
	t.Helper()
	m := New(d, s).SetSize(80, 24)
	m.tick = instantTick
	dr := &driver{t: t, m: m, maxPolls: 40}
	dr.run(m.Init())
	return dr
}

func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	queue := []tea.Cmd{cmd}
	for rounds := 0; len(queue) > 0; rounds++ {
		if rounds > 500 {
			d.t.Fatal("driver: runaway command loop")
		}
		msgs := make([]tea.Msg, len(queue))
		var wg sync.WaitGroup
		for i, c := range queue {
			if c == nil || isBlink(c) {
				continue
			}
			wg.Go(func() { msgs[i] = c() })
		}
		wg.Wait()
		queue = nil
		for _, msg := range msgs {
			queue = append(queue, d.deliver(msg)...)
		}
	}
}

// isBlink recognises the text input cursor's blink timer (it sleeps 530ms
// and only toggles the cursor), so that typing does not wait for it.
func isBlink(c tea.Cmd) bool {
	f := runtime.FuncForPC(reflect.ValueOf(c).Pointer())
	return f != nil && strings.Contains(f.Name(), "cursor.(*Model).BlinkCmd")
}

func (d *driver) deliver(msg tea.Msg) []tea.Cmd {
	switch msg := msg.(type) {
	case nil, clockMsg, spinMsg, cursor.BlinkMsg:
		return nil
	case tea.BatchMsg:
		return msg
	case ClosedMsg, WroteMsg, ClientChangedMsg:
		d.out = append(d.out, msg)
		return nil
	case pollDueMsg:
		d.polls++
		if d.polls > d.maxPolls {
			return nil
		}
	}
	// tea.Sequence's message is unexported: a slice of commands.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return cmds
	}
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	return []tea.Cmd{cmd}
}

func (d *driver) send(msgs ...tea.Msg) {
	d.t.Helper()
	for _, msg := range msgs {
		var cmd tea.Cmd
		d.m, cmd = d.m.Update(msg)
		d.run(cmd)
	}
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEscape}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func (d *driver) keys(ks ...string) {
	d.t.Helper()
	for _, k := range ks {
		d.send(keyMsg(k))
	}
}

// typeText types s one rune at a time, as a terminal would.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// paste sends s as one bracketed paste.
func (d *driver) paste(s string) {
	d.t.Helper()
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}

// clearInput deletes what a focused input holds.
func (d *driver) clearInput() {
	d.t.Helper()
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	d.send(tea.KeyMsg{Type: tea.KeyCtrlK})
}

func (d *driver) view() string { return ansi.Strip(d.m.View()) }

// flat is the view as one line of words, without box borders, so that a
// sentence can be matched across wrapped lines.
func flat(v string) string {
	v = strings.NewReplacer("║", " ", "│", " ", "#", " ", "|", " ", " \\\n", " ").Replace(v)
	return strings.Join(strings.Fields(v), " ")
}

func (d *driver) wantFlat(subs ...string) {
	d.t.Helper()
	v := flat(d.view())
	for _, s := range subs {
		if !strings.Contains(v, s) {
			d.t.Fatalf("view lacks %q:\n%s", s, d.view())
		}
	}
}

func (d *driver) wantView(subs ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range subs {
		if !strings.Contains(v, s) {
			d.t.Fatalf("view lacks %q:\n%s", s, v)
		}
	}
}

func (d *driver) wantPhase(s step, p phase) {
	d.t.Helper()
	if d.m.step != s || d.m.ph != p {
		d.t.Fatalf("at step %d phase %d, want step %d phase %d; view:\n%s", d.m.step, d.m.ph, s, p, d.view())
	}
}

func (d *driver) sent(kind string) []tea.Msg {
	var out []tea.Msg
	for _, m := range d.out {
		if reflect.TypeOf(m).Name() == kind {
			out = append(out, m)
		}
	}
	return out
}
