package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
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
	students  int
	exercise  string
	tls       bool
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

Open the dashboard on a running lab with 'vaultrepl --lab STATE-FILE': it
reads every cluster's token, the userpass login and the control endpoint from
the state file, so the lab menu (L) injects faults as in 'vaultrepl demo'.
Without --state-file the lab writes one in the temporary directory (and
removes it on exit); the start-up text prints the command.

A class: --students N serves N independent sets of the topology named
s01-…, s02-…, behind one control endpoint, and writes beside the state file
one file per student (lab.s01.json, …) for each trainee's own dashboard; the
instructor opens the class's file and sees every student (filter with /s01).
--exercise NAME checks a lesson's progress against the lab's own state, per
student (--exercise list names them); the dashboard's lab menu shows the
checklist, GET $CONTROL/exercise returns it as JSON.

HTTPS: --tls serves every cluster over HTTPS with a certificate signed by a
CA the lab makes for itself; the CA certificate is written beside the state
file (lab.json → lab.ca.pem), the printed blocks export VAULT_CACERT, and
'vaultrepl --lab' uses it as each cluster's ca_file. The control endpoint
stays plain HTTP on loopback.

Reset: POST $CONTROL/reset ({"student":"s01"} for one student, {} for all),
or R in the dashboard's lab menu, puts the clusters back in the topology's
starting state without restarting. With the same --seed a lab, and a reset
lab, has the same root tokens, userpass password and unseal key every time.

With --port-base N the clusters listen on N, N+1, … in topology order and the
control endpoint on the port after the last cluster; --port-base 0 picks free
ports. --state-file writes the same information as JSON (mode 0600) for
scripts: {"clusters":[{"name","addr","token"}],"control":…,"userpass":{…}}.`,
		Example: `  vaultrepl lab
  vaultrepl lab --topology global --speed 10 --state-file /tmp/lab.json
  vaultrepl --lab /tmp/lab.json
  vaultrepl lab --students 3 --exercise perf-setup --seed 7 --state-file /tmp/class.json
  vaultrepl lab --exercise list
  vaultrepl lab --tls --topology global --state-file /tmp/lab.json
  curl -s -X POST $CONTROL/reset -H 'Content-Type: application/json' -d '{"student":"s02"}'` + "\n" + `
  curl -s -X POST $CONTROL/faults -H 'Content-Type: application/json' -d '{"kind":"partition","cluster":"vault-a","peer":"vault-b"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.exercise == "list" {
				printExercises(cmd.OutOrStdout())
				return nil
			}
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
	f.Int64Var(&o.seed, "seed", 0, "random seed of the lab (0: random); the same seed gives the same tokens, also after a reset")
	f.IntVar(&o.students, "students", 0, "serve one set of the topology per student (s01-…, s02-…) and a state file per student")
	f.StringVar(&o.exercise, "exercise", "", "check a lesson's progress per student (list: print the exercises)")
	f.BoolVar(&o.tls, "tls", false, "serve HTTPS with a CA the lab makes, written beside the state file (STATE.ca.pem; VAULT_CACERT)")
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
		PortBase: o.portBase, Latency: o.latency, WriteRate: o.writeRate, Students: o.students, Exercise: o.exercise, TLS: o.tls})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if err := lab.Start(); err != nil {
		return &exitError{code: 1, err: err}
	}
	defer func() { _ = lab.Close() }()
	files, cleanup, err := writeLabStateFiles(lab, o)
	defer cleanup()
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	printLab(out, lab, o, files)
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

// labFiles are the state files a lab wrote: the class's (or the only one)
// and one per student.
type labFiles struct {
	state    string
	students []string
}

// writeLabStateFiles writes the state file (--state-file, else one named
// after the control port in the temporary directory, removed by cleanup:
// it describes a lab that is gone once this process ends) and, with
// students, one per student beside it.
func writeLabStateFiles(lab *sim.Lab, o *labOptions) (labFiles, func(), error) {
	f := labFiles{state: o.stateFile}
	cleanup := func() {}
	if f.state == "" {
		_, port, _ := strings.Cut(strings.TrimPrefix(lab.ControlURL(), "http://"), ":")
		f.state = filepath.Join(os.TempDir(), "vaultrepl-lab-"+port+".json")
		cleanup = func() {
			for _, p := range append([]string{f.state, sim.CACertFile(f.state)}, f.students...) {
				_ = os.Remove(p)
			}
		}
	}
	if err := lab.WriteStateFile(f.state); err != nil {
		return f, cleanup, err
	}
	var err error
	f.students, err = lab.WriteStudentStateFiles(f.state)
	return f, cleanup, err
}

