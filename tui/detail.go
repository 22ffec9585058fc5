package tui

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// kv is one field of the detail view.
type kv struct{ k, v string }

// detailContent is everything known about the focused cluster: the poll,
// the last error in full, the assessment, every field of both replication
// types with their peers, sys/health, and the timeline.
func (m *Model) detailContent(now time.Time) string {
	if int(m.focus) >= len(m.clusters) {
		return ""
	}
	st := &m.st
	c := &m.clusters[m.focus]
	a := m.assessment(m.focus)
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, st.Glyphs.Ellipsis) + "\n") }
	heading := func(s string) { b.WriteString("\n" + st.Detail.Heading.Render(s) + "\n") }

	title := st.Detail.Title.Render(c.spec.Name)
	if c.spec.Label != "" {
		title += "  " + st.Pane.Label.Render(c.spec.Label)
	}
	if c.spec.Protected {
		title += "  " + st.Pane.ProtectedTag.Render(st.Glyphs.Protected+" PROTECTED")
	}
	sev, word := a.Severity, a.Severity.String()
	if c.lastErr != nil {
		sev, word = ops.SeverityCritical, "unreachable"
	}
	line(spread(title, st.Badge(level(sev), word), w, st.Glyphs.Ellipsis))

	poll := []kv{{"address", c.spec.Address}, {"reads", strconv.Itoa(c.polls)}}
	if !c.lastOK.IsZero() {
		poll = append(poll, kv{"last good read", fmt.Sprintf("%s (%s ago, took %s)", clock(c.lastOK), ago(now.Sub(c.lastOK)), ms(c.lastTook))})
	} else {
		poll = append(poll, kv{"last good read", "none yet"})
	}
	switch {
	case m.paused:
		poll = append(poll, kv{"next read", "paused (p resumes)"})
	case c.inFlight:
		poll = append(poll, kv{"next read", "in flight"})
	case c.armed && c.nextPoll.After(now):
		poll = append(poll, kv{"next read", "in " + ago(c.nextPoll.Sub(now)+time.Second-1)})
	case c.armed:
		poll = append(poll, kv{"next read", "due now"})
	}
	if c.spec.ReadOnly || m.deps.ReadOnly {
		poll = append(poll, kv{"writes", "read-only"})
	}
	b.WriteString(m.kvBlock(poll, w))

	heading("Last error")
	if c.lastErr == nil {
		line(st.Muted.Render("none: the latest read succeeded"))
	} else {
		b.WriteString(m.errorBlock(c.lastErr, c.errSince, now, c.errs, w))
	}
	if c.snap != nil {
		for _, e := range []struct {
			what string
			err  error
		}{{"sys/health", c.snap.HealthErr}, {"sys/replication/status", c.snap.ReplicationErr}} {
			if e.err != nil {
				line(st.Level(theme.LevelWarn).Render(e.what+" unreadable: ") + errorSummary(e.err))
				if h := errorHint(e.err); h != "" {
					line("  " + st.Pane.Hint.Render("hint: "+h))
				}
			}
		}
	}

	heading("Assessment")
	if len(allReasons(a)) == 0 {
		line(st.Muted.Render("  no findings"))
	}
	finding := func(prefix string, r ops.Reason) {
		text := prefix + m.named(r.Text)
		if since := ops.FormatSince(r.Since, now); since != "" {
			text += " (" + since + ")"
		}
		line("  " + st.Badge(level(r.Severity), text))
		// The error block above already gives a failed read's hint.
		if r.Do != "" && (c.lastErr == nil || r.Do != errorHint(c.lastErr)) {
			line("      " + st.Pane.Hint.Render(wrapText("do: "+r.Do, w-10, "          ")))
		}
	}
	for _, r := range a.Reasons {
		finding("", r)
	}
	for _, t := range ops.ReplicationTypes {
		for _, r := range a.Of(t).Reasons {
			finding(t.Title()+": ", r)
		}
	}

	if snap := c.snap; snap != nil {
		if c.stale() {
			line("")
			line(st.Level(theme.LevelWarn).Render(fmt.Sprintf("The fields below are the last good data, from %s (%s old).", clock(c.lastOK), ago(now.Sub(c.lastOK)))))
		}
		if r := snap.Replication; r != nil {
			for _, t := range ops.ReplicationTypes {
				heading(t.Title() + " replication")
				b.WriteString(m.typeBlock(r.Of(t), now, w))
			}
			if len(r.Extra) > 0 {
				heading("Other replication fields")
				b.WriteString(m.kvBlock(extraKVs(r.Extra), w))
			}
		}
		if c.filtersRead() {
			heading("Paths filters (kept here for each performance secondary)")
			b.WriteString(m.filtersBlock(c, w))
		}
		if h := snap.Health; h != nil {
			heading("Health (sys/health)")
			b.WriteString(m.kvBlock(healthKVs(h), w))
		}
	}

	heading("Timeline (newest first)")
	if len(c.events) == 0 {
		line(st.Muted.Render("nothing yet"))
	}
	for i := len(c.events) - 1; i >= 0; i-- {
		e := c.events[i]
		// An entry wraps under itself rather than losing its end.
		lead := fmt.Sprintf("  %s  %s ", st.Muted.Render(clock(e.at)), st.Level(level(e.level)).Render(st.Glyphs.Level(level(e.level))))
		for _, l := range strings.Split(wrapText(e.text, w-cellWidth(lead), strings.Repeat(" ", cellWidth(lead))), "\n") {
			line(lead + l)
			lead = ""
		}
	}
	return m.markMatches(strings.TrimRight(b.String(), "\n"))
}

