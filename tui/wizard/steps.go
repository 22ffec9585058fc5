package wizard

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// step identifies one step model. Each step lives in its own file
// (step_*.go) and registers itself in an init function; the setup's steps
// are declared here, a new step declares its constant in its own file. The
// flow table (flows.go) lists which steps a flow runs and in what order.
type step int

const (
	stType     step = iota // choose performance or DR (step_next.go)
	stPrimary              // enable the primary (step_primary.go)
	stToken                // generate the secondary activation token (step_token.go)
	stActivate             // activate the secondary, which purges it (step_activate.go)
	stWatch                // follow it to stream-wals (step_watch.go)
	stLogin                // re-authenticate on the new performance secondary (step_login.go)
	stNext                 // what next (step_next.go)
	stVerify               // the propagation check (step_verify.go)
)

// maxStep bounds step ids: the progress line keeps the steps seen in a bit set.
const maxStep = 64

// phase is where the operator is within a step. The write flow's phases
// (checks → form → review → confirm → running → result) are shared by every
// write step; the others belong to the step that uses them.
type phase int

const (
	phLoading  phase = iota // reads in flight (survey, pre-flight, login)
	phForm                  // a huh form has the keys
	phChecks                // pre-flight found a blocker, or the step is already done
	phReview                // the equivalent vault command; enter executes
	phConfirm               // the typed cluster name (a form)
	phRunning               // a write in flight
	phResult                // what the write returned
	phToken                 // the activation token, shown once
	phWatching              // polling the new secondary
	phInfo                  // an explanation with nothing to enter
	phPolling               // verify: waiting for the canary on the secondaries
	phCleanup               // verify: remove the canary? (y/n)
	phDone                  // verify: the report
)

// stepModel is one step of a flow: a small model that owns its screens and
// keys and shares the session (clusters, survey, token, what changed) through
// Model. Its methods take the wizard's Model and return the next one, so a
// step is a value with no state of its own; what it must remember between
// messages lives in the session or in its stepState (see state).
type stepModel interface {
	// crumb names the step in the progress line ("primary", "token").
	crumb() string
	// title says what the step is doing, for "enter: continue with …".
	title(m Model) string
	// enter shows the step's first screen.
	enter(m Model) (Model, tea.Cmd)
	// explain is the training-mode text ("" for none).
	explain(m Model) string
}

// keyed is a step with keys of its own on screens without a form
// (phases other than the write flow's).
type keyed interface {
	key(m Model, k tea.KeyMsg) (Model, tea.Cmd)
}

// viewer is a step that draws the phases the write flow does not own.
type viewer interface {
	view(m Model, avail int) (top, bottom []string)
}

// formDoner is a step with forms of its own (not the write flow's inputs
// and confirmation); formDone acts on one that completed.
type formDoner interface {
	formDone(m Model) (Model, tea.Cmd)
}

// writeStep is a step built around one write, sent through the one write
// flow (writeflow.go): pre-flight → inputs → review (the exact vault
// command, secrets masked) → confirmation (the typed cluster name when the
// table marks the operation destructive or the cluster is protected) → the
// write, sent once and never retried → result → next step. After a reply
// that was lost or unclear, the flow re-reads the cluster and re-runs the
// pre-flight before it offers anything.
type writeStep interface {
	stepModel
	// op is the operation's row in ops' table of operations: path,
	// capabilities, destructive or not, command text.
	op(m Model) ops.OpKind
	// target is the cluster the write goes to.
	target(m Model) string
	// preflight starts the reads the checks need (the reply is a factsMsg)
	// and sets m.loading to say what is being read.
	preflight(m Model) (Model, tea.Cmd)
	// evaluate turns the reads into m.checks (and sets m.already when the
	// step's goal is met already).
	evaluate(m Model, msg factsMsg) Model
	// inputs is the form of the step's parameters, nil when it has none.
	inputs(m Model) *huh.Form
	// request reads the completed inputs into the step's request.
	request(m Model) Model
	// review is the review screen's text above and below the command (the
	// flow draws the command itself, from the table, with its cluster).
	review(m Model) (before, after []string)
	// command is the exact vault command of the request, secrets masked.
	command(m Model) string
	// run returns the write, sent once by the flow.
	run(m Model) func(ctx context.Context) writeMsg
	// landed tells, from a fresh read of the target after an unclear reply,
	// whether the write took effect anyway.
	landed(m Model, f facts) bool
	// done acts on a successful write (or one that landed).
	done(m Model, msg writeMsg) (Model, tea.Cmd)
	// result is the success screen's text.
	result(m Model) []string
}

// Optional parts of a write step; the flow has a default for each.
type (
	// proceeder replaces what follows passing checks (default: the inputs).
	proceeder interface {
		proceed(m Model) (Model, tea.Cmd)
	}
	// confirmer draws the typed confirmation's context (default: the
	// command) and its prompt.
	confirmer interface {
		confirmContext(m Model) []string
		confirmPrompt(m Model) string
	}
	// diagnoser explains a failed write better than its error class can.
	diagnoser interface {
		diagnose(m Model) (cause, fix string)
	}
	// runner describes the write in flight (default: "<verb> on <target>").
	runner interface {
		running(m Model) string
	}
	// confirmGate decides whether the typed confirmation is needed
	// (default: destructive in the table, or a protected target).
	confirmGate interface {
		needsConfirm(m Model) bool
	}
	// beforeSend re-checks what may have changed since the review (a
	// token's expiry); false sends the operator back to the pre-flight.
	beforeSend interface {
		fresh(m Model) bool
	}
	// chooser words the cluster choice a step asks for with
	// m.openSelect(fkPrimary) (the primary) or fkTarget (the secondary);
	// the choice lands in m.primary or m.secondary, then the step's
	// pre-flight runs.
	chooser interface {
		choose(m Model, kind formKind) (title, desc string)
	}
	// reviewHinter names the review screen's enter action.
	reviewHinter interface {
		reviewAction(m Model) string
	}
)

var registry [maxStep]stepModel

// register adds a step model; each step file calls it from init.
func register(s step, sm stepModel) {
	if s < 0 || s >= maxStep || registry[s] != nil {
		panic(fmt.Sprintf("wizard: step %d registered twice or out of range", s))
	}
	registry[s] = sm
}

// stepOf is the model of step s.
func stepOf(s step) stepModel {
	if s < 0 || s >= maxStep || registry[s] == nil {
		return nil
	}
	return registry[s]
}

// writer is the current step as a write step, if it is one.
func (m Model) writer() (writeStep, bool) {
	ws, ok := stepOf(m.step).(writeStep)
	return ws, ok
}

// verb is what a write step does, from the table: "enable performance primary".
func (m Model) verb(ws writeStep) string {
	return ops.Lookup(ws.op(m)).Action(m.typ)
}
