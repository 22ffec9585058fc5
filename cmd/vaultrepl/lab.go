package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// labOptions are the lab command's flags.
type labOptions struct {
	topology  string
	portBase  int
	stateFile string
	speed     float64
	latency   time.Duration
	writeRate float64
	seed      int64
}

func newLabCmd() *cobra.Command {
	o := &labOptions{}
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Serve simulated Vault Enterprise clusters on 127.0.0.1 for any Vault client",
		Long: `lab serves simulated Vault Enterprise clusters on 127.0.0.1 (never another
address) until interrupted, so that any Vault client — the vault CLI, curl, a
client library, or vaultrepl in another terminal — can set up and watch
replication against them. It prints each cluster's VAULT_ADDR and VAULT_TOKEN
as export lines, the control endpoint that injects faults, and the userpass
login that works on every cluster (and on secondaries, through replication).

Topologies: fresh (default: four unconfigured clusters vault-a…vault-d),
global (primary us-east-2, performance secondaries us-east-1 and eu-west-1,
DR secondary us-east-2-dr, already streaming), datacenter (primary dc-a,
performance secondaries dc-b and cloud), fleet:N (N clusters in sets of eight).

With --port-base N the clusters listen on N, N+1, … in topology order and the
control endpoint on the port after the last cluster; --port-base 0 picks free
ports. --state-file writes the same information as JSON (mode 0600) for
scripts: {"clusters":[{"name","addr","token"}],"control":…,"userpass":{…}}.`,
		Example: `  vaultrepl lab
  vaultrepl lab --topology global --speed 10 --state-file /tmp/lab.json
  curl -s -X POST $CONTROL/faults -H 'Content-Type: application/json' -d '{"kind":"partition","cluster":"vault-a","peer":"vault-b"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(contextOf(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runLab(ctx, cmd.OutOrStdout(), o, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.topology, "topology", "fresh", "fresh, global, datacenter or fleet:N")
	f.IntVar(&o.portBase, "port-base", 18200, "first port; clusters use consecutive ports, the control endpoint the next (0: any free ports)")
	f.StringVar(&o.stateFile, "state-file", "", "write clusters, tokens, control URL and userpass login to this file as JSON (0600)")
	f.Float64Var(&o.speed, "speed", 1, "simulated time per real time (10 makes an initial sync ten times faster)")
	f.DurationVar(&o.latency, "latency", 0, "latency added to every response of every cluster (jittered ±10%)")
	f.Float64Var(&o.writeRate, "write-rate", 2, "background writes per second on each primary, so WALs and lag move (0: none)")
	f.Int64Var(&o.seed, "seed", 0, "random seed of the lab (0: random)")
	return cmd
}

func contextOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// runLab serves the lab until ctx ends. ready, when set, is called once the
// lab is serving (tests use it instead of waiting).
func runLab(ctx context.Context, out io.Writer, o *labOptions, ready func(*sim.Lab)) error {
	if o.portBase < 0 || o.portBase > 65535 {
		return &exitError{code: exitUsage, err: flagError(fmt.Sprintf("--port-base %d: a port is from 1 to 65535 (0 picks free ports)", o.portBase))}
	}
	lab, err := sim.New(sim.Options{Topology: o.topology, Seed: o.seed, Speed: o.speed,
		PortBase: o.portBase, Latency: o.latency, WriteRate: o.writeRate})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if err := lab.Start(); err != nil {
		return &exitError{code: 1, err: err}
	}
	defer func() { _ = lab.Close() }()
	if o.stateFile != "" {
		if err := lab.WriteStateFile(o.stateFile); err != nil {
			return &exitError{code: 1, err: err}
		}
	}
	printLab(out, lab, o)
	if ready != nil {
		ready(lab)
	}
	<-ctx.Done()
	fmt.Fprintln(out, "\nStopping the lab.")
	if err := lab.Close(); err != nil {
		return &exitError{code: 1, err: fmt.Errorf("stop the lab: %w", err)}
	}
	return nil
}

// printLab tells a trainee how to reach every cluster. Printing the root
// tokens is the point of this command: the clusters are simulated, on
// loopback, and live only as long as the process.
func printLab(out io.Writer, lab *sim.Lab, o *labOptions) {
	clusters := lab.Clusters()
	user, pass := lab.Userpass()
	fmt.Fprintf(out, "vaultrepl lab: %d simulated Vault Enterprise clusters, topology %s (seed %d), on 127.0.0.1 only.\n",
		len(clusters), lab.Topology(), lab.Seed())
	fmt.Fprintln(out, "Paste one block to talk to that cluster:")
	for _, c := range clusters {
		fmt.Fprintf(out, "\n# %s\nexport VAULT_ADDR=%s\nexport VAULT_TOKEN=%s\n", c.Name, c.Addr, c.Token)
	}
	fmt.Fprintf(out, "\nControl endpoint: %s  (GET /faults lists the faults, POST /faults applies one)\n", lab.ControlURL())
	fmt.Fprintf(out, "Userpass on every cluster: vault login -method=userpass username=%s password=%s\n", user, pass)
	fmt.Fprintf(out, "Unseal key of every cluster (also the key share for DR operation tokens): %s\n", lab.UnsealKey())
	if o.stateFile != "" {
		fmt.Fprintf(out, "State file: %s\n", o.stateFile)
	}
	if lab.Topology() == "fresh" && len(clusters) > 1 {
		fmt.Fprintf(out, `
The seed walkthrough, with %[1]s as the primary and %[2]s as the secondary:
  (as %[1]s)  vault write -f sys/replication/performance/primary/enable
  (as %[1]s)  vault write sys/replication/performance/primary/secondary-token id=%[2]s
  (as %[2]s)  vault write sys/replication/performance/secondary/enable token=<wrapping_token>
  (either)    vault read -format=json sys/replication/performance/status
`, clusters[0].Name, clusters[1].Name)
	}
	fmt.Fprintln(out, "\nPress Ctrl+C to stop.")
}
