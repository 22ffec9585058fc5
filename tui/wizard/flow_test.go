package wizard

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// These flows run the wizard in a real bubbletea program (teatest) against
// a fresh simulated lab reached over HTTP through real ops.Clients, with the
// lab's manual clock: simulated time moves only when a test advances it, so
// syncs, outages and token expiry happen on the test's command.

// shot is what the test goroutine may look at: plain values copied from the
// model on the program's goroutine (the model's forms and maps are not safe
// to read from another goroutine).
type shot struct {
	view      string
	step      step
	ph        phase
	fk        formKind
	watchDone bool
	targets   []target
	err       string
	// focus is the focused form field as drawn (its title first): huh
	// moves the focus with a command, after the key that asked for it, so
	// text typed right after enter can land in the field being left.
	focus string
}

type recorder struct {
	mu      sync.Mutex
	last    shot
	changed []ClientChangedMsg
	wrote   []WroteMsg
	closed  *ClosedMsg
}

func (r *recorder) record(m Model) {
	s := shot{view: ansi.Strip(m.View()), step: m.step, ph: m.ph, fk: m.fk, watchDone: m.watch.Done, targets: slices.Clone(m.ver.Targets)}
	if m.err != nil {
		s.err = m.err.Error()
	}
	if m.formActive() {
		if f := m.form.GetFocusedField(); f != nil {
			s.focus = ansi.Strip(f.View())
		}
	}
	r.mu.Lock()
	r.last = s
	r.mu.Unlock()
}

func (r *recorder) shot() shot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// host is a minimal host, wired the way doc.go tells the dashboard to.
type host struct {
	w   Model
	rec *recorder
}

func (h host) Init() tea.Cmd { return h.w.Init() }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlC {
			return h, tea.Quit
		}
	case tea.WindowSizeMsg:
		h.w = h.w.SetSize(msg.Width, msg.Height)
		h.rec.record(h.w)
		return h, nil
	case ClosedMsg:
		h.rec.mu.Lock()
		h.rec.closed = &msg
		h.rec.mu.Unlock()
		return h, tea.Quit
	case ClientChangedMsg:
		h.rec.mu.Lock()
		h.rec.changed = append(h.rec.changed, msg)
		h.rec.mu.Unlock()
		return h, nil
	case WroteMsg:
		h.rec.mu.Lock()
		h.rec.wrote = append(h.rec.wrote, msg)
		h.rec.mu.Unlock()
		return h, nil
	}
	var cmd tea.Cmd
	h.w, cmd = h.w.Update(msg)
	h.rec.record(h.w)
	return h, cmd
}

func (h host) View() string { return h.w.View() }

// labRun is one flow: a lab, a client per cluster, the program.
type labRun struct {
	t       *testing.T
	lab     *sim.Lab
	clients map[string]*ops.Client
	rec     *recorder
	tm      *teatest.TestModel
}

func startLabRun(t *testing.T, start Start) *labRun {
	t.Helper()
	return startLabRunVia(t, start, nil)
}

// startLabRunVia is startLabRun with the wizard reaching some clusters
// through another address (a proxy in front of the lab's): via maps a
// cluster name to a function of its lab address.
func startLabRunVia(t *testing.T, start Start, via map[string]func(addr string) string) *labRun {
	t.Helper()
	lab := simtest.Start(t, sim.Options{Topology: "fresh", Seed: 7, Clock: sim.NewManualClock(t0)})
	r := &labRun{t: t, lab: lab, clients: map[string]*ops.Client{}, rec: &recorder{}}
	var cs []Cluster
	for _, ci := range lab.Clusters() {
		addr := ci.Addr
		if f, ok := via[ci.Name]; ok {
			addr = f(ci.Addr)
		}
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: addr, Token: ops.TokenSource{Inline: ci.Token}}, ops.ClientOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		r.clients[ci.Name] = c
		cs = append(cs, Cluster{Name: ci.Name, Address: addr, Op: c})
	}
	user, _ := lab.Userpass()
	deps := Deps{
		Clusters: cs, Now: lab.Now, Username: user,
		// Polls are fast in real time; the manual clock decides what they see.
		Interval: 5 * time.Millisecond, Timeout: 10 * time.Second,
		StuckAfter: 100000, VerifyPolls: 100000,
		Login: func(ctx context.Context, cluster, u, p string) (Operator, error) {
			c := r.clients[cluster]
			tok, err := c.LoginUserpass(ctx, "userpass", u, p)
			if err != nil {
				return nil, err
			}
			return c.WithToken(tok)
		},
		Copy:    func(string) error { return nil },
		SaveDir: t.TempDir(),
	}
	r.tm = teatest.NewTestModel(t, host{w: New(deps, start), rec: r.rec}, teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() {
		_ = r.tm.Quit()
		// simtest's cleanup, registered earlier, closes the lab after this.
		r.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	})
	return r
}

