package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

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
	return cutText(typeCellText(c, t), maxTableCell)
}

func typeCellText(c clusterDoc, t *typeDoc) string {
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
		if t.Secondaries == nil {
			// Before 1.5: no secondaries[], so no connection count.
			return fmt.Sprintf("primary %s, %d known secondaries", orDefault(deref(t.State), "(no state)"), len(t.KnownSecondaries))
		}
		return fmt.Sprintf("primary %s, %s", orDefault(deref(t.State), "(no state)"), connectedCount(t))
	case "secondary":
		cell := "secondary " + orDefault(deref(t.State), "(no state)")
		if c := deref(t.ConnectionState); c != "" && c != "ready" {
			cell += ", conn " + c
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func lagCell(name string, links []linkDoc) string {
	var parts []string
	for _, l := range links {
		if l.Secondary == name && l.Lag != "" {
			typ := "perf"
			if l.Type == ops.DR.String() {
				typ = "dr"
			}
			// Two primaries of a split set both list it: say it once.
			if p := typ + " " + l.Lag; !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// statusCell is the cluster's severity, or "unreachable" for one that
// could not be read because no answer came (its severity is critical, as
// FINDINGS says): a cluster that answered with an error is not called
// unreachable.
func statusCell(c clusterDoc) string {
	if !c.Reachable && (c.Error == nil || transportClass(c.Error.Class) && !strings.HasPrefix(c.Error.Summary, "scheme mismatch")) {
		return "unreachable"
	}
	return c.Severity
}

// transportClass tells the error classes where no HTTP answer came.
func transportClass(class string) bool {
	switch ops.ParseErrorClass(class) {
	case ops.ErrUnreachable, ops.ErrTimeout, ops.ErrTLS, ops.ErrCanceled, ops.ErrUnknownClass:
		return true
	}
	return false
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
		if c.ClockOffsetMS != nil && *c.ClockOffsetMS != 0 {
			// Not a finding, but ages on this cluster are on its clock:
			// say how far that is from the one the reader looks at.
			off := time.Duration(*c.ClockOffsetMS) * time.Millisecond
			dir := "ahead of"
			if off < 0 {
				off, dir = -off, "behind"
			}
			lines = append(lines, fmt.Sprintf("  %s: note: its clock is %s %s this machine's (%s); ages are on its clock", c.Name, off.Round(time.Second), dir, *c.ClockSource))
		}
		if c.Error != nil {
			lines = append(lines, errorLines(c.Error, saidDo(c.Reasons))...)
		} else if c.HealthError != nil {
			// Replication status was read, sys/health was not: the table's
			// NODE column says "-", and this says why.
			lines = append(lines, fmt.Sprintf("  %s: health unreadable: %s", c.Name, c.HealthError.Summary))
			lines = append(lines, errorLines(c.HealthError, saidDo(c.Reasons))...)
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
// finding they explain; a hint a finding's "do:" line already said is not
// said twice.
func errorLines(e *errorDoc, said map[string]bool) []string {
	lines := []string{cutText("    error: "+e.Message, maxTableLine)}
	if e.Hint != "" && !said[e.Hint] {
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
			line := fmt.Sprintf("  %s: %s: %s", where, r.Severity, r.Text)
			if r.Since != nil {
				line += " (since " + r.Since.Format("15:04:05") + ")"
			}
			lines = append(lines, cutText(line, maxTableLine))
			if r.WhatToDo != nil {
				lines = append(lines, cutText("    do:    "+*r.WhatToDo, maxTableLine))
			}
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
		fmt.Fprintf(tw, "  %s -> %s\t%s\t%s\t%s\t%s\t%s\n", l.Primary, secondary, l.Type, cutText(l.SecondaryID, maxTableCell),
			orDefault(l.ConnectionStatus, "never connected"), linkLag(l), l.Severity)
	}
	_ = tw.Flush()
}

func linkLag(l linkDoc) string {
	var parts []string
	if l.Lag != "" {
		parts = append(parts, l.Lag)
	}
	if l.CanaryAgeMS != nil {
		parts = append(parts, fmt.Sprintf("canary %dms", *l.CanaryAgeMS))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// saidDo is the set of what-to-do lines of some reasons.
func saidDo(rs []reasonDoc) map[string]bool {
	m := map[string]bool{}
	for _, r := range rs {
		if r.WhatToDo != nil {
			m[*r.WhatToDo] = true
		}
	}
	return m
}
