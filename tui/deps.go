package tui

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// StatusReader reads one cluster's status: sys/health plus
// sys/replication/status. *ops.Client implements it; tests use fakes.
type StatusReader interface {
	Status(ctx context.Context) (ops.Snapshot, error)
}

// IncrementalReader is a StatusReader that can refresh a cluster from its
// previous snapshot with sys/replication/status alone, reading sys/health
// only when something calls for it (*ops.Client.StatusAfter). The dashboard
// then reads sys/health of a healthy cluster once every Deps.HealthEvery
// instead of at every poll: half the requests of an idle dashboard.
type IncrementalReader interface {
	StatusAfter(ctx context.Context, prev *ops.Snapshot) (ops.Snapshot, error)
}

// PathsFilterReader is a StatusReader that can also read the paths filters
// a performance primary keeps for its secondaries (*ops.Client). The
// dashboard reads them after a status read when the set of secondaries
// changed, when this process wrote a filter (ops.Snapshot.PathsFilterWrites
// moved), on a refresh, and otherwise every Deps.PathsFilterEvery.
type PathsFilterReader interface {
	ReadPathsFilters(ctx context.Context, ids []string) []ops.SecondaryFilter
}

// ClusterSpec is one configured cluster as the dashboard sees it. It carries
// no write access: writes belong to the wizard, which cmd wires through
// [Deps.Wizard] with the clusters' clients, so a read-only run has nothing
// here that could write.
type ClusterSpec struct {
	Name      string
	Address   string // the API address, shown and used in the equivalent vault commands
	Label     string // optional, e.g. "production"
	Protected bool   // drawn unmistakably: double border and the PROTECTED tag
	ReadOnly  bool   // this cluster is never written to (shown in the pane)
	// NoToken: no token is configured, so only the unauthenticated status
	// is read and every write will be refused (shown in the pane).
	NoToken bool
	Reader  StatusReader
}

// LabControl is what the lab menu needs from the simulator: inject a fault on
// a cluster and clear it. Only demo mode sets it; cmd adapts the simulator.
// Names are configured cluster names.
type LabControl interface {
	Partition(a, b string) error
	Heal(a, b string) error
	Seal(name string) error
	Unseal(name string) error
	Stop(name string) error
	Restart(name string) error
	SetLatency(name string, d time.Duration) error
	FailRequests(name string, status, count int) error
	SkewClock(name string, d time.Duration) error
	ClearFaults(name string) error
	// PromoteWithoutDemote promotes a secondary ("dr" or "performance")
	// and leaves its primary a primary: a split brain.
	PromoteWithoutDemote(name, replicationType string) error
}

// Overlay is a full-screen child the dashboard hosts, such as the setup
// wizard. While it is open the dashboard routes every key (except ctrl+c,
// which always quits) and every message it does not handle itself to it.
// It reports back with [OverlayClosedMsg] and [ClusterChangedMsg].
type Overlay interface {
	Update(msg tea.Msg) (Overlay, tea.Cmd)
	View() string
	SetSize(width, height int) Overlay
	// InputFocused is true while a text field has focus.
	InputFocused() bool
	// ShortHelp lists the overlay's keys for the footer.
	ShortHelp() []key.Binding
}

// WizardOpener opens the wizard on the focused cluster (its name; "" when
// none) in an area of width×height cells. cmd builds it from the clusters'
// clients and adapts package wizard's model to [Overlay]. ctx is the
// dashboard's own, canceled when it quits: the wizard's reads (pre-flight,
// watch, polls) stop with it. Its writes must not: a write cut mid-request
// may or may not have happened, and nobody would be left to read the
// cluster again and say which, so they run detached, each bounded by its
// own timeout (cmd waits for them before it exits).
type WizardOpener func(ctx context.Context, focused string, width, height int) (Overlay, tea.Cmd)

// OfferOpener opens the wizard straight on the flow a finding offers
// (ops.Reason.Offer) for the focused cluster (its name), in an area of
// width×height cells: for ops.OfferRevoke, the revoke flow on that cluster
// with the secondary id chosen. ctx is as for WizardOpener.
type OfferOpener func(ctx context.Context, focused string, offer ops.Offer, width, height int) (Overlay, tea.Cmd)

// OverlayClosedMsg tells the dashboard that the overlay closed. Changed lists
// clusters whose replication configuration changed; they are refreshed now.
type OverlayClosedMsg struct {
	Changed []string
}

// ClusterChangedMsg asks the dashboard to refresh one cluster's pane now (a
// write just changed it) rather than at its next poll.
type ClusterChangedMsg struct {
	Cluster string
}

