package wizard

import (
	"context"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// Operator is what the wizards need from one cluster: the replication writes,
// the reads that pre-flight checks and the purge inventory rely on, and the
// canary auth method of the propagation check. *ops.Client implements it.
type Operator interface {
	// Status reads sys/health and sys/replication/status (both unauthenticated).
	Status(ctx context.Context) (ops.Snapshot, error)
	// Capabilities asks sys/capabilities-self what the token may do on paths.
	Capabilities(ctx context.Context, paths ...string) (map[string][]string, error)
	EnablePrimary(ctx context.Context, t ops.ReplicationType, r ops.EnablePrimaryRequest) (ops.WriteResult, error)
	SecondaryToken(ctx context.Context, t ops.ReplicationType, r ops.SecondaryTokenRequest) (ops.ActivationToken, error)
	EnableSecondary(ctx context.Context, t ops.ReplicationType, r ops.EnableSecondaryRequest) (ops.WriteResult, error)
	ListAuth(ctx context.Context) ([]ops.Mount, error)
	ListMounts(ctx context.Context) ([]ops.Mount, error)
	EnableAuth(ctx context.Context, path, typ, description string) error
	DisableAuth(ctx context.Context, path string) error
}

// Cluster is one cluster the wizard may act on.
type Cluster struct {
	Name    string
	Address string // the API address, e.g. https://vault.us-east-2:8200
	Label   string // optional, shown next to the name
	// Protected clusters need the typed cluster name for every role change,
	// not only for the purge.
	Protected bool
	// ReadOnly clusters are still read (status, auth methods for the
	// propagation check) but never written to: steps that would write to them
	// fail their pre-flight.
	ReadOnly bool
	Op       Operator
}

// Deps is everything the wizard gets from its host. Only Clusters is required.
type Deps struct {
	Clusters []Cluster
	// Now is the clock (token countdowns, propagation times). Default time.Now.
	Now func() time.Time
	// Styles come from theme.New; the zero value means theme.New(nil,
	// theme.DefaultPalette()).
	Styles theme.Styles
	// Explain starts in training mode (the e key toggles it).
	Explain bool
	// Login re-authenticates on a cluster with userpass and returns an
	// Operator that carries the new token. cmd builds it with
	// ops.Client.LoginUserpass on the "userpass/" mount and ops.Client.WithToken.
	// Nil: the wizard explains re-authentication but cannot perform it.
	Login func(ctx context.Context, cluster, username, password string) (Operator, error)
	// Username pre-fills the login form ("operator" in the lab).
	Username string
	// LoginHint is shown on the login screen. In demo mode cmd passes the
	// lab's credentials ("lab user operator, password …"): a simulated lab's
	// password is for training, and a new user has no other way to learn it.
	LoginHint string
	// KeyShareHint is shown where a DR operation token asks for key shares.
	// In demo mode cmd passes the lab's one key share: a trainee has no key
	// holders to ask.
	KeyShareHint string
	// Copy puts text on the clipboard. Default: an OSC 52 sequence written to
	// the controlling terminal (/dev/tty), never to stdout or a log.
	Copy func(text string) error
	// SaveDir is where the activation token may be saved (0600). Default: the
	// user's home directory.
	SaveDir string
	// Interval between polls while watching and verifying. Default 2s.
	Interval time.Duration
	// Timeout of each request. Default 10s; writes get at least 30s because
	// enabling replication makes Vault briefly unavailable.
	Timeout time.Duration
	// StuckAfter is the number of polls without progress after which the
	// watch says the secondary is stuck (and why). Default 15.
	StuckAfter int
	// Context is the parent of every read the wizard makes (pre-flight,
	// survey, watch, the propagation check's polls, log-in): the host
	// cancels it when the program quits, and reads in flight stop. Writes
	// do not stop with it (see writeContext). Default context.Background.
	Context context.Context
	// VerifyPolls is how many polls the propagation check waits for the canary
	// on each secondary before reporting it missing. It polls every Interval,
	// but at least every 500ms (its resolution is the timing it reports).
	// Default 120.
	VerifyPolls int
}

// Flow picks where the wizard starts. Every flow can continue into the steps
// that follow it (enable primary → secondary token → activate → watch →
// verify), so the single-step flows are entry points, not dead ends.
type Flow int

const (
	// FlowSetup is the full guided setup from an unconfigured primary.
	FlowSetup Flow = iota
	// FlowEnablePrimary enables replication on a primary.
	FlowEnablePrimary
	// FlowSecondaryToken generates an activation token on a primary.
	FlowSecondaryToken
	// FlowActivateSecondary activates a secondary with a pasted token.
	FlowActivateSecondary
	// FlowWatch follows an activated secondary until it streams.
	FlowWatch
	// FlowVerify runs the propagation check on an existing replication set.
	FlowVerify
	// FlowFailover is the disaster: promote a DR secondary (Start.Secondary)
	// with a DR operation token, then point the performance secondaries at
	// it one by one, each watched to stream-wals.
	FlowFailover
	// FlowFollow points the performance secondaries at a new performance
	// primary (Start.Primary), one by one.
	FlowFollow
	// FlowRevoke revokes a secondary on a primary (Start.Primary;
	// Start.SecondaryID preselects it: the "token never used" finding).
	FlowRevoke
	// FlowDrill is a planned failover from the DR primary (Start.Primary)
	// to its DR secondary (Start.Secondary), which ends with the old
	// primary a DR secondary of the new one; started from the other side it
	// is the failback.
	FlowDrill
	// FlowPerfPromote promotes a performance secondary (Start.Secondary).
	FlowPerfPromote
	// FlowPerfDemote demotes a performance primary (Start.Primary).
	FlowPerfDemote
	// FlowDisable disables replication of Start.Type on Start.Primary,
	// primary or secondary.
	FlowDisable
	// FlowPathsFilter sets or removes a performance secondary's paths
	// filter on the primary (Start.Primary; Start.SecondaryID preselects).
	FlowPathsFilter
	// FlowOperations offers the operations that fit the focused cluster's
	// role (Start.Focused) and starts the one chosen.
	FlowOperations
)

// String returns the flow's name as used on the command palette (the flow
// table's name column).
func (f Flow) String() string {
	if d, ok := flows[f]; ok {
		return d.name
	}
	return "unknown"
}

// ParseFlow maps a name from String back to a Flow.
func ParseFlow(s string) (Flow, bool) {
	for f, d := range flows {
		if d.name == s {
			return f, true
		}
	}
	return FlowSetup, false
}

// Start says which flow to open and what is already chosen.
type Start struct {
	Flow Flow
	// Type is the replication type; it is asked first unless TypeKnown.
	Type      ops.ReplicationType
	TypeKnown bool
	// Primary and Secondary preselect clusters by name (empty: asked).
	Primary   string
	Secondary string
	// SecondaryID preselects the activation token id (watch, verify).
	SecondaryID string
	// Focused is the cluster the host had focused when the wizard was
	// opened: the first cluster choice starts on it (when it fits the role).
	Focused string
}

// ClosedMsg is sent when the operator leaves the wizard. Changed lists the
// clusters whose replication configuration the wizard wrote to, so that the
// host can refresh them at once.
type ClosedMsg struct {
	Changed []string
}

// ClientChangedMsg is sent after re-authentication on a cluster: the host
// must use Op for that cluster from now on (its old token is gone).
type ClientChangedMsg struct {
	Cluster string
	Op      Operator
}

// WroteMsg is sent after every successful write, so that the host can
// refresh the cluster's pane without waiting for its next poll.
type WroteMsg struct {
	Cluster string
	Action  string // "enable performance primary", "enable canary auth method", …
}
