package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// Exit codes of `vaultrepl status`: a function of the report's worst
// finding, so that `worst` and `exit_code` of the JSON document always
// agree, in the Nagios plugin convention (0 ok, 1 warning, 2 critical,
// 3 unknown). A cluster that could not be read is critical (ops.Assess),
// as the dashboard shows it; unknown is "vaultrepl could not tell".
const (
	exitOK       = 0
	exitWarning  = 1
	exitCritical = 2
	exitUnknown  = 3
	// exitUsage is a bad flag or configuration: nothing was read.
	exitUsage = 4
)

// statusExitCode maps the report's worst severity to the exit code.
func statusExitCode(rep ops.Report) int {
	return severityExitCode(rep.Worst)
}

// severityExitCode is the exit code of a worst severity: ok, syncing and n/a
// (nothing to judge by design) are 0.
func severityExitCode(worst ops.Severity) int {
	switch worst {
	case ops.SeverityCritical:
		return exitCritical
	case ops.SeverityWarning:
		return exitWarning
	case ops.SeverityUnknown:
		return exitUnknown
	}
	return exitOK
}

// statusDeps are the seams of the status command: the clock, the wait
// between watch refreshes and terminal detection.
type statusDeps struct {
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
	isTTY func(io.Writer) bool
	log   *slog.Logger
	// newRemote builds the client of a lab's control endpoint (--lab with
	// an exercise); a watch builds one and keeps it.
	newRemote func(base string, timeout time.Duration) (*sim.Remote, error)
}

func defaultStatusDeps() statusDeps {
	return statusDeps{now: time.Now, after: time.After, isTTY: isTerminal, log: slog.New(slog.DiscardHandler), newRemote: sim.NewRemote}
}

type statusOptions struct {
	json  bool
	watch bool
}

func newStatusCmd(g *globalOptions) *cobra.Command {
	return newStatusCmdWith(g, defaultStatusDeps())
}

func newStatusCmdWith(g *globalOptions, deps statusDeps) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status [--json] [--watch]",
		Short: "Print every cluster's replication status; the exit code is the worst finding",
		Long: `status reads sys/health and sys/replication/status of every configured
cluster at once (each with its own --timeout), judges performance and DR
replication on each, matches primaries with their secondaries to measure WAL
lag, and prints a table, or with --json a JSON document (schema_version 1).

--watch refreshes in place every --interval until interrupted; with --json it
prints one compact document per line.

Exit codes (the most urgent wins):
  0  worst is ok, syncing or n/a (Community Edition: nothing to judge)
  1  worst is warning
  2  worst is critical: something is broken now, or a cluster could not
     be read at all (unreachable, timed out, only errors)
  3  worst is unknown: vaultrepl could not tell (an unrecognised state)
  4  bad flags or configuration: nothing was read`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("status takes no arguments, got %q", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd, g, o, deps)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON document instead of the table")
	cmd.Flags().BoolVar(&o.watch, "watch", false, "refresh every --interval until interrupted")
	return cmd
}

func runStatus(cmd *cobra.Command, g *globalOptions, o statusOptions, deps statusDeps) error {
	s, err := loadSettings(g)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	log, closeLog, err := statusLogger(g, deps.log)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer closeLog()
	opts := s.clientOptions(log)
	opts.ReadOnly = true // status never writes
	clients, err := newClients(s, opts)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := cmd.OutOrStdout()
	w := &statusWatch{clients: clients, settings: s, deps: deps, out: out, tty: deps.isTTY(out), json: o.json, watching: o.watch}
	code := w.once(ctx)
	if o.watch {
		code = w.loop(ctx, code)
	}
	if code != exitOK {
		return &exitError{code: code}
	}
	return nil
}

// statusLogger is the debug log of --log-file (one record per request, never
// a token), else def.
func statusLogger(g *globalOptions, def *slog.Logger) (*slog.Logger, func(), error) {
	if g.logFile == "" {
		return def, func() {}, nil
	}
	log, f, err := openLogFile(g.logFile)
	if err != nil {
		return nil, nil, err
	}
	return log, func() { _ = f.Close() }, nil
}

// statusWatch reads the clusters and renders frames, keeping each cluster's
// last good snapshot so that a watch shows stale data with its age rather
// than nothing when a cluster stops answering.
type statusWatch struct {
	clients  []*ops.Client
	settings settings
	deps     statusDeps
	out      io.Writer
	tty      bool // out is a terminal: a watch refreshes in place
	json     bool
	watching bool // --watch: compact JSON lines, a header, in-place refresh
	lastGood []*ops.Snapshot
	onsets   ops.Onsets
	// remote is the lab's control client, built at the first frame that
	// needs it and kept for the watch (with its connection); remoteErr is
	// why it could not be built, which no later frame would change.
	remote    *sim.Remote
	remoteErr error
}

// once reads every cluster and renders one frame; it returns the exit code.
func (w *statusWatch) once(ctx context.Context) int {
	return w.draw(w.poll(ctx))
}

