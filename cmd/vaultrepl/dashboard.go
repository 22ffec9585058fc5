package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
	"github.com/vaultrepl/vaultrepl/tui"
	"github.com/vaultrepl/vaultrepl/tui/wizard"
)

// runDashboard is the root command: the dashboard on the configured
// clusters. Configuration errors are reported before the screen switches.
func runDashboard(cmd *cobra.Command, g *globalOptions) error {
	s, err := loadSettings(g)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	ui, err := newUISetup(g, s.Theme)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer ui.Close()
	writes := newWriteTracker()
	opts := s.clientOptions(ui.log)
	opts.OnWrite = writes.start
	clients, err := newClients(s, opts)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	ui.log.Info("dashboard starting", "clusters", len(clients), "source", s.Source, "read_only", s.ReadOnly, "insecure", s.Insecure)
	if s.Lab != nil {
		deps, err := labDashboardDeps(g, s, ui, clients)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		return runProgram(cmd.Context(), deps, writes, cmd.ErrOrStderr())
	}
	return runProgram(cmd.Context(), dashboardDeps(g, s, ui, clients), writes, cmd.ErrOrStderr())
}

// dashboardDeps wires the dashboard to the configured clusters' clients.
func dashboardDeps(g *globalOptions, s settings, ui *uiSetup, clients []*ops.Client) tui.Deps {
	return baseDeps(g, s, ui, clients, time.Now, wizardLogin{})
}

// baseDeps is the dashboard's wiring, shared by real clusters and the demo:
// now is the wizard's clock and login its re-authentication settings.
func baseDeps(g *globalOptions, s settings, ui *uiSetup, clients []*ops.Client, now func() time.Time, login wizardLogin) tui.Deps {
	deps := tui.Deps{
		Clusters: clusterSpecs(s.Clusters, clients),
		Interval: s.Interval,
		Timeout:  s.Timeout,
		// Results of the polls that start together land milliseconds apart:
		// one frame for them all instead of one each.
		ResultWindow: dashboardResultWindow,
		Styles:       ui.styles,
		ReadOnly:     s.ReadOnly,
		Insecure:     s.Insecure,
		Explain:      g.explain,
		Mouse:        g.mouse,
		Log:          ui.log,
		Assess: func(now time.Time, obs []ops.Observation) ops.Report {
			return ops.Assess(now, obs, s.Thresholds)
		},
	}
	if !s.ReadOnly {
		host := newWizardHost(s.Clusters, clients, ui.styles, s.Interval, s.Timeout, g.explain, now, login)
		deps.Wizard, deps.Offer = host.open, host.openOffer
	}
	return deps
}

// clusterSpecs pairs each configured cluster with its client.
func clusterSpecs(cfgs []ops.ClusterConfig, clients []*ops.Client) []tui.ClusterSpec {
	specs := make([]tui.ClusterSpec, len(cfgs))
	for i, c := range cfgs {
		specs[i] = tui.ClusterSpec{Name: c.Name, Address: c.Address, Label: c.Label,
			Protected: c.Protected, ReadOnly: c.ReadOnly, NoToken: !clients[i].HasToken(), Reader: clients[i]}
	}
	return specs
}

// wizardHost opens the setup wizard on the dashboard and keeps, between
// openings, the client of each cluster: after a secondary is activated its
// old token is gone, and the wizard hands over a re-authenticated one.
type wizardHost struct {
	clusters []wizard.Cluster
	clients  map[string]*ops.Client
	deps     wizard.Deps
}

// wizardLogin is what the wizard's login screen knows about the cluster's
// users: a username to pre-fill and, in the lab, a hint with the password.
type wizardLogin struct {
	username string
	hint     string
	keyHint  string // the lab's key share, for a DR operation token
}

func newWizardHost(cfgs []ops.ClusterConfig, clients []*ops.Client, st theme.Styles, interval, timeout time.Duration, explain bool, now func() time.Time, login wizardLogin) *wizardHost {
	h := &wizardHost{clients: make(map[string]*ops.Client, len(clients))}
	for i, c := range cfgs {
		h.clients[c.Name] = clients[i]
		h.clusters = append(h.clusters, wizard.Cluster{Name: c.Name, Address: c.Address, Label: c.Label,
			Protected: c.Protected, ReadOnly: c.ReadOnly, Op: clients[i]})
	}
	h.deps = wizard.Deps{Now: now, Styles: st, Explain: explain, Interval: interval, Timeout: timeout,
		Username: login.username, LoginHint: login.hint, KeyShareHint: login.keyHint, Login: h.login}
	return h
}

