package main

import (
	"context"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	"github.com/vaultrepl/vaultrepl/tui"
)

// Tokens (Vault tokens, activation tokens, DR operation tokens) never
// appear in logs, errors, status output or anything drawn on screen — but
// for the activation token, shown on purpose while the operator reveals it.

// Known secrets that are not the lab's own.
const (
	knownVaultToken = "hvs.KNOWNoperatorTokenNeverShown0123"
	knownDRToken    = "KNOWNdrOperationTokenNeverShown4567"
	knownActivation = "eyJhbGciOiJFUzUxMiJ9.eyJLTk9XTmFjdGl2YXRpb24iOnRydWV9.KNOWNactivationSignature89"
)

// leaks lists the secrets that occur in text.
func leaks(text string, secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

func labTokens(lab *sim.Lab) []string {
	var out []string
	for _, c := range lab.Clusters() {
		out = append(out, c.Token)
	}
	return out
}

// status, table and JSON, with --log-file, over a lab whose clusters are
// configured with their root tokens, plus one with a known token that the
// cluster refuses (403) and one that is down: outputs, errors and the log
// hold none of them.
func TestSecretsStatus(t *testing.T) {
	isolate(t)
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 3, Clock: sim.NewManualClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))})
	cs := lab.Clusters()
	var cfg strings.Builder
	cfg.WriteString("clusters:\n")
	for _, c := range cs {
		fmt.Fprintf(&cfg, "  - name: %s\n    address: %s\n    token: %s\n", c.Name, c.Addr, c.Token)
	}
	fmt.Fprintf(&cfg, "  - name: refused\n    address: %s\n    token: %s\n", cs[1].Addr, knownVaultToken)
	fmt.Fprintf(&cfg, "  - name: down\n    address: %s\n    token: %s\n", closedAddr(t), knownVaultToken)
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "status.log")
	secrets := append(labTokens(lab), knownVaultToken)
	for _, args := range [][]string{
		{"status", "--config", path, "--log-file", logPath},
		{"status", "--json", "--config", path, "--log-file", logPath},
	} {
		// One request per cluster is refused: health or replication status,
		// whichever arrives first (the two are read at once), and either
		// shows as "permission denied".
		for _, c := range cs {
			if err := lab.InjectResponse(c.Name, sim.FaultForbidden, 1); err != nil {
				t.Fatal(err)
			}
		}
		r := execute(t, context.Background(), defaultStatusDeps(), args...)
		if !strings.Contains(r.out, "permission denied") || !strings.Contains(r.out, "down") {
			t.Fatalf("%v: the errors are not shown (exit %d):\n%s", args, r.code, r.out)
		}
		if l := leaks(r.out, secrets...); l != nil {
			t.Errorf("%v prints %v:\n%s", args, l, r.out)
		}
		if r.err != nil {
			if l := leaks(r.err.Error(), secrets...); l != nil {
				t.Errorf("%v: error leaks %v", args, l)
			}
		}
	}
	// VAULT_TOKEN with --cluster flags, the way a shell user runs it.
	t.Setenv("VAULT_TOKEN", knownVaultToken)
	r := execute(t, context.Background(), defaultStatusDeps(), "status", "--log-file", logPath, "--cluster", "a="+cs[0].Addr, "--cluster", "b="+closedAddr(t))
	if l := leaks(r.out, secrets...); l != nil {
		t.Errorf("--cluster with VAULT_TOKEN prints %v:\n%s", l, r.out)
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "status=403") {
		t.Fatalf("the log lacks the refused requests:\n%s", b)
	}
	if l := leaks(string(b), secrets...); l != nil {
		t.Errorf("the log holds %v", l)
	}
}