// errorBlock is an error in full: the classified summary, Vault's message,
// HTTP status, class, the hint, and since when it has lasted.
func (m *Model) errorBlock(err error, since, now time.Time, count int, w int) string {
	st := &m.st
	reads := "reads"
	if count == 1 {
		reads = "read"
	}
	kvs := []kv{{"since", fmt.Sprintf("%s (%s, %d failed %s in a row)", clock(since), ago(now.Sub(since)), count, reads)}}
	var oe *ops.Error
	if errors.As(err, &oe) {
		kvs = append(kvs, kv{"what", oe.Summary()}, kv{"class", oe.Class.String()})
		if oe.StatusCode != 0 {
			kvs = append(kvs, kv{"HTTP status", strconv.Itoa(oe.StatusCode)})
		}
		if d := oe.Detail(); d != "" {
			kvs = append(kvs, kv{"detail", d})
		}
		if h := oe.Hint(); h != "" {
			kvs = append(kvs, kv{"hint", h})
		}
	} else {
		kvs = append(kvs, kv{"class", ops.ClassOf(err).String()})
	}
	out := st.Level(theme.LevelCrit).Render(st.Glyphs.Crit+" ") + wrapText(err.Error(), w-2, "  ") + "\n"
	return out + m.kvBlock(kvs, w)
}

