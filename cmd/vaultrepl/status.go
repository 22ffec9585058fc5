package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// Exit codes of `vaultrepl status`. When several apply, the most urgent
// wins: critical (something is broken now) before unreachable (something
// could not be seen) before warning. Syncing and unknown-but-reachable (a
// Community Edition cluster) count as ok.
const (
	exitOK          = 0
	exitWarning     = 1
	exitCritical    = 2
	exitUnreachable = 3
	// exitUsage is a bad flag or configuration: nothing was read.
	exitUsage = 4
)

// statusSchemaVersion is bumped only on incompatible changes to the JSON
// document; fields may be added within a version.
const statusSchemaVersion = 1

// statusDeps are the seams of the status command: the clock, the wait
// between watch refreshes and terminal detection.
type statusDeps struct {
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
	isTTY func(io.Writer) bool
	log   *slog.Logger
}

func defaultStatusDeps() statusDeps {
	return statusDeps{now: time.Now, after: time.After, isTTY: isTerminal, log: slog.New(slog.DiscardHandler)}
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
  0  ok (including syncing)
  2  critical: something is broken now
  3  a cluster could not be read (unreachable, unreadable status)
  1  warning
  4  bad flags or configuration`,
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
}

// once reads every cluster and renders one frame; it returns the exit code.
func (w *statusWatch) once(ctx context.Context) int {
	return w.draw(w.poll(ctx))
}

// draw assesses one read of every cluster and renders it; it returns the
// frame's exit code.
func (w *statusWatch) draw(obs []ops.Observation) int {
	now := w.deps.now()
	doc := buildStatusDoc(now, w.settings.Clusters, obs, ops.Assess(now, obs, ops.DefaultThresholds()))
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
	r, err := sim.NewRemote(st.Control, w.settings.Timeout)
	if err != nil {
		return nil
	}
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
			obs[i] = ops.Observation{Name: c.Name(), Err: err}
			if err == nil {
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
		enc := json.NewEncoder(w.out)
		if !w.watching {
			enc.SetIndent("", "  ")
		}
		_ = enc.Encode(doc)
		return
	}
	if w.watching && w.tty {
		fmt.Fprint(w.out, "\x1b[H\x1b[2J") // home and clear: refresh in place
	}
	if w.watching {
		fmt.Fprintf(w.out, "vaultrepl status at %s, every %s (interrupt to stop)\n\n",
			doc.GeneratedAt.Local().Format("15:04:05"), w.settings.Interval)
	}
	renderTable(w.out, doc)
	renderChecklists(w.out, doc.Exercise)
	if w.watching && !w.tty {
		fmt.Fprintln(w.out)
	}
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

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// statusExitCode maps the assessment to the exit code (see exitOK…).
// rep.Worst already folds every cluster and link, and ranks warning above
// unknown and syncing: a warning exit is a worst of warning.
func statusExitCode(rep ops.Report) int {
	switch {
	case rep.Worst == ops.SeverityCritical:
		return exitCritical
	case slices.ContainsFunc(rep.Clusters, func(c ops.ClusterAssessment) bool { return !c.Reachable }):
		return exitUnreachable
	case rep.Worst == ops.SeverityWarning:
		return exitWarning
	}
	return exitOK
}

// The JSON document of `vaultrepl status --json`, schema_version 1. Names
// are Vault's where a value is Vault's; times are RFC 3339 UTC; durations are
// milliseconds; null means unknown or not read.
type statusDoc struct {
	SchemaVersion int          `json:"schema_version"`
	GeneratedAt   time.Time    `json:"generated_at"`
	Worst         string       `json:"worst"`
	ExitCode      int          `json:"exit_code"`
	Clusters      []clusterDoc `json:"clusters"`
	Links         []linkDoc    `json:"links"`
	// Exercise is the lab's exercise checklists (--lab on a lab run with
	// --exercise): one per student, as the control endpoint reports them.
	Exercise []sim.ExerciseProgress `json:"exercise,omitempty"`
}

type clusterDoc struct {
	Name                   string      `json:"name"`
	Address                string      `json:"address"`
	Label                  string      `json:"label,omitempty"`
	Reachable              bool        `json:"reachable"`
	Severity               string      `json:"severity"`
	Reasons                []reasonDoc `json:"reasons"`
	Edition                string      `json:"edition"`
	FetchedAt              *time.Time  `json:"fetched_at"`
	TookMS                 *int64      `json:"took_ms"`
	Error                  *errorDoc   `json:"error"`
	Health                 *healthDoc  `json:"health"`
	HealthError            *errorDoc   `json:"health_error"`
	ReplicationError       *errorDoc   `json:"replication_error"`
	CommunityEdition       bool        `json:"community_edition"`
	ReplicationUnsupported bool        `json:"replication_unsupported"`
	Performance            *typeDoc    `json:"performance"`
	DR                     *typeDoc    `json:"dr"`
}

type reasonDoc struct {
	Severity string `json:"severity"`
	Text     string `json:"text"`
}

type errorDoc struct {
	Class      string   `json:"class"`
	Op         string   `json:"op,omitempty"`
	StatusCode int      `json:"status_code,omitempty"`
	Message    string   `json:"message"`
	Summary    string   `json:"summary"`
	Messages   []string `json:"messages,omitempty"`
	Hint       string   `json:"hint,omitempty"`
}

type healthDoc struct {
	Initialized        bool       `json:"initialized"`
	Sealed             bool       `json:"sealed"`
	Standby            bool       `json:"standby"`
	PerformanceStandby bool       `json:"performance_standby"`
	PerformanceMode    string     `json:"replication_performance_mode"`
	DRMode             string     `json:"replication_dr_mode"`
	Version            string     `json:"version"`
	Enterprise         bool       `json:"enterprise"`
	ClusterName        string     `json:"cluster_name"`
	ClusterID          string     `json:"cluster_id"`
	ServerTime         *time.Time `json:"server_time"`
}

type typeDoc struct {
	Mode                     string      `json:"mode"`
	State                    string      `json:"state"`
	ConnectionState          string      `json:"connection_state"`
	Severity                 string      `json:"severity"`
	Reasons                  []reasonDoc `json:"reasons"`
	ClusterID                string      `json:"cluster_id"`
	MerkleRoot               string      `json:"merkle_root"`
	PrimaryClusterAddr       string      `json:"primary_cluster_addr"`
	SecondaryID              string      `json:"secondary_id"`
	LastWAL                  uint64      `json:"last_wal"`
	LastPerformanceWAL       uint64      `json:"last_performance_wal"`
	LastDRWAL                uint64      `json:"last_dr_wal"`
	LastRemoteWAL            *uint64     `json:"last_remote_wal"`
	KnownSecondaries         []string    `json:"known_secondaries"`
	KnownPrimaryClusterAddrs []string    `json:"known_primary_cluster_addrs"`
	CorruptedMerkleTree      *bool       `json:"corrupted_merkle_tree"`
	MerkleSync               *syncDoc    `json:"merkle_sync"`
	Reindex                  *reindexDoc `json:"reindex"`
	Secondaries              []peerDoc   `json:"secondaries"`
	Primaries                []peerDoc   `json:"primaries"`
}

type syncDoc struct {
	Progress  uint64 `json:"progress"`
	TotalKeys uint64 `json:"total_keys"`
}

type reindexDoc struct {
	InProgress       bool   `json:"in_progress"`
	Stage            string `json:"stage"`
	BuildingProgress uint64 `json:"building_progress"`
	BuildingTotal    uint64 `json:"building_total"`
}

type peerDoc struct {
	NodeID           string     `json:"node_id"`
	APIAddress       string     `json:"api_address"`
	ClusterAddress   string     `json:"cluster_address"`
	ConnectionStatus string     `json:"connection_status"`
	LastHeartbeat    *time.Time `json:"last_heartbeat"`
	ClockSkewMS      *int64     `json:"clock_skew_ms"`
	CanaryAgeMS      *int64     `json:"replication_primary_canary_age_ms"`
}

type linkDoc struct {
	Type             string      `json:"type"`
	Primary          string      `json:"primary"`
	Secondary        string      `json:"secondary"`
	SecondaryID      string      `json:"secondary_id"`
	ConnectionStatus string      `json:"connection_status"`
	Severity         string      `json:"severity"`
	Reasons          []reasonDoc `json:"reasons"`
	WALGap           *int64      `json:"wal_gap"`
	CanaryAgeMS      *int64      `json:"canary_age_ms"`
	HeartbeatAgeMS   *int64      `json:"heartbeat_age_ms"`
	InSync           bool        `json:"in_sync"`
	Stale            bool        `json:"stale"`
}

func buildStatusDoc(now time.Time, cfgs []ops.ClusterConfig, obs []ops.Observation, rep ops.Report) statusDoc {
	doc := statusDoc{SchemaVersion: statusSchemaVersion, GeneratedAt: now.UTC(), Worst: rep.Worst.String(),
		ExitCode: statusExitCode(rep), Clusters: make([]clusterDoc, len(obs)), Links: []linkDoc{}}
	for i, o := range obs {
		doc.Clusters[i] = buildClusterDoc(cfgs[i], o, rep.Clusters[i])
	}
	for _, l := range rep.Links {
		doc.Links = append(doc.Links, buildLinkDoc(l))
	}
	return doc
}

func buildClusterDoc(cfg ops.ClusterConfig, o ops.Observation, ca ops.ClusterAssessment) clusterDoc {
	cd := clusterDoc{Name: cfg.Name, Address: cfg.Address, Label: cfg.Label, Reachable: ca.Reachable,
		Severity: ca.Severity.String(), Reasons: reasonDocs(ca.Reasons), Edition: ops.EditionUnknown.String(),
		Error: newErrorDoc(ca.Err)}
	s := o.Snapshot
	if s == nil {
		return cd
	}
	cd.Edition = s.Edition().String()
	fetched, took := s.FetchedAt.UTC(), s.Took.Milliseconds()
	cd.FetchedAt, cd.TookMS = &fetched, &took
	cd.Health = newHealthDoc(s.Health)
	cd.HealthError, cd.ReplicationError = newErrorDoc(s.HealthErr), newErrorDoc(s.ReplicationErr)
	if r := s.Replication; r != nil {
		cd.CommunityEdition, cd.ReplicationUnsupported = r.CommunityEdition, r.Unsupported
		cd.Performance = newTypeDoc(r.Performance, ca.Performance)
		cd.DR = newTypeDoc(r.DR, ca.DR)
	}
	return cd
}

func reasonDocs(rs []ops.Reason) []reasonDoc {
	out := make([]reasonDoc, 0, len(rs))
	for _, r := range rs {
		out = append(out, reasonDoc{Severity: r.Severity.String(), Text: r.Text})
	}
	return out
}

func newErrorDoc(err error) *errorDoc {
	if err == nil {
		return nil
	}
	d := &errorDoc{Class: ops.ClassOf(err).String(), Message: err.Error()}
	if e, ok := asOpsError(err); ok {
		d.Op, d.StatusCode, d.Summary, d.Messages, d.Hint = e.Op, e.StatusCode, e.Summary(), e.Messages, e.Hint()
	} else {
		d.Summary = d.Message
	}
	return d
}

func asOpsError(err error) (*ops.Error, bool) {
	var e *ops.Error
	ok := errors.As(err, &e)
	return e, ok
}

func newHealthDoc(h *ops.Health) *healthDoc {
	if h == nil {
		return nil
	}
	d := &healthDoc{Initialized: h.Initialized, Sealed: h.Sealed, Standby: h.Standby, PerformanceStandby: h.PerformanceStandby,
		PerformanceMode: h.PerformanceMode.String(), DRMode: h.DRMode.String(), Version: h.Version, Enterprise: h.Enterprise,
		ClusterName: h.ClusterName, ClusterID: h.ClusterID}
	if !h.ServerTime.IsZero() {
		t := h.ServerTime.UTC()
		d.ServerTime = &t
	}
	return d
}

func newTypeDoc(ts ops.TypeStatus, ta ops.TypeAssessment) *typeDoc {
	d := &typeDoc{Mode: orDefault(ts.RawMode, ts.Mode.String()), State: orDefault(ts.RawState, ts.State.String()),
		ConnectionState: orDefault(ts.RawConnection, ts.ConnectionState.String()),
		Severity:        ta.Severity.String(), Reasons: reasonDocs(ta.Reasons),
		ClusterID: ts.ClusterID, MerkleRoot: ts.MerkleRoot, PrimaryClusterAddr: ts.PrimaryClusterAddr, SecondaryID: ts.SecondaryID,
		LastWAL: ts.LastWAL, LastPerformanceWAL: ts.LastPerformanceWAL, LastDRWAL: ts.LastDRWAL,
		KnownSecondaries: nonNil(ts.KnownSecondaries), KnownPrimaryClusterAddrs: nonNil(ts.KnownPrimaryClusterAddrs),
		Secondaries: peerDocs(ts.Secondaries), Primaries: peerDocs(ts.Primaries)}
	if ts.HasLastRemoteWAL {
		v := ts.LastRemoteWAL
		d.LastRemoteWAL = &v
	}
	if ts.HasCorruptionCheck {
		v := ts.CorruptedMerkleTree
		d.CorruptedMerkleTree = &v
	}
	if p := ts.MerkleSync; p != nil {
		d.MerkleSync = &syncDoc{Progress: p.Progress, TotalKeys: p.TotalKeys}
	}
	if r := ts.Reindex; r != nil {
		d.Reindex = &reindexDoc{InProgress: r.InProgress, Stage: r.Stage, BuildingProgress: r.BuildingProgress, BuildingTotal: r.BuildingTotal}
	}
	return d
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func peerDocs(ps []ops.Peer) []peerDoc {
	out := make([]peerDoc, 0, len(ps))
	for _, p := range ps {
		d := peerDoc{NodeID: p.NodeID, APIAddress: p.APIAddress, ClusterAddress: p.ClusterAddress, ConnectionStatus: p.RawStatus}
		if !p.LastHeartbeat.IsZero() {
			t := p.LastHeartbeat.UTC()
			d.LastHeartbeat = &t
		}
		d.ClockSkewMS = millisPtr(p.ClockSkew, p.HasClockSkew)
		d.CanaryAgeMS = millisPtr(p.CanaryAge, p.HasCanaryAge)
		out = append(out, d)
	}
	return out
}

func millisPtr(d time.Duration, ok bool) *int64 {
	if !ok {
		return nil
	}
	v := d.Milliseconds()
	return &v
}

func buildLinkDoc(l ops.Link) linkDoc {
	d := linkDoc{Type: l.Type.String(), Primary: l.Primary, Secondary: l.Secondary, SecondaryID: l.SecondaryID,
		ConnectionStatus: l.Status.String(), Severity: l.Severity.String(), Reasons: reasonDocs(l.Reasons),
		InSync: l.InSync, Stale: l.Stale}
	if l.HasWALGap {
		v := l.WALGap
		d.WALGap = &v
	}
	d.CanaryAgeMS = millisPtr(l.CanaryAge, l.HasCanaryAge)
	d.HeartbeatAgeMS = millisPtr(l.HeartbeatAge, l.HasHeartbeatAge)
	return d
}

// renderTable prints the human view: one row per cluster, then the
// findings (everything not ok, with errors and hints), then the links.
func renderTable(out io.Writer, doc statusDoc) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tNODE\tPERFORMANCE\tDR\tLAG\tSTATUS")
	for _, c := range doc.Clusters {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, nodeCell(c), typeCell(c, c.Performance), typeCell(c, c.DR),
			lagCell(c.Name, doc.Links), statusCell(c))
	}
	_ = tw.Flush()
	renderFindings(out, doc)
	renderLinks(out, doc.Links, unmatchedLabel(doc))
}

// unmatchedLabel names the far end of a link that matched no configured
// cluster: when every cluster was read, the secondary is not configured;
// otherwise it may be one of the clusters that could not be read.
func unmatchedLabel(doc statusDoc) string {
	for _, c := range doc.Clusters {
		if c.Performance == nil || c.ReplicationError != nil || c.Error != nil {
			return "(not matched)"
		}
	}
	return "(not configured)"
}

func nodeCell(c clusterDoc) string {
	h := c.Health
	switch {
	case h == nil:
		return "-"
	case !h.Initialized:
		return "uninitialised"
	case h.Sealed:
		return "sealed"
	case h.PerformanceStandby:
		return "perf-standby"
	case h.Standby:
		return "standby"
	}
	return "active"
}

func typeCell(c clusterDoc, t *typeDoc) string {
	switch {
	case c.CommunityEdition:
		return "n/a (Community Edition)"
	case c.ReplicationUnsupported:
		return "unsupported"
	case t == nil:
		return "-"
	}
	switch t.Mode {
	case "primary":
		return fmt.Sprintf("primary %s, %s", t.State, connectedCount(t))
	case "secondary":
		cell := "secondary " + t.State
		if t.ConnectionState != "" && t.ConnectionState != "ready" {
			cell += ", conn " + t.ConnectionState
		}
		return cell
	}
	return t.Mode
}

// connectedCount is "2/3 connected" over known and connected secondaries.
func connectedCount(t *typeDoc) string {
	ids := map[string]bool{}
	for _, id := range t.KnownSecondaries {
		ids[id] = true
	}
	connected := 0
	for _, p := range t.Secondaries {
		ids[p.NodeID] = true
		if p.ConnectionStatus == "connected" {
			connected++
		}
	}
	if len(ids) == 0 {
		return "no secondaries"
	}
	return fmt.Sprintf("%d/%d connected", connected, len(ids))
}

func lagCell(name string, links []linkDoc) string {
	var parts []string
	for _, l := range links {
		if l.Secondary == name && l.WALGap != nil {
			typ := "perf"
			if l.Type == ops.DR.String() {
				typ = "dr"
			}
			parts = append(parts, fmt.Sprintf("%s %d", typ, *l.WALGap))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func statusCell(c clusterDoc) string {
	if !c.Reachable {
		return "unreachable"
	}
	return c.Severity
}

// renderFindings lists every finding that is not ok, and each cluster's
// error as its classified one-line message with a hint.
func renderFindings(out io.Writer, doc statusDoc) {
	var lines []string
	for _, c := range doc.Clusters {
		lines = append(lines, findingLines(c.Name, "", c.Reasons)...)
		for _, t := range []struct {
			name string
			doc  *typeDoc
		}{{"performance", c.Performance}, {"dr", c.DR}} {
			if t.doc != nil && !c.CommunityEdition && !c.ReplicationUnsupported {
				lines = append(lines, findingLines(c.Name, t.name, t.doc.Reasons)...)
			}
		}
		if c.Error != nil {
			lines = append(lines, errorLines(c.Error)...)
		} else if c.HealthError != nil {
			// Replication status was read, sys/health was not: the table's
			// NODE column says "-", and this says why.
			lines = append(lines, fmt.Sprintf("  %s: health unreadable: %s", c.Name, c.HealthError.Summary))
			lines = append(lines, errorLines(c.HealthError)...)
		}
	}
	fmt.Fprintln(out)
	if len(lines) == 0 {
		fmt.Fprintln(out, "No findings: every cluster is healthy.")
		return
	}
	fmt.Fprintln(out, "FINDINGS")
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
}

// errorLines are an error's full message and its hint, indented under the
// finding they explain.
func errorLines(e *errorDoc) []string {
	lines := []string{"    error: " + e.Message}
	if e.Hint != "" {
		lines = append(lines, "    hint:  "+e.Hint)
	}
	return lines
}

func findingLines(cluster, typ string, rs []reasonDoc) []string {
	var lines []string
	where := cluster
	if typ != "" {
		where += " " + typ
	}
	for _, r := range rs {
		if r.Severity != ops.SeverityOK.String() {
			lines = append(lines, fmt.Sprintf("  %s: %s: %s", where, r.Severity, r.Text))
		}
	}
	return lines
}

func renderLinks(out io.Writer, links []linkDoc, unmatched string) {
	if len(links) == 0 {
		return
	}
	sorted := append([]linkDoc(nil), links...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Primary < sorted[j].Primary })
	fmt.Fprintln(out)
	fmt.Fprintln(out, "LINKS")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, l := range sorted {
		secondary := l.Secondary
		if secondary == "" {
			secondary = unmatched
		}
		fmt.Fprintf(tw, "  %s -> %s\t%s\t%s\t%s\t%s\t%s\n", l.Primary, secondary, l.Type, l.SecondaryID,
			orDefault(l.ConnectionStatus, "never connected"), linkLag(l), l.Severity)
	}
	_ = tw.Flush()
}

func linkLag(l linkDoc) string {
	var parts []string
	if l.WALGap != nil {
		parts = append(parts, fmt.Sprintf("lag %d WAL", *l.WALGap))
	}
	if l.CanaryAgeMS != nil {
		parts = append(parts, fmt.Sprintf("canary %dms", *l.CanaryAgeMS))
	}
	if l.InSync {
		parts = append(parts, "in sync")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