// login re-authenticates with userpass through the cluster's replicated
// auth method and returns a client carrying the new token.
func (h *wizardHost) login(ctx context.Context, cluster, user, pass string) (wizard.Operator, error) {
	c, ok := h.clients[cluster]
	if !ok {
		return nil, fmt.Errorf("log in to %s: not a configured cluster", cluster)
	}
	tok, err := c.LoginUserpass(ctx, "userpass", user, pass)
	if err != nil {
		return nil, err
	}
	return c.WithToken(tok)
}

// open is the dashboard's tui.WizardOpener: the operations that fit the
// focused cluster's role (straight to the guided setup when only it fits).
// ctx is the dashboard's: quitting cancels the wizard's reads. The wizard
// detaches its writes from it (a write cut mid-request may or may not have
// happened, and nobody would be left to say which); each is bounded by its
// timeout, and runProgram waits for them (writeTracker) before exiting.
func (h *wizardHost) open(ctx context.Context, focused string, width, height int) (tui.Overlay, tea.Cmd) {
	return h.overlay(ctx, wizard.Start{Flow: wizard.FlowOperations, TypeKnown: true, Focused: focused}, width, height)
}

// overlay is the wizard, started at start, as the dashboard's overlay.
func (h *wizardHost) overlay(ctx context.Context, start wizard.Start, width, height int) (tui.Overlay, tea.Cmd) {
	d := h.deps
	d.Context = ctx
	d.Clusters = append([]wizard.Cluster(nil), h.clusters...)
	m := wizard.New(d, start).SetSize(width, height)
	return wizardOverlay{m: m, host: h}, m.Init()
}

// openOffer is the dashboard's tui.OfferOpener: the wizard straight on the
// flow a finding offers for the focused cluster (a). The revoke of an
// unused token opens on that cluster, the type and the secondary id
// chosen; the flow's own pre-flight and typed confirmation apply.
func (h *wizardHost) openOffer(ctx context.Context, focused string, offer ops.Offer, width, height int) (tui.Overlay, tea.Cmd) {
	if offer.Kind != ops.OfferRevoke {
		return h.open(ctx, focused, width, height)
	}
	return h.overlay(ctx, wizard.Start{Flow: wizard.FlowRevoke, Type: offer.Type, TypeKnown: true, Primary: focused,
		SecondaryID: offer.SecondaryID, Focused: focused}, width, height)
}

// wizardOverlay adapts wizard.Model to tui.Overlay and translates the
// wizard's messages for the dashboard.
type wizardOverlay struct {
	m    wizard.Model
	host *wizardHost
}

func (w wizardOverlay) Update(msg tea.Msg) (tui.Overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case wizard.ClosedMsg:
		return w, func() tea.Msg { return tui.OverlayClosedMsg{Changed: msg.Changed} }
	case wizard.WroteMsg:
		return w, func() tea.Msg { return tui.ClusterChangedMsg{Cluster: msg.Cluster} }
	case wizard.ClientChangedMsg:
		for i := range w.host.clusters {
			if w.host.clusters[i].Name == msg.Cluster {
				w.host.clusters[i].Op = msg.Op
			}
		}
		if c, ok := msg.Op.(*ops.Client); ok {
			w.host.clients[msg.Cluster] = c
		}
		// The wizard itself already uses the new client.
	}
	var cmd tea.Cmd
	w.m, cmd = w.m.Update(msg)
	return w, cmd
}

func (w wizardOverlay) View() string { return w.m.View() }

func (w wizardOverlay) SetSize(width, height int) tui.Overlay {
	w.m = w.m.SetSize(width, height)
	return w
}

func (w wizardOverlay) InputFocused() bool       { return w.m.InputFocused() }
func (w wizardOverlay) ShortHelp() []key.Binding { return w.m.ShortHelp() }

// uiSetup is what every command that opens the dashboard prepares before
// the terminal switches to the alternate screen: styles for this terminal
// and the log file. Nothing is ever logged to the terminal.
type uiSetup struct {
	styles theme.Styles
	log    *slog.Logger
	closer io.Closer
}

