package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/tui"
)

// demoOptions are the demo command's own flags.
type demoOptions struct {
	topology  string
	speed     float64
	writeRate float64
	seed      int64
	portBase  int
}

func newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The dashboard on a built-in lab of simulated clusters (no Vault needed)",
		Long: `demo starts a lab of simulated Vault Enterprise clusters in this process,
on 127.0.0.1 only, and opens the dashboard on them through the same HTTP client
used for real clusters. Nothing else needs to be installed.

The lab menu (L) injects faults on the focused cluster — partition, seal,
stop, latency, 5xx bursts, clock skew — and clears them, so you can watch the
panes react.

Topologies: global (default: primary us-east-2, performance secondaries
us-east-1 and eu-west-1, DR secondary us-east-2-dr), datacenter, fresh (four
unconfigured clusters, for the setup wizard), fleet:N.

The lab lives in this process: quitting (q or ctrl+c) stops it and its
clusters are gone (vaultrepl lab keeps clusters running between sessions).
A write the wizard already sent is not taken back by quitting: the demo waits
for its answer, and says so, before it stops the lab.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), g, o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.topology, "topology", "global", "lab topology: global, datacenter, fresh or fleet:N")
	f.Float64Var(&o.speed, "speed", 1, "simulated time per real time (10 makes syncs ten times faster)")
	f.Float64Var(&o.writeRate, "write-rate", 3, "background writes per second on each primary, so WALs and lag move")
	f.Int64Var(&o.seed, "seed", 0, "random seed of the lab (0: random)")
	f.IntVar(&o.portBase, "port-base", 0, "first port; clusters use consecutive ports, the control endpoint the next (0: any free ports)")
	return cmd
}

// demoLabels mark the clusters of the seed architectures the way an
// operator would configure them, so the demo shows a protected cluster.
var demoLabels = map[string]struct {
	label     string
	protected bool
}{
	"us-east-2":    {"production primary", true},
	"us-east-2-dr": {"disaster recovery", false},
	"dc-a":         {"production primary", true},
}

func runDemo(ctx context.Context, g *globalOptions, o *demoOptions, stderr io.Writer) error {
	if err := checkDurationFlags(g); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	ui, err := newUISetup(g)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer ui.Close()
	writes := newWriteTracker()
	deps, stop, err := demoDeps(g, o, ui, writes)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	// runProgram returns once any write in flight has answered, so the
	// lab is not stopped under it.
	err = runProgram(ctx, deps, writes, stderr)
	stop()
	fmt.Fprintln(stderr, "vaultrepl demo: the lab stopped with the dashboard; its clusters lived in this process (vaultrepl lab keeps them running)")
	return err
}

// demoDeps starts the lab on loopback and builds the dashboard on real ops
// clients pointed at it, so the demo exercises the same HTTP decoding,
// timeouts and error classes as real clusters. stop closes the lab.
func demoDeps(g *globalOptions, o *demoOptions, ui *uiSetup, writes *writeTracker) (tui.Deps, func(), error) {
	lab, err := sim.New(sim.Options{Topology: o.topology, Speed: o.speed, WriteRate: o.writeRate, Seed: o.seed, PortBase: o.portBase})
	if err != nil {
		return tui.Deps{}, nil, fmt.Errorf("start the lab: %w", err)
	}
	if err := lab.Start(); err != nil {
		return tui.Deps{}, nil, fmt.Errorf("start the lab: %w", err)
	}
	stop := func() { _ = lab.Close() }
	ui.log.Info("demo lab started", "topology", o.topology, "seed", lab.Seed(), "control", lab.ControlURL())

	s := settings{ReadOnly: g.readOnly, Interval: firstDuration(g.interval, defaultInterval), Timeout: firstDuration(g.timeout, defaultTimeout),
		Thresholds: ops.DefaultThresholds()}
	for _, ci := range lab.Clusters() {
		meta := demoLabels[ci.Name]
		s.Clusters = append(s.Clusters, ops.ClusterConfig{
			Name: ci.Name, Address: ci.Addr, Label: meta.label, Protected: meta.protected,
			// The lab's root token, handed over in memory: never printed or logged.
			Token: ops.TokenSource{Inline: ci.Token},
		})
	}
	s.applyToClusters()
	opts := s.clientOptions(ui.log)
	if writes != nil {
		opts.OnWrite = writes.start
	}
	clients, err := newClients(s, opts)
	if err != nil {
		stop()
		return tui.Deps{}, nil, err
	}
	// Trainees are not told the lab's password anywhere else in the demo,
	// and they need it to log in on a freshly activated secondary. Token
	// expiry and countdowns follow the lab's clock, which --speed scales.
	user, pass := lab.Userpass()
	login := wizardLogin{username: user, hint: fmt.Sprintf("lab login: username %s, password %s", user, pass),
		keyHint: "Lab key share (threshold 1): " + lab.UnsealKey()}
	deps := baseDeps(g, s, ui, clients, lab.Now, login)
	deps.Lab = labAdapter{labSource: lab}
	return deps, stop, nil
}

// The simulator's fault methods are the lab menu's LabControl as they are.
var _ tui.LabControl = (*sim.Lab)(nil)
