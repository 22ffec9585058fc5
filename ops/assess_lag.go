package ops

import "fmt"

// measureLag sets a link's lag. Equal merkle roots are in sync whatever the
// counters say (a secondary bootstrapped a moment ago reports
// last_remote_wal 0 with its primary's root). Otherwise the lag is a number
// only when it means something: both ends read now, both WAL indexes sent,
// the secondary has received at least one WAL, it streams from this very
// primary (WAL counters of different primaries are not comparable), and it
// is not ahead of the primary. Anything else leaves the lag unknown, with
// the reason in LagUnknown: never a clamped 0 or a negative number.
func measureLag(l *Link, p, s TypeStatus, fresh, samePrimary bool) {
	l.InSync = p.MerkleRoot != "" && p.MerkleRoot == s.MerkleRoot
	pw, hasPW := p.PrimaryWALReported()
	switch {
	case !fresh:
		l.LagUnknown = "not measured: one end was not read now"
	case l.InSync:
		l.WALGap, l.HasWALGap = 0, true
	case !samePrimary:
		l.LagUnknown = "not measured: this primary does not list the secondary, which may stream from another primary; WAL counters of different primaries are not comparable"
	case !hasPW:
		l.LagUnknown = "not measured: the primary sends no WAL index"
	case !s.HasLastRemoteWAL:
		l.LagUnknown = "not measured: the secondary sends no last_remote_wal"
	case s.LastRemoteWAL == 0:
		l.LagUnknown = "not measured: the secondary has received no WAL yet (last_remote_wal 0)"
	case s.LastRemoteWAL > pw:
		l.CaughtUp = true
		l.LagUnknown = fmt.Sprintf("not measured: the secondary's last_remote_wal %d is ahead of the primary's %d (the two were read a moment apart)", s.LastRemoteWAL, pw)
	default:
		l.WALGap, l.HasWALGap = walGap(pw, s.LastRemoteWAL), true
	}
}

// LagText is the lag for display, always with its unit: "in sync",
// "lag 8 WAL", "caught up" (the secondary is past what the primary reported
// a moment earlier), or "lag ? WAL" when it is not meaningful; "" when the
// secondary is not configured (there is nothing to compare).
func (l Link) LagText() string {
	switch {
	case l.HasWALGap && l.InSync:
		return "in sync"
	case l.HasWALGap:
		return fmt.Sprintf("lag %d WAL", l.WALGap)
	case l.CaughtUp:
		return "caught up"
	case l.Secondary != "":
		return "lag ? WAL"
	}
	return ""
}

// lagReason judges the WAL gap: in sync and small gaps are ok, then the
// thresholds. No reason when the lag is unknown: LagUnknown says why, and
// an unknown lag alone is no finding.
func lagReason(l *Link, th Thresholds) (Reason, bool) {
	if !l.HasWALGap {
		return Reason{}, false
	}
	if l.InSync {
		return Reason{Severity: SeverityOK, Text: "in sync with " + l.Primary + " (merkle roots equal)"}, true
	}
	gap := l.WALGap
	text := fmt.Sprintf("lag %d WAL behind %s", gap, l.Primary)
	do := "watch the lag fall; if it does not, check the secondary's load and the link to " + l.Primary + " (port 8201)"
	switch {
	case th.WALGapCrit > 0 && uint64(gap) > th.WALGapCrit:
		return Reason{Severity: SeverityCritical, Text: text, Do: do}, true
	case th.WALGapWarn > 0 && uint64(gap) > th.WALGapWarn:
		return Reason{Severity: SeverityWarning, Text: text, Do: do}, true
	}
	return Reason{Severity: SeverityOK, Text: text}, true
}