// newUISetup builds the styles (--theme, --no-color, NO_COLOR, the
// locale) and opens --log-file. Errors here are configuration errors,
// reported before the dashboard starts.
func newUISetup(g *globalOptions, configTheme ...string) (*uiSetup, error) {
	name := g.theme
	if name == "" && len(configTheme) > 0 {
		name = configTheme[0]
	}
	palette, err := theme.PaletteByName(name)
	if err != nil {
		return nil, fmt.Errorf("--theme: %w", err)
	}
	r := lipgloss.NewRenderer(os.Stdout)
	if g.noColor {
		// Same profile NO_COLOR selects through termenv: no colour at all.
		r.SetColorProfile(termenv.Ascii)
	}
	// The background was decided before bubbletea's init could ask (package
	// earlyterm: once, bounded, and not at all when no colour is drawn or
	// COLORFGBG names it); this renderer takes that answer instead of
	// asking again, which once bubbletea owns stdin would wait its full
	// timeout and turn the answer into stray key presses.
	r.SetHasDarkBackground(lipgloss.HasDarkBackground())
	styles := theme.New(r, palette)
	if asciiOnly() {
		styles = styles.WithASCII()
	}
	u := &uiSetup{styles: styles, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if g.logFile != "" {
		log, f, err := openLogFile(g.logFile)
		if err != nil {
			return nil, err
		}
		u.log, u.closer = log, f
	}
	return u, nil
}

// openLogFile opens --log-file for appending (0600: it may name clusters and
// addresses, never tokens) as a debug-level text log.
func openLogFile(path string) (*slog.Logger, io.Closer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--log-file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), f, nil
}

// Close closes the log file.
func (u *uiSetup) Close() {
	if u.closer != nil {
		_ = u.closer.Close()
	}
}

// asciiOnly is true when the locale cannot show the Unicode glyphs (tmux,
// for one, draws them as "_" then) or VAULTREPL_ASCII asks for ASCII.
func asciiOnly() bool {
	if v := os.Getenv("VAULTREPL_ASCII"); v != "" && v != "0" {
		return true
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := os.Getenv(k); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return true
}

// dashboardResultWindow is how long the first of several status results
// waits for the others before the dashboard takes them in (tui.Deps): a
// frame at 20 fps lasts 50 ms, so a result shown 15 ms later is not seen
// later.
const dashboardResultWindow = 15 * time.Millisecond

// dashboardFPS caps how often bubbletea writes a frame to the terminal
// (its default is 60). An idle dashboard of 32 clusters changes about
// sixteen times a second; writing at most twenty frames a second keeps
// keys responsive and cut its idle CPU by a fifth (measured with make bench-idle).
const dashboardFPS = 20

// runProgram runs the dashboard full-screen until the user quits. The mouse
// stays off so operators can select and copy addresses and IDs.
//
// A write already sent when the dashboard quits is waited for (up to the
// write timeout), with a word on stderr: quitting does not take it back.
func runProgram(ctx context.Context, deps tui.Deps, writes *writeTracker, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	deps.Context = ctx
	tuneGC()
	tuneProcs()
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithFPS(dashboardFPS)}
	if deps.Mouse {
		// Only with --mouse: reporting takes the mouse from the terminal,
		// and with it the selection of text to copy.
		opts = append(opts, tea.WithMouseCellMotion())
	}
	p := tea.NewProgram(tui.New(deps), opts...)
	_, err := p.Run()
	writes.wait(stderr, ops.DefaultWriteTimeout)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return &exitError{code: 1, err: fmt.Errorf("dashboard: %w", err)}
	}
	return nil
}

// tuneGC trades memory for CPU in the long-running dashboard, unless GOGC
// or GOMEMLIMIT say otherwise: its live heap is a few megabytes, and at
// Go's default every few megabytes allocated (a second or two of polling)
// start a collection. Collecting at four times the live heap instead, with
// a ceiling, cut idle CPU by a tenth for about 10 MB of RSS (the dashboard's
// budget is under 60 MB of RSS; make bench-idle reports both).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
}

// tuneProcs runs the dashboard's goroutines on one processor, unless
// GOMAXPROCS says otherwise. Its work comes in small pieces that hand over
// to each other (a poll's Cmd, the HTTP connection's reader and writer, the
// renderer's ticker): with a second processor idle, each hand-over woke it
// and let it spin looking for work, which cost more than the work. Nothing
// in the dashboard needs two cores at once.
func tuneProcs() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