// typeBlock is every field of one replication type, then its peers.
func (m *Model) typeBlock(s ops.TypeStatus, now time.Time, w int) string {
	st := &m.st
	if !s.Enabled() && s.Mode != ops.ModeUnknown {
		return st.Muted.Render("  mode "+modeWord(s)) + "\n"
	}
	// Fields the node's version does not send are said to be so, not
	// shown as 0, false or empty.
	ver := ""
	if c := m.clusters[m.focus].snap; c != nil && c.Health != nil {
		ver = c.Health.Version
	}
	nr := st.Muted.Render(ops.NotReportedBy(ver))
	wal := func(v uint64, has bool) string {
		if !has {
			return nr
		}
		return strconv.FormatUint(v, 10)
	}
	kvs := []kv{
		{"mode", modeWord(s)},
		{"state", st.Badge(level(stateSeverity(s.State)), stateWord(s))},
	}
	if !s.HasState && s.Enabled() {
		kvs[1].v = nr
	}
	switch {
	case s.Mode == ops.ModeSecondary && !s.HasConnectionState:
		kvs = append(kvs, kv{"connection_state", nr})
	case s.Mode == ops.ModeSecondary || s.ConnectionState != ops.ConnUnknown:
		kvs = append(kvs, kv{"connection_state", st.Badge(level(connSeverity(s.ConnectionState)), connWord(s))})
	}
	kvs = append(kvs,
		kv{"cluster_id", s.ClusterID},
		kv{"primary_cluster_addr", orDash(s.PrimaryClusterAddr)},
		kv{"merkle_root", orDash(s.MerkleRoot)},
	)
	if s.HasCorruptionCheck {
		kvs = append(kvs, kv{"corrupted_merkle_tree", strconv.FormatBool(s.CorruptedMerkleTree)}, kv{"last corruption check", stamp(s.LastCorruptionCheck)})
	}
	kvs = append(kvs, kv{"last reindex", stamp(s.LastReindex)}, kv{"ssct_generation_counter", strconv.FormatUint(s.SSCTGenerationCounter, 10)})
	switch s.Mode {
	case ops.ModePrimary:
		kvs = append(kvs, kv{"last_wal", wal(s.LastWAL, s.HasLastWAL)})
		if s.Type == ops.Performance {
			kvs = append(kvs, kv{"last_performance_wal", wal(s.LastPerformanceWAL, s.HasLastPerformanceWAL)})
		} else {
			kvs = append(kvs, kv{"last_dr_wal", wal(s.LastDRWAL, s.HasLastDRWAL)})
		}
	case ops.ModeSecondary:
		kvs = append(kvs, kv{"last_remote_wal", wal(s.LastRemoteWAL, s.HasLastRemoteWAL)})
		if l, ok := m.upLink(s.Type, m.focus); ok {
			switch {
			case l.HasWALGap && l.InSync:
				kvs = append(kvs, kv{"lag", "in sync with " + l.Primary + " (merkle roots equal)"})
			case l.HasWALGap:
				kvs = append(kvs, kv{"lag", st.Badge(level(l.LagSeverity), l.LagText()+" behind "+l.Primary)})
			case l.CaughtUp:
				kvs = append(kvs, kv{"lag", "caught up with " + l.Primary + "; " + l.LagUnknown})
			case l.LagUnknown != "":
				kvs = append(kvs, kv{"lag", "? WAL: " + l.LagUnknown})
			}
		}
		kvs = append(kvs, kv{"secondary_id", orDash(s.SecondaryID)}, kv{"last_start", stamp(s.LastStart)})
	case ops.ModeBootstrapping, ops.ModeDisabled, ops.ModeUnknown, ops.ModeUnsupported:
	}
	if ms := s.MerkleSync; ms != nil {
		kvs = append(kvs, kv{"merkle sync", fmt.Sprintf("%d%% (%d of %d keys)", pct(ms.Progress, ms.TotalKeys), ms.Progress, ms.TotalKeys)})
	}
	if ri := s.Reindex; ri != nil {
		kvs = append(kvs, kv{"reindex", fmt.Sprintf("in progress %v, stage %q, %d of %d", ri.InProgress, ri.Stage, ri.BuildingProgress, ri.BuildingTotal)})
	}
	kvs = append(kvs, extraKVs(s.Extra)...)
	out := m.kvBlock(kvs, w)
	if len(s.Anomalies) > 0 {
		out += st.Level(theme.LevelWarn).Render("  fields not as documented: ") + strings.Join(s.Anomalies, "; ") + "\n"
	}
	peers := func(title string, ps []ops.Peer, has bool) {
		if !has {
			out += "\n" + st.Detail.Key.Render("  "+title) + "  " + nr + "\n"
			return
		}
		out += "\n" + m.peerTable(title, ps, now, w)
	}
	list := func(title string, items []string, has bool) {
		if !has {
			out += st.Detail.Key.Render("  "+title) + "  " + nr + "\n"
			return
		}
		if len(items) == 0 {
			out += st.Detail.Key.Render("  "+title) + "  " + st.Muted.Render("none") + "\n"
			return
		}
		out += st.Detail.Key.Render("  "+title) + "\n"
		for _, it := range items {
			out += "    " + fit(it, w-4, st.Glyphs.Ellipsis) + "\n"
		}
	}
	switch s.Mode {
	case ops.ModePrimary:
		list("known_secondaries (activation token ids, used or not)", s.KnownSecondaries, s.HasKnownSecondaries)
		peers("secondaries", s.Secondaries, s.HasSecondaries)
	case ops.ModeSecondary:
		list("known_primary_cluster_addrs", s.KnownPrimaryClusterAddrs, s.HasKnownPrimaryAddrs)
		peers("primaries", s.Primaries, s.HasPrimaries)
	case ops.ModeBootstrapping, ops.ModeDisabled, ops.ModeUnknown, ops.ModeUnsupported:
	}
	return out
}