// The replication writes that carry a DR operation token or an activation
// token: their errors and their log records carry neither, nor the
// client's own token.
func TestSecretsDRTokenWrites(t *testing.T) {
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 5, Clock: sim.NewManualClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))})
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := append(labTokens(lab), knownDRToken, knownActivation, knownVaultToken)
	ctx := context.Background()
	for _, ci := range lab.Clusters() {
		for _, tok := range []string{ci.Token, knownVaultToken} {
			c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: tok}}, ops.ClientOptions{Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			_, err1 := c.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: knownDRToken})
			_, err2 := c.DisableSecondary(ctx, ops.DR, ops.DRTokenRequest{DROperationToken: knownDRToken})
			_, err3 := c.UpdatePrimary(ctx, ops.DR, ops.UpdatePrimaryRequest{Token: knownActivation, DROperationToken: knownDRToken})
			_, err4 := c.EnableSecondary(ctx, ops.Performance, ops.EnableSecondaryRequest{Token: knownActivation})
			for i, err := range []error{err1, err2, err3, err4} {
				if err == nil {
					t.Fatalf("%s: write %d with bogus tokens succeeded", ci.Name, i+1)
				}
				if l := leaks(fmt.Sprintf("%v %+v", err, err), secrets...); l != nil {
					t.Errorf("%s: write %d: error leaks %v: %v", ci.Name, i+1, l, err)
				}
			}
		}
	}
	text := logBuf.String()
	if !strings.Contains(text, "sys/replication/dr/secondary/promote") {
		t.Fatalf("no request logged:\n%s", text)
	}
	if l := leaks(text, secrets...); l != nil {
		t.Errorf("the log holds %v", l)
	}
}

// frames records every frame the program draws, as plain text.
type frames struct {
	mu   sync.Mutex
	all  []string
	seen map[string]bool
	last string
}

func (f *frames) add(v string) {
	v = ansi.Strip(v)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = v
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if !f.seen[v] {
		f.seen[v] = true
		f.all = append(f.all, v)
	}
}

func (f *frames) latest() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// recorder is the dashboard with every View recorded.
type recorder struct {
	m  tea.Model
	fr *frames
}

func (r recorder) Init() tea.Cmd { return r.m.Init() }

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	r.m, cmd = r.m.Update(msg)
	return r, cmd
}

func (r recorder) View() string {
	v := r.m.View()
	r.fr.add(v)
	return v
}

// tokenOp records the activation tokens the wizard generates.
type tokenOp struct {
	*ops.Client
	mu     *sync.Mutex
	tokens *[]string
}

func (o tokenOp) SecondaryToken(ctx context.Context, t ops.ReplicationType, r ops.SecondaryTokenRequest) (ops.ActivationToken, error) {
	tok, err := o.Client.SecondaryToken(ctx, t, r)
	o.mu.Lock()
	*o.tokens = append(*o.tokens, tok.Token)
	o.mu.Unlock()
	return tok, err
}