// enablePrimary goes from the primary's inputs (left as they are) through
// the review, which must show cmd when it is set, to the result.
func (r *labRun) enablePrimary(cmd string) {
	r.t.Helper()
	r.atForm(stPrimary, fkInputs)
	r.press("enter")
	r.at(stPrimary, phReview)
	if cmd != "" {
		r.wantFlat(cmd)
	}
	r.press("enter")
	r.at(stPrimary, phResult)
}

// chooseTokenTarget waits for the token step's choice of target cluster
// and picks name.
func (r *labRun) chooseTokenTarget(name string) {
	r.t.Helper()
	r.waitFor("the token's target choice", 250*time.Millisecond, func(s shot) bool { return s.step == stToken && s.fk == fkTarget })
	r.selectCluster(name)
}

// waitFor waits until cond holds for the latest model, moving simulated
// time on by advance between looks (0: time stands still).
func (r *labRun) waitFor(what string, advance time.Duration, cond func(shot) bool) shot {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := r.rec.shot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s.view)
		}
		if advance > 0 {
			r.lab.Advance(advance)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// at waits for a screen (step and phase), letting simulated time run.
func (r *labRun) at(s step, p phase) shot {
	r.t.Helper()
	return r.waitFor("step "+r.stepName(s), 250*time.Millisecond, func(x shot) bool { return x.step == s && x.ph == p })
}

// atForm waits for a step's form of a kind.
func (r *labRun) atForm(s step, k formKind) shot {
	r.t.Helper()
	return r.waitFor("a form of step "+r.stepName(s), 250*time.Millisecond, func(x shot) bool { return x.step == s && x.ph == phForm && x.fk == k })
}

func (r *labRun) stepName(s step) string { return Model{}.stepName(s) }

// press sends one key and waits until the screen has changed because of it.
func (r *labRun) press(k string) {
	r.t.Helper()
	before := r.rec.shot()
	r.tm.Send(keyMsg(k))
	r.waitFor("the screen to react to "+k, 0, func(s shot) bool {
		return s.step != before.step || s.ph != before.ph || s.fk != before.fk || s.view != before.view
	})
}

// enterTo presses enter on a form and waits until the field titled title
// has the focus, so that what is typed next goes there.
func (r *labRun) enterTo(title string) {
	r.t.Helper()
	r.press("enter")
	r.focusOn(title)
}

// focusOn waits until the field titled title has the focus.
func (r *labRun) focusOn(title string) {
	r.t.Helper()
	r.waitFor("the focus on "+title, 0, func(s shot) bool { return strings.Contains(s.focus, title) })
}

func (r *labRun) typeText(s string) {
	r.t.Helper()
	r.tm.Type(s)
	r.waitFor("typed text", 0, func(x shot) bool { return strings.Contains(x.view, s) })
}

func (r *labRun) wantFlat(subs ...string) {
	r.t.Helper()
	v := r.rec.shot().view
	for _, s := range subs {
		if !strings.Contains(flat(v), s) {
			r.t.Fatalf("screen lacks %q:\n%s", s, v)
		}
	}
}

// status reads a cluster's replication status with a root client.
func (r *labRun) status(name string) *ops.Replication {
	r.t.Helper()
	c, err := ops.NewClient(ops.ClusterConfig{Name: name, Address: r.addr(name)}, ops.ClientOptions{Timeout: 5 * time.Second})
	if err != nil {
		r.t.Fatal(err)
	}
	s, err := c.Status(context.Background())
	if s.Replication == nil {
		r.t.Fatalf("status of %s: %v", name, err)
	}
	return s.Replication
}

func (r *labRun) addr(name string) string {
	for _, ci := range r.lab.Clusters() {
		if ci.Name == name {
			return ci.Addr
		}
	}
	r.t.Fatalf("no cluster %s", name)
	return ""
}

// selectCluster moves a cluster choice to name and confirms it.
func (r *labRun) selectCluster(name string) {
	r.t.Helper()
	for range 8 {
		if strings.Contains(r.rec.shot().view, "> "+name+" ") {
			r.press("enter")
			return
		}
		r.press("down")
	}
	r.t.Fatalf("no choice %s:\n%s", name, r.rec.shot().view)
}

// tokenInputs accepts the suggested id and TTL, checks the review and
// generates the token.
func (r *labRun) tokenInputs() {
	r.t.Helper()
	r.waitFor("the id field", 0, func(s shot) bool { return s.fk == fkInputs && strings.Contains(s.view, "Secondary id") })
	r.press("enter") // the suggested id
	r.waitFor("the TTL field", 0, func(s shot) bool { return strings.Contains(s.view, "│ TTL") })
	r.press("enter") // 30m
	r.at(stToken, phReview)
	r.wantFlat(`/primary/secondary-token id="`)
	r.press("enter")
	r.at(stToken, phToken)
}

// activate goes from the token screen through the purge warning, refusing it
// once when refuseFirst, and checks nothing was sent on the refusal.
func (r *labRun) activate(target string, t ops.ReplicationType, refuseFirst bool) {
	r.t.Helper()
	r.at(stToken, phToken)
	r.press("enter")
	r.atForm(stActivate, fkInputs) // TLS options
	r.press("enter")
	r.at(stActivate, phReview)
	r.press("enter")
	r.at(stActivate, phConfirm)
	r.wantFlat("WARNING: Enabling a secondary will purge its local data (including unseal and recovery keys) and sync entirely from the primary.",
		target+" would lose:", "secret/ (kv)", "userpass/")
	if refuseFirst {
		before := r.status(target).Of(t)
		r.typeText("wrong-name")
		r.press("enter")
		r.wantFlat("type " + target + " exactly")
		r.press("esc")
		r.at(stActivate, phReview)
		r.wantFlat("Cancelled: nothing was sent to " + target + ".")
		r.lab.Advance(5 * time.Second)
		after := r.status(target).Of(t)
		if after.Mode != ops.ModeDisabled || before.Mode != after.Mode || after.ClusterID != "" {
			r.t.Fatalf("%s changed after the refusal: %+v", target, after)
		}
		r.press("enter")
		r.at(stActivate, phConfirm)
	}
	r.typeText(target)
	r.press("enter")
	r.at(stActivate, phResult)
	r.wantFlat(target + " accepted the token")
}

func TestLabFlowPerformanceSetup(t *testing.T) {
	r := startLabRun(t, Start{Flow: FlowSetup})
	r.atForm(stType, fkType)
	r.press("enter") // performance
	r.atForm(stPrimary, fkPrimary)
	r.selectCluster("vault-a")
	r.enablePrimary("vault write -f sys/replication/performance/primary/enable")
	r.wantFlat("vault-a is now a performance primary", "This cluster is being enabled as a primary for replication.")
	r.press("enter")

	// The primary is briefly unavailable: the pre-flight waits it out.
	r.chooseTokenTarget("vault-b")
	r.tokenInputs()
	r.wantFlat("(418 characters, masked)", "expires 2025-03-04 10:3")
	// How much simulated time passed since the token was issued depends on
	// how many looks waiting took (each advances the lab's clock): the
	// countdown is 30m 00s or a little less, never more.
	if v := flat(r.rec.shot().view); !strings.Contains(v, "UTC (in 29m") && !strings.Contains(v, "UTC (in 30m 00s)") {
		t.Fatalf("countdown:\n%s", v)
	}

	r.activate("vault-b", ops.Performance, true)
	r.press("enter")
	s := r.waitFor("stream-wals", 500*time.Millisecond, func(s shot) bool { return s.step == stWatch && s.watchDone })
	for _, want := range []string{"Done: vault-b reached stream-wals", "vault-a lists it as connected", "state stream-wals"} {
		if !strings.Contains(flat(s.view), want) {
			t.Fatalf("watch screen lacks %q:\n%s", want, s.view)
		}
	}
	if st := r.status("vault-b").Performance; st.State != ops.StateStreamWALs || st.ConnectionState != ops.ConnReady {
		t.Fatalf("vault-b: %v %v", st.State, st.ConnectionState)
	}

	// The old root token is gone on vault-b; log in through userpass.
	r.press("enter")
	r.atForm(stLogin, fkLogin)
	_, pass := r.lab.Userpass()
	r.enterTo("Password") // username "operator"
	r.tm.Type(pass)
	r.press("enter")
	r.atForm(stNext, fkNext)
	// ClientChangedMsg comes from a command: it may arrive just after the
	// screen changes.
	changed := r.changedMsgs(1)
	if changed[0].Cluster != "vault-b" {
		t.Fatalf("ClientChangedMsg: %+v", changed)
	}

	// Add a second secondary, so that the check times each of them.
	r.press("down")
	r.press("enter")
	r.chooseTokenTarget("vault-c")
	r.tokenInputs()
	r.activate("vault-c", ops.Performance, false)
	r.press("enter")
	r.waitFor("vault-c streaming", 500*time.Millisecond, func(s shot) bool { return s.step == stWatch && s.watchDone })
	r.press("enter")
	r.atForm(stLogin, fkLogin)
	r.enterTo("Password")
	r.tm.Type(pass)
	r.press("enter")
	r.atForm(stNext, fkNext)

	// Verify: the canary reaches both secondaries, each timed, then goes.
	r.press("enter")
	r.at(stVerify, phReview)
	r.wantFlat("vault auth enable -path=vaultrepl-canary-", "List auth methods on vault-b, vault-c")
	r.press("enter")
	s = r.waitFor("the canary on both secondaries", 100*time.Millisecond, func(s shot) bool { return s.step == stVerify && s.ph == phCleanup })
	if len(s.targets) != 2 {
		t.Fatalf("targets: %+v", s.targets)
	}
	for _, tg := range s.targets {
		if !tg.Seen || !tg.SeenAt.After(t0) {
			t.Fatalf("target %+v not timed", tg)
		}
	}
	r.wantFlat("vault-b ✓ arrived after", "vault-c ✓ arrived after", "the change reached all 2 secondaries")
	path := canaryOnPrimary(t, r)
	r.press("y")
	r.waitFor("the canary removed everywhere", 100*time.Millisecond, func(s shot) bool { return s.ph == phDone })
	r.wantFlat("The canary was removed from vault-a and is gone from the secondaries.")
	for _, name := range []string{"vault-a", "vault-b", "vault-c"} {
		if hasAuth(t, r, name, path) {
			t.Fatalf("canary %s left on %s", path, name)
		}
	}

	r.press("enter")
	r.atForm(stNext, fkNext)
	r.press("up") // the last choice: close
	r.press("enter")
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	if r.rec.closed == nil || !slices.Equal(r.rec.closed.Changed, []string{"vault-a", "vault-b", "vault-c"}) {
		t.Fatalf("ClosedMsg %+v", r.rec.closed)
	}
}

// changedMsgs waits for n ClientChangedMsgs and returns them.
func (r *labRun) changedMsgs(n int) []ClientChangedMsg {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.rec.mu.Lock()
		got := slices.Clone(r.rec.changed)
		r.rec.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				r.t.Fatalf("want %d ClientChangedMsg, got %+v", n, got)
			}
			return got
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// canaryOnPrimary returns the canary's path as vault-a lists it.
func canaryOnPrimary(t *testing.T, r *labRun) string {
	t.Helper()
	mounts, err := r.clients["vault-a"].ListAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mounts {
		if strings.HasPrefix(m.Path, canaryPrefix) {
			return m.Path
		}
	}
	t.Fatalf("no canary on vault-a: %+v", mounts)
	return ""
}

func hasAuth(t *testing.T, r *labRun, cluster, path string) bool {
	t.Helper()
	c := r.clients[cluster]
	if cluster != "vault-a" {
		// The lab's root tokens are gone on the secondaries: log in.
		u, p := r.lab.Userpass()
		tok, err := c.LoginUserpass(context.Background(), "userpass", u, p)
		if err != nil {
			t.Fatal(err)
		}
		if c, err = c.WithToken(tok); err != nil {
			t.Fatal(err)
		}
	}
	mounts, err := c.ListAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(mounts, func(m ops.Mount) bool { return m.Path == path })
}

func TestLabFlowDRSetup(t *testing.T) {
	r := startLabRun(t, Start{Flow: FlowSetup})
	r.atForm(stType, fkType)
	r.press("down")
	r.press("enter") // DR
	r.atForm(stPrimary, fkPrimary)
	r.selectCluster("vault-a")
	r.enablePrimary("vault write -f sys/replication/dr/primary/enable")
	r.press("enter")
	r.chooseTokenTarget("vault-d")
	r.tokenInputs()
	r.wantFlat("(418 characters, masked)")
	r.activate("vault-d", ops.DR, true)
	r.wantFlat("answers only status requests until promoted")
	r.press("enter")
	r.waitFor("stream-wals", 500*time.Millisecond, func(s shot) bool { return s.step == stWatch && s.watchDone })
	if st := r.status("vault-d").DR; st.Mode != ops.ModeSecondary || st.State != ops.StateStreamWALs {
		t.Fatalf("vault-d DR: %v %v", st.Mode, st.State)
	}
	r.press("enter")
	r.atForm(stNext, fkNext) // no login for DR
	r.press("enter")
	r.at(stVerify, phReview)
	r.wantFlat(`path disabled in replication DR secondary mode`, "last_remote_wal", "last_dr_wal")
	r.press("enter")
	s := r.waitFor("the DR secondary to reach the write's WAL position", 100*time.Millisecond, func(s shot) bool { return s.ph == phCleanup })
	if len(s.targets) != 1 || !s.targets[0].Seen || s.targets[0].WAL == 0 {
		t.Fatalf("targets %+v", s.targets)
	}
	r.wantFlat("vault-d ✓ arrived after", "the primary's last_dr_wal after the write:")
	path := canaryOnPrimary(t, r)
	r.press("y")
	r.waitFor("cleanup", 100*time.Millisecond, func(s shot) bool { return s.ph == phDone })
	if mounts, err := r.clients["vault-a"].ListAuth(context.Background()); err != nil || slices.ContainsFunc(mounts, func(m ops.Mount) bool { return m.Path == path }) {
		t.Fatalf("canary left on vault-a: %v %+v", err, mounts)
	}
}

// TestLabFlowExpiredToken: the token expires on the lab's clock while the
// operator looks at it; the activation pre-flight catches it and nothing is
// sent to the target.
func TestLabFlowExpiredToken(t *testing.T) {
	r := startLabRun(t, Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "vault-a"})
	r.enablePrimary("")
	r.press("enter")
	r.chooseTokenTarget("vault-b")
	r.tokenInputs()
	r.at(stToken, phToken)
	r.lab.Advance(31 * time.Minute)
	r.waitFor("the countdown to show expiry", 0, func(s shot) bool { return strings.Contains(s.view, "EXPIRED") })
	r.press("enter")
	r.at(stActivate, phChecks)
	r.wantFlat("activation token", "expired 1m", "generate a new token on the primary")
	if st := r.status("vault-b").Performance; st.Mode != ops.ModeDisabled {
		t.Fatalf("vault-b was activated: %v", st.Mode)
	}
}