// column is one column of a text table.
type column struct {
	title string
	min   int
	flex  bool // shares the width left over
	drop  int  // 0: always shown; else left out when the table is too wide, highest first
}

// peerTable lists peers with their heartbeat age, skew and canary age.
func (m *Model) peerTable(title string, peers []ops.Peer, now time.Time, w int) string {
	st := &m.st
	if len(peers) == 0 {
		return st.Muted.Render("  no "+title+" reported") + "\n"
	}
	// The ID is never cut (it names the peer). The cluster address gives
	// way first, then the heartbeat's round trip, then skew, then the API
	// address; the table says which columns it left out.
	cols := []column{{"ID", 12, false, 0}, {"API ADDRESS", 14, true, 1}, {"CLUSTER ADDRESS", 14, true, 4}, {"STATUS", 14, false, 0}, {"HEARTBEAT", 10, false, 0}, {"HB TOOK", 7, false, 3}, {"SKEW", 7, false, 2}, {"CANARY", 7, false, 0}}
	rows := make([][]string, 0, len(peers))
	for _, p := range peers {
		hb := "-"
		if !p.LastHeartbeat.IsZero() {
			hb = ago(now.Sub(p.LastHeartbeat)) + " ago"
		}
		status := st.Badge(level(peerSeverity(p.Status)), orDash(p.Status.String()))
		row := []string{orDash(p.ID()), orDash(p.APIAddress), orDash(p.ClusterAddress), status, hb,
			optMS(p.LastHeartbeatDuration, p.HasLastHeartbeatDuration), optMS(p.ClockSkew, p.HasClockSkew), optMS(p.CanaryAge, p.HasCanaryAge)}
		rows = append(rows, row)
	}
	return "  " + st.Detail.TableHeader.Render(title) + "\n" + m.table(cols, rows, w-2, "  ")
}

func peerSeverity(s ops.PeerStatus) ops.Severity {
	switch s {
	case ops.PeerConnected:
		return ops.SeverityOK
	case ops.PeerDisconnected:
		return ops.SeverityCritical
	case ops.PeerUnknown:
		return ops.SeverityUnknown
	}
	return ops.SeverityUnknown
}

// table lays rows out in columns of width w, giving flexible columns an
// equal share of what the fixed ones leave. Columns that may be dropped go,
// highest drop first, until the rest fits; a last line names them, so that
// nothing is cut off silently.
func (m *Model) table(cols []column, rows [][]string, w int, indent string) string {
	cols, rows, dropped := dropColumns(cols, rows, w)
	out := m.fitTable(cols, rows, w, indent)
	if len(dropped) > 0 {
		out += indent + m.st.Muted.Render(fit("not shown at this width: "+strings.Join(dropped, ", "), max(1, w-cellWidth(indent)), m.st.Glyphs.Ellipsis)) + "\n"
	}
	return out
}

