package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// writeTracker knows which writes are in flight. A write that was sent
// cannot be called back: quitting (q, ctrl+c) right after a confirmation
// still lets the cluster carry it out. So the program waits for the
// answer before it exits (and, in the demo, before it stops the lab the
// write went to), and says so, instead of dying mid-request.
type writeTracker struct {
	mu       sync.Mutex
	next     int
	inFlight map[int]string // "op on cluster"
	idle     chan struct{}  // closed while nothing is in flight
	answered []string       // outcomes of writes that ended while waited for
}

func newWriteTracker() *writeTracker {
	idle := make(chan struct{})
	close(idle)
	return &writeTracker{inFlight: map[int]string{}, idle: idle}
}

// start is ops.ClientOptions.OnWrite.
func (t *writeTracker) start(cluster, op string) func(error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.inFlight) == 0 {
		t.idle = make(chan struct{})
	}
	t.next++
	id := t.next
	what := op + " on " + cluster
	t.inFlight[id] = what
	return func(err error) {
		t.mu.Lock()
		defer t.mu.Unlock()
		outcome := what + ": done"
		if err != nil {
			outcome = what + ": failed: " + errText(err)
		}
		t.answered = append(t.answered, outcome)
		delete(t.inFlight, id)
		if len(t.inFlight) == 0 {
			close(t.idle)
		}
	}
}

// pending lists the writes in flight, sorted.
func (t *writeTracker) pending() ([]string, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.inFlight))
	for _, w := range t.inFlight {
		out = append(out, w)
	}
	sort.Strings(out)
	return out, t.idle
}

// wait blocks until no write is in flight or limit passes, telling out
// what it waits for and how it ended. It reports whether every write
// answered.
func (t *writeTracker) wait(out io.Writer, limit time.Duration) bool {
	ws, idle := t.pending()
	if len(ws) == 0 {
		return true
	}
	fmt.Fprintf(out, "vaultrepl: a write was already sent (%s): waiting up to %s for its answer before exiting\n", strings.Join(ws, "; "), limit)
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-idle:
		t.mu.Lock()
		got := t.answered[len(t.answered)-len(ws):]
		t.mu.Unlock()
		fmt.Fprintf(out, "vaultrepl: answered: %s\n", strings.Join(got, "; "))
		return true
	case <-timer.C:
		fmt.Fprintf(out, "vaultrepl: no answer within %s; the cluster may still carry the write out: check it with vaultrepl status\n", limit)
		return false
	}
}

// errText is the classified summary of a write's error (ops redacts tokens
// from every error it returns).
func errText(err error) string {
	var oe *ops.Error
	if errors.As(err, &oe) {
		return oe.Summary()
	}
	return err.Error()
}
