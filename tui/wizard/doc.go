// Package wizard is vaultrepl's guided replication setup: enable a primary,
// generate a secondary activation token, activate a secondary (after the purge
// warning and a typed confirmation), watch it reach stream-wals, and verify
// that a change on the primary propagates. Performance and DR alike.
//
// Each step runs pre-flight checks (reachable, unsealed, Enterprise, the
// current mode allows it, the token's capabilities, the activation token not
// expired), then its inputs (huh fields inside this package's own step
// machine; never form.Run), a review screen with the equivalent vault command
// (secrets masked), the write with a spinner, and the result with the next
// step. Writes are never retried automatically; reads are.
//
// # Inside: step models, one session, one write flow
//
// Model hosts a list of small step models, one per file (step_primary.go,
// step_token.go, step_activate.go, step_watch.go, step_login.go,
// step_verify.go, step_next.go (with the type choice); the failover and
// lifecycle steps:
// step_promote_dr.go, step_follow.go, step_drill.go, step_revoke.go,
// step_lifecycle.go, step_pathsfilter.go, step_operations.go). They share a session
// (session.go: the type, the clusters chosen, the survey of every cluster's
// status, the activation token in hand, what changed) and each keeps its own
// small state with state/withState. Model routes keys and messages to the
// current step; a step implements stepModel (crumb, title, enter, explain)
// and, for its own screens, keyed, viewer and formDoner.
//
// A step built around one write implements writeStep and gets the one write
// flow (writeflow.go) for free: pre-flight (preflight → factsMsg →
// evaluate: checks; blockers that clear by themselves are re-read) → inputs
// (a huh form, or none) → review (the exact vault command, from the table
// of operations in package ops, secrets masked) → confirmation (the typed
// cluster name when the table marks the operation destructive or the
// cluster is protected) → run (once, never retried) → result → next step.
// A failure is diagnosed by its ops error class (and the step's diagnose).
// A reply that was lost or unclear (connection dropped, 5xx, timeout) is
// never taken as a refusal: the flow re-reads the target and re-runs the
// pre-flight, then either carries on (landed: the write took effect) or
// shows what the fresh checks found before offering a retry.
//
// Adding a new flow is one new step file plus a table row. The step file
// (step_<name>.go) declares the step's constant (any unused number below
// maxStep), its model (stepModel; writeStep for a write, which then gets
// the write flow above), and registers it in init with register. The row
// goes into the flow table (flows.go): the flow's name, its first step and
// the order of its steps, its title, and its offer (the entries the
// operations menu, w on the dashboard, shows for a cluster, and how urgent
// they are). A host that opens the flow by name gets a Flow constant
// beside it in api.go. If the step's write is new to vaultrepl, its path,
// capabilities, destructiveness and command text are one row of ops'
// table of operations (ops/operations.go), with a method on Operator.
//
// # Plugging it into a host
//
// The dashboard (package tui) hosts the wizard as a child model:
//
//	w := wizard.New(wizard.Deps{
//		Clusters: []wizard.Cluster{{Name: "us-east-2", Address: addr, Protected: false, Op: client}, …},
//		Now:      time.Now,        // the injected clock; in demo mode lab.Now (token expiry is the lab's)
//		Styles:   styles,          // theme.New(renderer, palette)
//		Explain:  opts.explain,    // --explain: training mode
//		Login:    login,           // re-authentication, see below
//		Username: "operator",      // pre-fills the login form (lab: lab.Userpass())
//		LoginHint: "lab user operator, password …", // demo only: how else would a trainee know it?
//		Interval: opts.interval, Timeout: opts.timeout,
//	}, wizard.Start{Flow: wizard.FlowSetup})
//	w = w.SetSize(width, height)   // the area the wizard may draw in
//	cmd := w.Init()                // must be returned to bubbletea
//
// Wiring rules for the host:
//
//   - While the wizard is open, route every tea.KeyMsg to w.Update, except
//     ctrl+c, which the host handles first (quit the app). The wizard uses esc
//     (back; at the first screen, or mid-flow after a confirmation, close) and
//     q (close, with a confirmation when leaving would lose work), so the host
//     must not treat them as its own while the wizard is open.
//   - Also route every message the host does not recognise as its own to
//     w.Update: the wizard's results, ticks and the input cursor's blink
//     arrive as messages of the wizard's (mostly unexported) types.
//   - On tea.WindowSizeMsg call w = w.SetSize(w, h) with the area you give it
//     (the whole screen below your header is fine; the wizard draws its own
//     title line and key help, so do not add a second help line for it).
//   - Handle the messages the wizard sends out: [ClosedMsg] (remove the
//     wizard; refresh the clusters in Changed), [ClientChangedMsg] (use Op
//     for that cluster from now on: after activation its old token is gone),
//     [WroteMsg] (refresh that cluster's pane now).
//   - w.ShortHelp / w.FullHelp describe the keys currently active, for a host
//     that wants to show full help (?) itself; w.InputFocused reports whether
//     a text field has focus (then every letter is text); w.Title names the
//     wizard for a header; w.Closed reports that ClosedMsg is on its way.
//
// Keys inside the wizard: enter continues (on a review screen it executes,
// after a typed confirmation where one is needed), esc goes back one screen
// (cancels a confirmation; from a step's first screen it offers to close), q
// closes (asking first when an unused activation token, a secondary being
// watched or the canary would be left behind), r re-checks or reviews a
// failed write for a retry, v/y/s reveal, copy (OSC 52) and save (0600) the
// activation token, l logs in to a cluster whose token is gone, e toggles
// training mode, ? shows every key.
//
// What cmd must pass in Deps: a Cluster per configured cluster with an
// Operator (the *ops.Client), Protected and ReadOnly from the config; Login,
// built from the cluster's *ops.Client as
//
//	func(ctx context.Context, cluster, user, pass string) (wizard.Operator, error) {
//		c := clients[cluster]
//		tok, err := c.LoginUserpass(ctx, "userpass", user, pass)
//		if err != nil { return nil, err }
//		return c.WithToken(tok)
//	}
//
// and, in demo mode, Username and LoginHint from lab.Userpass() and Now =
// lab.Now. With --read-only the host must not offer the wizard at all.
//
// # Flows
//
// [Start] picks the entry point: [FlowSetup] (everything, from an
// unconfigured primary), [FlowEnablePrimary], [FlowSecondaryToken],
// [FlowActivateSecondary] (with a pasted token), [FlowWatch] and [FlowVerify]
// (the propagation check on its own); the failover and lifecycle flows
// [FlowFailover] (a DR secondary promoted with a DR operation token made
// from key shares, entered one at a time with Vault's progress, or a batch
// token; then the performance secondaries follow), [FlowFollow],
// [FlowDrill] (planned failover, and failback from the other side),
// [FlowPerfPromote], [FlowPerfDemote], [FlowRevoke], [FlowDisable] and
// [FlowPathsFilter]; and [FlowOperations], the menu of what fits the
// focused cluster's role, which the dashboard opens on w. Type and
// clusters may be preselected; otherwise the wizard asks. Every setup flow
// continues into the steps after it.
package wizard