// The dashboard and the setup wizard, as `vaultrepl demo` wires them, with
// --log-file: enable a performance primary, generate an activation token,
// reveal and hide it, activate a secondary. No frame shows a root token;
// the activation token shows only while revealed; the log holds neither.
func TestSecretsDashboardAndWizard(t *testing.T) {
	isolate(t)
	lab := simtest.Start(t, sim.Options{Topology: "fresh", Seed: 9, Speed: 40})
	logPath := filepath.Join(t.TempDir(), "vaultrepl.log")
	ui, err := newUISetup(&globalOptions{logFile: logPath})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Close()
	cfgs, clients := labClients(t, lab, ops.ClientOptions{Timeout: 5 * time.Second, Logger: ui.log})
	user, _ := lab.Userpass()
	host := newWizardHost(cfgs, clients, ui.styles, 200*time.Millisecond, 5*time.Second, false, lab.Now, wizardLogin{username: user})
	var mu sync.Mutex
	var generated []string
	for i := range host.clusters {
		host.clusters[i].Op = tokenOp{Client: clients[i], mu: &mu, tokens: &generated}
	}
	deps := tui.Deps{Clusters: clusterSpecs(cfgs, clients), Interval: 300 * time.Millisecond, Timeout: 5 * time.Second,
		Styles: ui.styles, Log: ui.log, Lab: lab, Wizard: host.open}
	fr := &frames{}
	tm := teatest.NewTestModel(t, recorder{m: tui.New(deps), fr: fr}, teatest.WithInitialTermSize(160, 48))
	w := wizardDriver{t: t, tm: tm, fr: fr}

	w.waitFor("4/4 reachable")
	w.press("w")
	w.waitFor("Which replication do you want to set up?") // after the survey: w first reads what fits the focused cluster
	w.press("enter")                                      // performance
	w.choose("vault-a")
	w.waitFor("primary_cluster_addr")
	w.press("enter")
	w.waitFor("vault write -f sys/replication/performance/primary/enable")
	w.press("enter")
	w.waitFor("vault-a is now a performance primary")
	w.press("enter")
	w.choose("vault-b")
	w.waitFor("Secondary id")
	w.press("enter")
	w.waitFor("TTL")
	w.press("enter")
	w.waitFor(`/primary/secondary-token id="`)
	w.press("enter")
	w.waitFor("characters, masked)")
	mu.Lock()
	if len(generated) != 1 || len(generated[0]) < 100 {
		mu.Unlock()
		t.Fatalf("generated tokens: %q", generated)
	}
	activation := generated[0]
	mu.Unlock()
	w.press("v")
	w.waitFor("hide token")
	if v := strings.Join(strings.Fields(w.fr.latest()), ""); !strings.Contains(v, activation[:60]) {
		t.Fatalf("the revealed token is not on screen:\n%s", w.fr.latest())
	}
	w.press("v")
	w.waitFor("characters, masked)")
	w.press("enter") // activate with it
	w.waitFor("TLS options for reaching the primary")
	w.press("enter") // none needed
	w.waitFor("secondary/enable")
	w.press("enter")
	w.waitFor("WARNING: Enabling a secondary will purge")
	w.tm.Type("vault-b")
	w.waitFor("vault-b")
	w.press("enter")
	w.waitFor("vault-b accepted the token")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	roots := labTokens(lab)
	fragments := tokenFragments(activation)
	fr.mu.Lock()
	defer fr.mu.Unlock()
	revealed := 0
	for _, f := range fr.all {
		if l := leaks(f, roots...); l != nil {
			t.Errorf("a frame shows a root token:\n%s", f)
		}
		flat := strings.Join(strings.Fields(f), "")
		if l := leaks(flat, fragments...); l != nil {
			if !strings.Contains(f, "hide token") {
				t.Errorf("a frame shows the activation token while it is masked:\n%s", f)
			}
			revealed++
		}
	}
	if revealed == 0 {
		t.Error("no frame showed the revealed token")
	}
	ui.Close()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "secondary-token") {
		t.Fatalf("the log lacks the wizard's requests:\n%s", b)
	}
	if l := leaks(string(b), append(roots, fragments...)...); l != nil {
		t.Errorf("the log holds %v", l)
	}
}

// tokenFragments are 24-character pieces of a token's payload and
// signature (its header is the same in every token of the kind).
func tokenFragments(tok string) []string {
	_, rest, _ := strings.Cut(tok, ".")
	var out []string
	for i := 0; i+24 <= len(rest); i += 12 {
		out = append(out, rest[i:i+24])
	}
	return out
}

// wizardDriver types into the program and waits for what it draws.
type wizardDriver struct {
	t  *testing.T
	tm *teatest.TestModel
	fr *frames
}

