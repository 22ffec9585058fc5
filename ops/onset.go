package ops

import (
	"strings"
	"time"
	"unicode"
)

// Onsets remembers when each non-ok finding was first seen, across polls,
// so that a finding says "since 08:03:29 (3m)". Assess stays a pure
// function; the dashboard and `status --watch` keep one Onsets and Stamp
// every report. A finding is the same from one poll to the next when its
// scope (cluster and type, or link) and its text without figures match: "lag
// 1077 WAL" and "lag 1093 WAL" are one ongoing finding. A finding that
// disappears is forgotten, so its return is a new onset. Not safe for
// concurrent use.
type Onsets struct {
	seen map[string]time.Time
}

// Stamp sets Since on every non-ok reason of rep: the first time it was
// seen, or now for a new one.
func (o *Onsets) Stamp(rep *Report, now time.Time) {
	next := make(map[string]time.Time, len(o.seen))
	stamp := func(scope string, rs []Reason) {
		for i := range rs {
			if rs[i].Severity == SeverityOK {
				continue
			}
			k := scope + "\x00" + rs[i].Severity.String() + "\x00" + findingKey(rs[i].Text)
			since, ok := o.seen[k]
			if !ok {
				since = now
			}
			if prev, dup := next[k]; dup && prev.Before(since) {
				since = prev
			}
			next[k] = since
			rs[i].Since = since
		}
	}
	for i := range rep.Clusters {
		c := &rep.Clusters[i]
		stamp(c.Name, c.Reasons)
		stamp(c.Name+"/performance", c.Performance.Reasons)
		stamp(c.Name+"/dr", c.DR.Reasons)
	}
	for i := range rep.Links {
		l := &rep.Links[i]
		stamp(l.Type.String()+"/"+l.Primary+"/"+l.SecondaryID, l.Reasons)
	}
	o.seen = next
}

// findingKey is a finding's text without its figures.
func findingKey(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return -1
		}
		return r
	}, text)
}

// FormatSince is "since 08:03:29 (3m)" for a finding seen first at since,
// "" when it was never stamped.
func FormatSince(since, now time.Time) string {
	if since.IsZero() {
		return ""
	}
	return "since " + since.Format("15:04:05") + " (" + formatAge(now.Sub(since)) + ")"
}

func formatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Truncate(time.Second).String()
	case d < time.Hour:
		return d.Truncate(time.Minute).String()[:len(d.Truncate(time.Minute).String())-2]
	}
	return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
}