// tableWidth is the least width cols need: fixed columns as wide as their
// widest cell, flexible ones at their minimum.
func tableWidth(cols []column, rows [][]string) int {
	n := 2 * (len(cols) - 1)
	for i, c := range cols {
		cw := max(c.min, cellWidth(c.title))
		if !c.flex {
			for _, r := range rows {
				cw = max(cw, cellWidth(r[i]))
			}
		}
		n += cw
	}
	return n
}

// dropColumns leaves out droppable columns until the table fits in w.
func dropColumns(cols []column, rows [][]string, w int) ([]column, [][]string, []string) {
	var dropped []string
	for tableWidth(cols, rows) > w {
		worst := -1
		for i, c := range cols {
			if c.drop > 0 && (worst < 0 || c.drop > cols[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		dropped = append(dropped, cols[worst].title)
		cols = append(cols[:worst:worst], cols[worst+1:]...)
		out := make([][]string, len(rows))
		for j, r := range rows {
			out[j] = append(r[:worst:worst], r[worst+1:]...)
		}
		rows = out
	}
	return cols, rows, dropped
}

func (m *Model) fitTable(cols []column, rows [][]string, w int, indent string) string {
	widths := make([]int, len(cols))
	fixed, flex := 0, 0
	for i, c := range cols {
		widths[i] = max(c.min, cellWidth(c.title))
		if !c.flex {
			for _, r := range rows {
				widths[i] = max(widths[i], cellWidth(r[i]))
			}
			fixed += widths[i]
		} else {
			flex++
		}
	}
	gaps := 2 * (len(cols) - 1)
	if flex > 0 {
		share := (w - fixed - gaps) / flex
		for i, c := range cols {
			if c.flex {
				need := widths[i]
				for _, r := range rows {
					need = max(need, cellWidth(r[i]))
				}
				widths[i] = max(c.min, min(need, share))
			}
		}
	}
	g := m.st.Glyphs.Ellipsis
	var b strings.Builder
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = pad(c.title, widths[i], g)
	}
	b.WriteString(indent + m.st.Muted.Render(strings.Join(hdr, "  ")) + "\n")
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i := range cols {
			cells[i] = pad(r[i], widths[i], g)
		}
		b.WriteString(indent + strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
	}
	return b.String()
}

// kvBlock lays fields out as "key  value" lines, two columns when wide.
func (m *Model) kvBlock(kvs []kv, w int) string {
	if len(kvs) == 0 {
		return ""
	}
	kw := 0
	for _, f := range kvs {
		kw = max(kw, cellWidth(f.k))
	}
	cols := 1
	colW := w - 2
	if w >= 150 {
		cols, colW = 2, (w-2)/2
	}
	g := m.st.Glyphs.Ellipsis
	var b strings.Builder
	if cols == 1 {
		// One column: a long value wraps under itself instead of being cut
		// (a hint or an error detail is read to its end).
		valW := colW - kw - 2
		indent := strings.Repeat(" ", 2+kw+2)
		for _, f := range kvs {
			v := f.v
			if cellWidth(v) > valW && valW >= 20 {
				v = strings.ReplaceAll(ansi.Wordwrap(v, valW, " /,"), "\n", "\n"+indent)
			}
			for i, l := range strings.Split(v, "\n") {
				if i == 0 {
					l = "  " + m.st.Detail.Key.Render(pad(f.k, kw, g)) + "  " + l
				}
				b.WriteString(fit(l, w, g) + "\n")
			}
		}
		return b.String()
	}
	for i := 0; i < len(kvs); i += cols {
		b.WriteString("  ")
		for j := 0; j < cols && i+j < len(kvs); j++ {
			f := kvs[i+j]
			cell := m.st.Detail.Key.Render(pad(f.k, kw, g)) + "  " + f.v
			if j < cols-1 && i+j+1 < len(kvs) {
				cell = pad(cell, colW, g)
			} else {
				cell = fit(cell, colW, g)
			}
			b.WriteString(cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func healthKVs(h *ops.Health) []kv {
	kvs := []kv{
		{"initialized", strconv.FormatBool(h.Initialized)},
		{"sealed", strconv.FormatBool(h.Sealed)},
		{"standby", strconv.FormatBool(h.Standby)},
		{"performance_standby", strconv.FormatBool(h.PerformanceStandby)},
		{"replication_performance_mode", h.PerformanceMode.String() + " (a hint)"},
		{"replication_dr_mode", h.DRMode.String() + " (a hint)"},
		{"version", orDash(h.Version)},
		{"enterprise", strconv.FormatBool(h.Enterprise)},
		{"cluster_name", orDash(h.ClusterName)},
		{"cluster_id", orDash(h.ClusterID)},
		{"server_time_utc", stamp(h.ServerTime)},
		{"last_wal", strconv.FormatUint(h.LastWAL, 10)},
		{"echo_duration", ms(h.EchoDuration)},
		{"clock_skew", ms(h.ClockSkew)},
		{"replication_primary_canary_age", healthCanary(h)},
	}
	if l := h.License; l != nil {
		exp := "-"
		if !l.ExpiryTime.IsZero() {
			exp = stamp(l.ExpiryTime)
		}
		kvs = append(kvs, kv{"license", fmt.Sprintf("%s, expires %s, terminated %v", orDash(l.State), exp, l.Terminated)})
	}
	if h.HasHAConnectionHealthy {
		kvs = append(kvs, kv{"ha_connection_healthy", strconv.FormatBool(h.HAConnectionHealthy)})
	}
	if h.LastRequestForwardingHeartbeat > 0 {
		kvs = append(kvs, kv{"last_request_forwarding_heartbeat", ms(h.LastRequestForwardingHeartbeat)})
	}
	return append(kvs, extraKVs(h.Extra)...)
}

// healthCanary labels sys/health's canary age, which is not the link's:
// Vault fills it on standby nodes and sends 0 on the active node, while the
// replication lag in time is each peer's CANARY in the peers table (from
// sys/replication/status).
func healthCanary(h *ops.Health) string {
	if h.Standby || h.PerformanceStandby {
		return ms(h.CanaryAge) + " (this standby node's)"
	}
	return ms(h.CanaryAge) + " (always 0 on an active node)"
}

// extraKVs shows fields Vault sent that this version does not know.
func extraKVs(extra map[string]any) []kv {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]kv, 0, len(keys))
	for _, k := range keys {
		out = append(out, kv{k + " (unknown field)", fmt.Sprint(extra[k])})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func optMS(d time.Duration, ok bool) string {
	if !ok {
		return "-"
	}
	return ms(d)
}

// wrapText breaks s into lines of at most w cells, indenting the rest.
func wrapText(s string, w int, indent string) string {
	if w <= 10 {
		return s
	}
	return strings.ReplaceAll(ansi.Wordwrap(s, w, " /"), "\n", "\n"+indent)
}

// filtersBlock lists each performance secondary's paths filter as last
// read: its mode and every path, "none", or why it is not known. One column
// at any width: every path is shown, wrapped under its secondary.
func (m *Model) filtersBlock(c *clusterState, w int) string {
	kvs := make([]kv, 0, len(c.filters)+1)
	kw := 0
	for _, f := range c.filters {
		name := m.named(f.ID)
		if name != f.ID {
			name += " (" + f.ID + ")"
		}
		kvs = append(kvs, kv{name, filterText(f, true)})
		kw = max(kw, cellWidth(name))
	}
	kvs = append(kvs, kv{"read at", clock(c.filtersAt)})
	kw = max(kw, len("read at"))
	g := m.st.Glyphs.Ellipsis
	indent := strings.Repeat(" ", 2+kw+2)
	var b strings.Builder
	for _, f := range kvs {
		lead := "  " + m.st.Detail.Key.Render(pad(f.k, kw, g)) + "  "
		for _, l := range strings.Split(wrapText(f.v, w-len(indent), ""), "\n") {
			b.WriteString(fit(lead+l, w, g) + "\n")
			lead = indent
		}
	}
	return b.String()
}