// TestLabFlowDownPrimary: the primary stops between the review and the
// typed confirmation; the activation fails with a clear message, nothing is
// retried, and the operator can retry once the primary is back.
func TestLabFlowDownPrimary(t *testing.T) {
	r := startLabRun(t, Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "vault-a"})
	r.enablePrimary("")
	r.press("enter")
	r.chooseTokenTarget("vault-b")
	r.tokenInputs()
	r.at(stToken, phToken)
	r.press("enter")
	r.atForm(stActivate, fkInputs)
	r.press("enter")
	r.at(stActivate, phReview)
	r.press("enter")
	r.at(stActivate, phConfirm)
	if err := r.lab.Stop("vault-a"); err != nil {
		t.Fatal(err)
	}
	r.typeText("vault-b")
	r.press("enter")
	s := r.waitFor("the activation to fail", 0, func(s shot) bool { return s.ph == phResult })
	if s.err == "" {
		t.Fatalf("activation with the primary down succeeded:\n%s", s.view)
	}
	r.wantFlat("activate performance secondary failed", "Likely cause: the primary vault-a did not answer",
		"the secondary must reach it to unwrap the token", "Nothing is retried automatically",
		"vault-b read again; the pre-flight now finds:", "r: re-check")
	if st := r.status("vault-b").Performance; st.Mode != ops.ModeDisabled {
		t.Fatalf("vault-b changed: %v", st.Mode)
	}
	if err := r.lab.Restart("vault-a"); err != nil {
		t.Fatal(err)
	}
	// The primary was down at the re-read: r re-checks, then the inputs
	// and the review come back before anything is sent again.
	r.press("r")
	r.atForm(stActivate, fkInputs)
	r.press("enter")
	r.at(stActivate, phReview)
	r.press("enter")
	r.typeText("vault-b")
	r.press("enter")
	r.at(stActivate, phResult)
	r.wantFlat("vault-b accepted the token")
}