// printExercises is --exercise list.
func printExercises(out io.Writer) {
	fmt.Fprintln(out, "Exercises (vaultrepl lab --exercise NAME [--students N]):")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, e := range sim.Exercises() {
		fmt.Fprintf(tw, "  %s\t%s (%d steps, topology %s)\n", e.Name, e.Title, e.Steps, e.Topology)
		fmt.Fprintf(tw, "  \t%s\n", e.About)
	}
	_ = tw.Flush()
}

// printLab tells a trainee how to reach every cluster. Printing the root
// tokens is the point of this command: the clusters are simulated, on
// loopback, and live only as long as the process.
func printLab(out io.Writer, lab *sim.Lab, o *labOptions, files labFiles) {
	clusters := lab.Clusters()
	user, pass := lab.Userpass()
	students := lab.Students()
	who := ""
	if len(students) > 0 {
		who = fmt.Sprintf(" for %d students", len(students))
	}
	fmt.Fprintf(out, "vaultrepl lab: %d simulated Vault Enterprise clusters%s, topology %s (seed %d), on 127.0.0.1 only.\n",
		len(clusters), who, lab.Topology(), lab.Seed())
	fmt.Fprintln(out, "Paste one block to talk to that cluster:")
	ca := ""
	if lab.TLS() {
		ca = sim.CACertFile(files.state)
		if abs, err := filepath.Abs(ca); err == nil {
			ca = abs
		}
	}
	for _, c := range clusters {
		fmt.Fprintf(out, "\n# %s\nexport VAULT_ADDR=%s\nexport VAULT_TOKEN=%s\n", c.Name, c.Addr, c.Token)
		if ca != "" {
			fmt.Fprintf(out, "export VAULT_CACERT=%s\n", ca)
		}
	}
	fmt.Fprintf(out, "\nControl endpoint: %s  (GET /faults lists the faults, POST /faults applies one, POST /reset resets)\n", lab.ControlURL())
	fmt.Fprintf(out, "Userpass on every cluster: vault login -method=userpass username=%s password=%s\n", user, pass)
	fmt.Fprintf(out, "Unseal key of every cluster (also the key share for DR operation tokens): %s\n", lab.UnsealKey())
	fmt.Fprintf(out, "State file: %s\n", files.state)
	if ca != "" {
		fmt.Fprintf(out, "HTTPS: the clusters' certificate is signed by the lab's CA %s (VAULT_CACERT above; ca_file in a config)\n", ca)
	}
	fmt.Fprintf(out, "\nOpen the dashboard on this lab (faults with L, reset with L then R):\n  vaultrepl --lab %s\n", files.state)
	for i, s := range students {
		fmt.Fprintf(out, "  %s's own dashboard: vaultrepl --lab %s\n", s.Name, files.students[i])
	}
	if o.exercise != "" {
		printExercise(out, lab)
	}
	if lab.Topology() == "fresh" && len(clusters) > 1 && o.exercise == "" {
		a, b := clusters[0].Name, clusters[1].Name
		fmt.Fprintf(out, `
The seed walkthrough, with %[1]s as the primary and %[2]s as the secondary:
  (as %[1]s)  vault write -f sys/replication/performance/primary/enable
  (as %[1]s)  vault write sys/replication/performance/primary/secondary-token id=%[2]s
  (as %[2]s)  vault write sys/replication/performance/secondary/enable token=<wrapping_token>
  (either)    vault read -format=json sys/replication/performance/status
`, a, b)
	}
	fmt.Fprintln(out, "\nPress Ctrl+C to stop.")
}

// printExercise prints the lesson's steps as the first student sees them
// (every student's names carry their own prefix).
func printExercise(out io.Writer, lab *sim.Lab) {
	p, err := lab.Progress("")
	if err != nil || len(p) == 0 {
		return
	}
	first := p[0]
	fmt.Fprintf(out, "\nExercise %s: %s\n", first.Exercise, first.Title)
	if first.Student != "" {
		fmt.Fprintf(out, "(the names of %s; each student has their own prefix)\n", first.Student)
	}
	for i, s := range first.Steps {
		fmt.Fprintf(out, "  %d. %s\n", i+1, s.Title)
		if s.Command != "" {
			fmt.Fprintf(out, "     %s\n", s.Command)
		}
	}
	fmt.Fprintln(out, "Progress: the dashboard's lab menu (L), or GET <control>/exercise.")
}
