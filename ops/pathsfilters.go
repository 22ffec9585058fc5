package ops

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"
)

// FilterRead says what reading one secondary's paths filter learned.
type FilterRead int

const (
	// FilterReadUnknown: not read, or the read failed (Err says why).
	// Never shown as "none".
	FilterReadUnknown FilterRead = iota
	// FilterReadNone: Vault answered 404, the secondary has no filter
	// (the web UI reads the 404 the same way): everything replicates.
	FilterReadNone
	// FilterReadSet: the filter was read; Mode and Paths hold it, each
	// with whether Vault sent it.
	FilterReadSet
	// FilterReadForbidden: 403, the token may not read the filter. Unknown,
	// not "none".
	FilterReadForbidden
)

func (r FilterRead) String() string {
	switch r {
	case FilterReadNone:
		return "none"
	case FilterReadSet:
		return "set"
	case FilterReadForbidden:
		return "forbidden"
	}
	return "unknown"
}

// SecondaryFilter is what is known of one performance secondary's paths
// filter, read on its primary.
type SecondaryFilter struct {
	ID   string // the secondary id (known_secondaries entry)
	Read FilterRead
	// Mode is FilterUnknown when Vault sent no mode or one this version
	// does not know; RawMode is the text sent ("" when none: ModeKnown
	// false).
	Mode      FilterMode
	RawMode   string
	ModeKnown bool
	// Paths are the filtered mounts and namespaces. PathsKnown is false
	// when Vault sent no paths: unknown, not an empty filter.
	Paths      []string
	PathsKnown bool
	// Err is the failed read (FilterReadUnknown, FilterReadForbidden).
	Err error
}

// Equal reports whether two reads say the same (errors by class and text).
func (f SecondaryFilter) Equal(o SecondaryFilter) bool {
	errText := func(e error) string {
		if e == nil {
			return ""
		}
		return ClassOf(e).String() + ": " + e.Error()
	}
	return f.ID == o.ID && f.Read == o.Read && f.Mode == o.Mode && f.RawMode == o.RawMode && f.ModeKnown == o.ModeKnown &&
		f.PathsKnown == o.PathsKnown && slices.Equal(f.Paths, o.Paths) && errText(f.Err) == errText(o.Err)
}

// ReadPathsFilters reads the paths filter of each performance secondary id
// on this performance primary (GET …/performance/primary/paths-filter/:id,
// one request per id, one after the other). Each id gets its own answer:
// 404 is "none", 403 is forbidden (unknown), any other failure unknown with
// its error. A failure that says the cluster cannot be reached (refused,
// timeout, TLS, sealed, canceled) ends the reads: the ids not read yet are
// unknown with the same error, rather than a request each to a cluster
// that is down.
func (c *Client) ReadPathsFilters(ctx context.Context, ids []string) []SecondaryFilter {
	out := make([]SecondaryFilter, 0, len(ids))
	var stop error
	for _, id := range ids {
		f := SecondaryFilter{ID: cleanText(id)}
		if stop != nil {
			f.Err = stop
			out = append(out, f)
			continue
		}
		f = c.readPathsFilter(ctx, f)
		if f.Err != nil && endsReads(f.Err) {
			stop = f.Err
		}
		out = append(out, f)
	}
	return out
}

// endsReads: after this error the next read of the same cluster would fail
// the same way.
func endsReads(err error) bool {
	switch ClassOf(err) {
	case ErrUnreachable, ErrTimeout, ErrTLS, ErrSealed, ErrCanceled, ErrConfig, ErrRedirectRefused:
		return true
	}
	return false
}

// readPathsFilter reads one secondary's filter into f (f.ID set).
func (c *Client) readPathsFilter(ctx context.Context, f SecondaryFilter) SecondaryFilter {
	o := operations[OpPathsFilterRead]
	op := o.Action(Performance)
	id, err := c.checkSecondaryID(op, f.ID)
	if err != nil {
		f.Err = err
		return f
	}
	rep, err := c.do(ctx, request{op: op, method: o.Method, path: o.PathFor(Performance, id)})
	if err != nil {
		var e *Error
		switch {
		case errors.As(err, &e) && e.StatusCode == http.StatusNotFound && e.Class == ErrNotFound:
			f.Read = FilterReadNone
		case errors.As(err, &e) && e.StatusCode == http.StatusForbidden:
			f.Read, f.Err = FilterReadForbidden, err
		default:
			f.Err = err
		}
		return f
	}
	_, src, err := c.dataFields(rep, op)
	if err != nil {
		f.Err = err
		return f
	}
	f.Read = FilterReadSet
	f.RawMode, f.ModeKnown = filterMode(src, c.token)
	f.Mode = ParseFilterMode(f.RawMode)
	f.Paths, f.PathsKnown = filterPaths(src, c.token)
	return f
}

// filterMode is the mode as sent, cleaned and with the token redacted; ok
// is false when the field is absent, null or not text.
func filterMode(src *fields, token string) (string, bool) {
	s, ok := src.str("mode")
	if !ok {
		return "", false
	}
	return redactSecrets(s, token), true
}

// filterPaths are the paths as sent; ok is false when the field is absent,
// null or not an array (then unknown: never an empty filter). An empty
// array is known and empty.
func filterPaths(src *fields, token string) ([]string, bool) {
	if src.array("paths") == nil {
		return nil, false
	}
	return redactAll(src.strs("paths"), token), true
}

// filterWrites counts the paths-filter writes a Client (and the clients
// WithToken derives from it) sent, landed or not: a Snapshot carries it, so
// that the dashboard reads the filters again after the wizard wrote one.
type filterWrites struct{ n atomic.Uint64 }

func (w *filterWrites) add() {
	if w != nil {
		w.n.Add(1)
	}
}

func (w *filterWrites) load() uint64 {
	if w == nil {
		return 0
	}
	return w.n.Load()
}