// Deps is everything the dashboard needs. Only Clusters is required.
type Deps struct {
	Clusters []ClusterSpec
	// Now is the clock. Views read it once per frame, and Update for
	// whatever it records; only the timers read the wall clock, to fire on
	// its grid (see coalesce). Default time.Now.
	Now func() time.Time
	// Interval between polls of one cluster. Default 2s.
	Interval time.Duration
	// Timeout of one status read. Default 5s.
	Timeout time.Duration
	// MaxBackoff caps the delay between polls of a failing cluster. Default 30s.
	MaxBackoff time.Duration
	// HealthEvery is how often a healthy cluster's sys/health is read when
	// its reader is an IncrementalReader; the polls in between read only
	// the replication status (and health too when that changes or fails).
	// A manual refresh reads both. Default 10s; at most Interval reads both
	// at every poll.
	HealthEvery time.Duration
	// PathsFilterEvery is how often a performance primary's paths filters
	// are read when nothing else calls for it (its secondaries changed, a
	// filter was written, a refresh). Default one minute.
	PathsFilterEvery time.Duration
	// ResultWindow, when positive, groups the status results that arrive
	// within it of each other into one message (one Update, one frame):
	// polls start together on the timer grid and their results land a few
	// milliseconds apart. Zero delivers each result alone (the tests).
	ResultWindow time.Duration
	// Styles come from theme.New; the zero value means the default palette
	// on lipgloss's default renderer.
	Styles theme.Styles
	// ReadOnly is the global --read-only (shown in the header; no wizard).
	ReadOnly bool
	// Insecure is TLS verification off (--insecure or VAULT_SKIP_VERIFY): a
	// banner says so for as long as the dashboard runs.
	Insecure bool
	// Explain is training mode (passed on to the wizard by cmd).
	Explain bool
	// Lab is the simulator's fault injector; non-nil only in demo mode.
	// A read-only run ignores it (L then says why).
	Lab LabControl
	// Wizard opens the setup wizard (key w); nil hides it (read-only runs).
	Wizard WizardOpener
	// Offer opens the wizard on a finding's offer (key a); nil hides it
	// (read-only runs).
	Offer OfferOpener
	// Clipboard is where y copies to. Default: an OSC 52 sequence to the
	// terminal, reported as sent rather than as copied.
	Clipboard Clipboard
	// Mouse: clicks focus a pane and the wheel scrolls. Off by default, so
	// that the terminal's own text selection works; cmd turns the
	// terminal's mouse reporting on with it (--mouse).
	Mouse bool
	// Assess judges the clusters. Default ops.Assess with ops.DefaultThresholds.
	Assess func(now time.Time, obs []ops.Observation) ops.Report
	// Context is the parent of every request; canceling it aborts them.
	// Default context.Background. The dashboard cancels its own child on quit.
	Context context.Context
	// Seed varies the retry jitter between runs; tests leave it 0.
	Seed uint64
	// Log receives debug records (never tokens; the dashboard never sees one).
	// Default: discarded.
	Log *slog.Logger
}

const (
	defaultInterval   = 2 * time.Second
	defaultTimeout    = 5 * time.Second
	defaultMaxBackoff = 30 * time.Second
	defaultHealth     = 10 * time.Second
	defaultFilters    = time.Minute
	// MinWidth and MinHeight are the smallest terminal the dashboard draws in.
	MinWidth  = 80
	MinHeight = 24
)

func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Interval <= 0 {
		d.Interval = defaultInterval
	}
	if d.Timeout <= 0 {
		d.Timeout = defaultTimeout
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = defaultMaxBackoff
	}
	if d.MaxBackoff < d.Interval {
		d.MaxBackoff = d.Interval
	}
	if d.HealthEvery <= 0 {
		d.HealthEvery = defaultHealth
	}
	if d.PathsFilterEvery <= 0 {
		d.PathsFilterEvery = defaultFilters
	}
	if d.Styles.Renderer == nil {
		d.Styles = theme.New(nil, theme.DefaultPalette())
	}
	if d.Assess == nil {
		d.Assess = func(now time.Time, obs []ops.Observation) ops.Report {
			return ops.Assess(now, obs, ops.DefaultThresholds())
		}
	}
	if d.Clipboard == nil {
		d.Clipboard = osc52Clipboard
	}
	if d.Context == nil {
		d.Context = context.Background()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.ReadOnly {
		// A read-only run offers no writes at all, whatever cmd passed:
		// neither the wizard nor the lab's faults (seal, stop, partition
		// change the clusters as surely as a write does).
		d.Wizard = nil
		d.Offer = nil
		d.Lab = nil
	}
	return d
}