// draw assesses one read of every cluster and renders it; it returns the
// frame's exit code.
func (w *statusWatch) draw(obs []ops.Observation) int {
	now := w.deps.now()
	rep := ops.Assess(now, obs, w.settings.Thresholds)
	// Onsets live as long as the watch: a finding keeps its first sighting.
	w.onsets.Stamp(&rep, now)
	doc := buildStatusDoc(now, w.settings.Clusters, obs, rep)
	doc.Exercise = w.labProgress()
	w.render(doc)
	return doc.ExitCode
}

// labProgress reads the exercise checklists of a lab opened with --lab (a
// student's own file: only theirs). A lab that does not answer leaves them
// out: the clusters' status is what the command is for.
func (w *statusWatch) labProgress() []sim.ExerciseProgress {
	st := w.settings.Lab
	if st == nil || st.Exercise == "" {
		return nil
	}
	if w.remote == nil && w.remoteErr == nil {
		w.remote, w.remoteErr = w.deps.newRemote(st.Control, w.settings.Timeout)
	}
	if w.remoteErr != nil {
		return nil
	}
	r := w.remote
	ctx, cancel := context.WithTimeout(context.Background(), w.settings.Timeout)
	defer cancel()
	p, err := r.Progress(ctx, st.Student)
	if err != nil {
		return nil
	}
	if st.Student != "" {
		for i := range p {
			p[i].HiddenFault = "" // the trainee's own view does not give the answer away
		}
	}
	return p
}

// loop refreshes every interval until ctx ends, returning the last frame's
// exit code. A frame interrupted by ctx is not drawn.
func (w *statusWatch) loop(ctx context.Context, code int) int {
	for {
		select {
		case <-ctx.Done():
			return code
		case <-w.deps.after(w.settings.Interval):
		}
		obs := w.poll(ctx)
		if ctx.Err() != nil {
			return code
		}
		code = w.draw(obs)
	}
}

// poll reads every cluster concurrently, each under its own timeout, so a
// refresh costs one round trip of the slowest cluster.
func (w *statusWatch) poll(ctx context.Context) []ops.Observation {
	if w.lastGood == nil {
		w.lastGood = make([]*ops.Snapshot, len(w.clients))
	}
	obs := make([]ops.Observation, len(w.clients))
	var wg sync.WaitGroup
	for i, c := range w.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, w.settings.Timeout)
			defer cancel()
			snap, err := c.Status(cctx)
			obs[i] = ops.Observation{Name: c.Name(), Address: c.Address(), Err: err}
			if err == nil {
				// Read time on the same (injectable) clock as the
				// assessment's now: the cluster's clock offset is their
				// difference with server_time_utc.
				snap.FetchedAt = w.deps.now()
				obs[i].Snapshot = &snap
			}
		}()
	}
	wg.Wait()
	for i := range obs {
		if obs[i].Err == nil {
			w.lastGood[i] = obs[i].Snapshot
		} else {
			obs[i].Snapshot = w.lastGood[i]
		}
	}
	return obs
}

func (w *statusWatch) render(doc statusDoc) {
	if w.json {
		if !w.watching {
			_ = writeStatusJSON(w.out, doc)
			return
		}
		_ = json.NewEncoder(w.out).Encode(doc) // a compact line per refresh
		return
	}
	if w.watching && w.tty {
		fmt.Fprint(w.out, "\x1b[H\x1b[2J") // home and clear: refresh in place
	}
	if w.watching {
		fmt.Fprintf(w.out, "vaultrepl status at %s, every %s (interrupt to stop)\n\n",
			doc.GeneratedAt.Local().Format("15:04:05"), w.settings.Interval)
	}
	if w.settings.Insecure {
		// As the dashboard's banner does: a table read without TLS
		// verification says so before anything else.
		fmt.Fprintln(w.out, "WARNING: TLS verification is off (--insecure, VAULT_SKIP_VERIFY or tls.insecure): these answers may not come from your Vault")
		fmt.Fprintln(w.out)
	}
	renderTable(w.out, doc)
	renderChecklists(w.out, doc.Exercise)
	if w.watching && !w.tty {
		fmt.Fprintln(w.out)
	}
}

// isTerminal reports whether w is a terminal. A character device is not
// enough: /dev/null is one, and a watch redirected there must not clear a
// screen. term.IsTerminal asks the terminal driver (TCGETS on Linux).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// renderChecklists prints each student's exercise checklist under the
// table: a line per student, then the steps of whoever is not done.
func renderChecklists(out io.Writer, ps []sim.ExerciseProgress) {
	for i, p := range ps {
		if i == 0 {
			fmt.Fprintf(out, "\nexercise %s: %s\n", p.Exercise, p.Title)
		}
		done := 0
		for _, st := range p.Steps {
			if st.Done {
				done++
			}
		}
		who := p.Student
		if who == "" {
			who = "progress"
		}
		line := fmt.Sprintf("  %s: %d/%d steps", who, done, len(p.Steps))
		if p.Complete {
			line += ", complete: " + p.Summary[strings.LastIndexByte(p.Summary, '\n')+1:]
		} else if done < len(p.Steps) {
			line += ", next: " + p.Steps[done].Title
			if h := p.Steps[done].Hint; h != "" {
				line += " (hint: " + h + ")"
			}
		}
		fmt.Fprintln(out, line)
	}
}