func (w wizardDriver) waitFor(s string) {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.fr.latest(), s) {
		if time.Now().After(deadline) {
			w.t.Fatalf("waiting for %q; screen:\n%s", s, w.fr.latest())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// press sends a key and waits until the screen has changed.
func (w wizardDriver) press(k string) {
	w.t.Helper()
	before := w.fr.latest()
	switch k {
	case "enter":
		w.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	case "down":
		w.tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	case "esc":
		w.tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	default:
		w.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	deadline := time.Now().Add(20 * time.Second)
	for w.fr.latest() == before {
		if time.Now().After(deadline) {
			w.t.Fatalf("%s changed nothing; screen:\n%s", k, before)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// choose moves a list's cursor to name and picks it. The screen changes
// for other reasons too (relative times, polls), so each move waits for
// the cursor itself to move.
func (w wizardDriver) choose(name string) {
	w.t.Helper()
	w.waitFor("> vault-")
	for range 8 {
		cur := cursorLine(w.fr.latest())
		if strings.Contains(cur, "> "+name+" ") {
			w.press("enter")
			return
		}
		w.tm.Send(tea.KeyMsg{Type: tea.KeyDown})
		deadline := time.Now().Add(20 * time.Second)
		for cursorLine(w.fr.latest()) == cur {
			if time.Now().After(deadline) {
				w.t.Fatalf("down did not move the cursor:\n%s", w.fr.latest())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	w.t.Fatalf("no choice %s:\n%s", name, w.fr.latest())
}

func cursorLine(frame string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, "> vault-") {
			return l
		}
	}
	return ""
}

// TLS is verified unless the operator turns it off, and while it is off the
// dashboard says so on every screen, for as long as it runs.
func TestTLSVerifiedByDefaultInsecureBanner(t *testing.T) {
	isolate(t)
	t.Setenv("LANG", "en_US.UTF-8")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/sys/health":
			serve(200, opsFixture(t, "health_active.json"))(w, r)
		default:
			serve(200, opsFixture(t, "status_disabled.json"))(w, r)
		}
	}))
	srv.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	const banner = "WARNING: TLS verification is off"

	run := func(g *globalOptions) (tui.Deps, error) {
		t.Helper()
		s, err := loadSettings(g)
		if err != nil {
			t.Fatal(err)
		}
		ui, err := newUISetup(g)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ui.Close)
		clients, err := newClients(s, s.clientOptions(ui.log))
		if err != nil {
			t.Fatal(err)
		}
		_, err = clients[0].Status(context.Background())
		return dashboardDeps(g, s, ui, clients), err
	}

	deps, err := run(&globalOptions{clusters: []string{"a=" + srv.URL}})
	if ops.ClassOf(err) != ops.ErrTLS {
		t.Fatalf("an untrusted certificate was accepted by default: %v", err)
	}
	if deps.Insecure {
		t.Fatal("verification on, but the dashboard would warn")
	}
	m, _ := tui.New(deps).Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	if strings.Contains(ansi.Strip(m.View()), banner) {
		t.Fatal("banner without --insecure")
	}

	if _, err := run(&globalOptions{clusters: []string{"a=" + srv.URL}, insecure: true}); err != nil {
		t.Fatalf("--insecure: %v", err)
	}
	t.Setenv("VAULT_SKIP_VERIFY", "1")
	deps, err = run(&globalOptions{clusters: []string{"a=" + srv.URL}})
	if err != nil || !deps.Insecure {
		t.Fatalf("VAULT_SKIP_VERIFY: insecure %v, %v", deps.Insecure, err)
	}
	deps.Interval = 50 * time.Millisecond
	fr := &frames{}
	tm := teatest.NewTestModel(t, recorder{m: tui.New(deps), fr: fr}, teatest.WithInitialTermSize(160, 48))
	w := wizardDriver{t: t, tm: tm, fr: fr}
	w.waitFor("1/1 reachable")
	// Every screen: detail, topology, commands, help, the wizard, a small
	// terminal; and polls go on meanwhile.
	for _, step := range []struct{ key, crumb string }{
		{"enter", "vaultrepl › a "}, {"esc", "vaultrepl ∙"}, {"t", "› topology"}, {"esc", "vaultrepl ∙"},
		{"x", "› vault commands"}, {"esc", "vaultrepl ∙"}, {"?", "› help"}, {"esc", "vaultrepl ∙"}, {"w", "› wizard"},
	} {
		w.press(step.key)
		w.waitFor(step.crumb)
		if !strings.Contains(w.fr.latest(), banner) {
			t.Fatalf("no banner after %s:\n%s", step.key, w.fr.latest())
		}
	}
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	w.waitFor("identities unchecked")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	fr.mu.Lock()
	defer fr.mu.Unlock()
	for _, f := range fr.all {
		if strings.HasPrefix(f, "starting vaultrepl") || f == "" {
			continue // before the terminal size is known, nothing is drawn
		}
		if !strings.Contains(f, "WARNING: TLS") || !strings.Contains(f, "VAULT_SKIP_VERIFY") {
			t.Errorf("a frame without the banner:\n%s", f)
		}
	}
}

// labClients configures every cluster of lab with its root token and builds
// their clients (ops.NewClients, as the commands do).
func labClients(t *testing.T, lab *sim.Lab, opts ops.ClientOptions) ([]ops.ClusterConfig, []*ops.Client) {
	t.Helper()
	var cfgs []ops.ClusterConfig
	for _, ci := range lab.Clusters() {
		cfgs = append(cfgs, ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}})
	}
	clients, err := ops.NewClients(cfgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return cfgs, clients
}
