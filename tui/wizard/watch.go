package wizard

import (
	"fmt"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// watchObs is one poll of the secondary and its primary.
type watchObs struct {
	At     time.Time
	Sec    ops.Snapshot
	SecErr error
	Pri    ops.Snapshot
	PriErr error
}

// watchView is what one poll says about the new secondary.
type watchView struct {
	SecDown     string // why the secondary did not answer ("" when it did)
	Sealed      bool
	Mode        ops.Mode
	State       ops.State
	RawState    string
	Conn        ops.ConnectionState
	Sync        *ops.SyncProgress
	RemoteWAL   uint64
	PrimaryWAL  uint64
	PriDown     string
	PeerFound   bool
	Peer        ops.PeerStatus
	SecondaryID string
}

// event is one line of the watch timeline.
type event struct {
	At    time.Time
	Level level
	Text  string
}

// watchState follows a secondary from activation to stream-wals. It changes
// only through observe, a pure function of the polls, so the stuck logic is
// tested without a clock or a network.
type watchState struct {
	Type      ops.ReplicationType
	Secondary string
	Primary   string
	ID        string // the activation token's id ("" when unknown)
	Started   time.Time

	Polls    int
	Stalls   int // consecutive polls without any change
	sig      string
	Last     watchView
	HasLast  bool
	Timeline []event

	Done   bool
	DoneAt time.Time
	Stuck  bool
	Why    string
	Fix    string

	syncFlips int // merkle-diff ⇄ merkle-sync transitions
}

// view extracts the fields that matter from a poll.
func (w watchState) view(o watchObs) watchView {
	var v watchView
	if o.Sec.Health != nil && o.Sec.Health.Sealed {
		v.Sealed = true
	}
	if r := o.Sec.Replication; r != nil {
		ts := r.Of(w.Type)
		v.Mode, v.State, v.RawState, v.Conn = ts.Mode, ts.State, ts.RawState, ts.ConnectionState
		v.Sync, v.RemoteWAL, v.SecondaryID = ts.MerkleSync, ts.LastRemoteWAL, ts.SecondaryID
	} else {
		err := o.SecErr
		if err == nil {
			err = o.Sec.ReplicationErr
		}
		v.SecDown, _ = errText(err)
		if v.SecDown == "" && !v.Sealed {
			v.SecDown = "no replication status"
		}
	}
	if r := o.Pri.Replication; r != nil {
		ts := r.Of(w.Type)
		v.PrimaryWAL = ts.PrimaryWAL()
		id := w.ID
		if id == "" {
			id = v.SecondaryID
		}
		for _, p := range ts.Secondaries {
			if p.NodeID == id && id != "" {
				v.PeerFound, v.Peer = true, p.Status
			}
		}
	} else {
		err := o.PriErr
		if err == nil {
			err = o.Pri.ReplicationErr
		}
		v.PriDown, _ = errText(err)
	}
	return v
}

func (v watchView) signature() string {
	sp := ""
	if v.Sync != nil {
		sp = fmt.Sprintf("%d/%d", v.Sync.Progress, v.Sync.TotalKeys)
	}
	return fmt.Sprintf("%s|%t|%v|%v|%v|%s|%d|%t|%v|%s", v.SecDown, v.Sealed, v.Mode, v.State, v.Conn, sp, v.RemoteWAL, v.PeerFound, v.Peer, v.PriDown)
}

// streaming is the goal: stream-wals, the connection ready (or not reported
// by an older Vault) and the primary listing the secondary as connected.
func (v watchView) streaming() bool {
	return v.SecDown == "" && !v.Sealed && v.Mode == ops.ModeSecondary && v.State == ops.StateStreamWALs &&
		(v.Conn == ops.ConnReady || v.Conn == ops.ConnUnknown) &&
		v.PeerFound && v.Peer == ops.PeerConnected
}

// observe folds one poll into the state.
func (w watchState) observe(o watchObs, stuckAfter int) watchState {
	v := w.view(o)
	if w.ID == "" && v.SecondaryID != "" {
		w.ID = v.SecondaryID
	}
	w.Polls++
	w.timeline(o.At, v)
	sig := v.signature()
	if w.HasLast && sig == w.sig {
		w.Stalls++
	} else {
		w.Stalls = 0
	}
	w.sig, w.Last, w.HasLast = sig, v, true
	if !w.Done && v.streaming() {
		w.Done, w.DoneAt = true, o.At
		w.Stuck, w.Why, w.Fix = false, "", ""
		w.add(o.At, lvPass, fmt.Sprintf("%s is streaming WALs from %s: replication is working", w.Secondary, w.Primary))
		return w
	}
	if w.Done {
		return w
	}
	if w.syncFlips >= 6 {
		w.Stuck = true
		w.Why = "it keeps switching between merkle-diff and merkle-sync without reaching stream-wals"
		w.Fix = "that points to bad merkle pages or log-shipper limits: check both clusters' logs; a reindex of the secondary (then the primary) may help"
		return w
	}
	if stuckAfter > 0 && w.Stalls >= stuckAfter {
		w.Stuck = true
		w.Why, w.Fix = stuckReason(v, w)
	} else if w.Stalls == 0 {
		w.Stuck, w.Why, w.Fix = false, "", ""
	}
	return w
}

func (w *watchState) add(at time.Time, l level, text string) {
	w.Timeline = append(w.Timeline, event{At: at, Level: l, Text: text})
}

// timeline records what changed since the previous poll.
func (w *watchState) timeline(at time.Time, v watchView) {
	p := w.Last
	first := !w.HasLast
	switch {
	case v.SecDown != "" && (first || p.SecDown == ""):
		w.add(at, lvWarn, w.Secondary+" not answering: "+v.SecDown)
	case v.Sealed && (first || !p.Sealed):
		w.add(at, lvWarn, w.Secondary+" is sealed")
	case v.SecDown == "" && !first && p.SecDown != "":
		w.add(at, lvInfo, w.Secondary+" answers again")
	}
	if v.SecDown != "" || v.Sealed {
		return
	}
	if first || v.Mode != p.Mode {
		w.add(at, lvInfo, "mode "+v.Mode.String())
	}
	if v.State != p.State || first {
		if v.State != ops.StateUnknown {
			if (p.State == ops.StateMerkleDiff && v.State == ops.StateMerkleSync) || (p.State == ops.StateMerkleSync && v.State == ops.StateMerkleDiff) {
				w.syncFlips++
			}
			w.add(at, stateLevel(v.State), "state "+v.State.String()+stateGloss(v.State))
		}
	}
	if (first || v.Conn != p.Conn) && v.Conn != ops.ConnUnknown {
		w.add(at, connLevel(v.Conn), "connection_state "+v.Conn.String())
	}
	if v.PeerFound && (first || !p.PeerFound || v.Peer != p.Peer) {
		w.add(at, peerLevel(v.Peer), fmt.Sprintf("%s lists %s as %s", w.Primary, w.idOr(v), v.Peer))
	}
}

func (w watchState) idOr(v watchView) string {
	if w.ID != "" {
		return w.ID
	}
	return v.SecondaryID
}

// stuckReason says why the secondary has not moved, and what to do.
func stuckReason(v watchView, w watchState) (why, fix string) {
	n := w.Stalls
	switch {
	case v.Sealed:
		return w.Secondary + " is sealed",
			"after activation a secondary uses the primary's unseal (or recovery) keys: unseal it with those; standby nodes may have sealed themselves too"
	case v.SecDown != "":
		return fmt.Sprintf("%s has not answered for %d polls (%s)", w.Secondary, n, v.SecDown),
			"Vault is briefly unavailable right after activation, but not this long: check that it is running and its logs"
	case v.Mode == ops.ModeDisabled:
		return "activation has not taken effect: " + w.Secondary + " still reports " + typeName(w.Type) + " replication disabled",
			"check the secondary's logs; if the token was rejected, generate a new one and activate again"
	case v.Mode == ops.ModeBootstrapping:
		return w.Secondary + " is still bootstrapping",
			"it must reach the primary's API address (to unwrap the token) and cluster address (port 8201): check the network, primary_api_addr and TLS (ca_file)"
	}
	switch v.Conn {
	case ops.ConnTransientFailure, ops.ConnConnecting, ops.ConnIdle, ops.ConnShutdown:
		return "connection_state is " + v.Conn.String() + ": " + w.Secondary + " cannot hold a connection to the primary",
			"check that " + w.Secondary + " can reach the primary's cluster address (port 8201; primary_cluster_addr), firewalls and TLS"
	case ops.ConnReady, ops.ConnUnknown:
	}
	switch v.State {
	case ops.StateIdle, ops.StateShutdown:
		return "state is " + v.State.String() + ": replication has stopped",
			"check both clusters' logs; sys/replication/recover restarts replication after an error"
	case ops.StateMerkleDiff, ops.StateMerkleSync:
		return fmt.Sprintf("%s has made no progress for %d polls", v.State, n),
			"a large initial sync can take a while; if it stays here, check the logs for bad merkle pages"
	case ops.StateStreamWALs:
		if v.PriDown != "" {
			return "the secondary streams, but " + w.Primary + " does not answer (" + v.PriDown + ")", "check the primary"
		}
		return w.Primary + " does not list " + w.idOr(v) + " as connected in secondaries[]",
			"heartbeats are not arriving: check the network between the clusters in both directions"
	}
	return fmt.Sprintf("no change for %d polls", n), "check both clusters' status and logs"
}

func stateGloss(s ops.State) string {
	switch s {
	case ops.StateMerkleDiff:
		return " (comparing merkle trees)"
	case ops.StateMerkleSync:
		return " (copying the keys that differ)"
	case ops.StateStreamWALs:
		return " (streaming write-ahead logs)"
	case ops.StateIdle:
		return " (not replicating)"
	}
	return ""
}

func stateLevel(s ops.State) level {
	switch s {
	case ops.StateStreamWALs, ops.StateRunning, ops.StateReady:
		return lvPass
	case ops.StateIdle, ops.StateShutdown, ops.StateTransientFailure:
		return lvWarn
	}
	return lvInfo
}

func connLevel(c ops.ConnectionState) level {
	switch c {
	case ops.ConnReady:
		return lvPass
	case ops.ConnConnecting:
		return lvInfo
	}
	return lvWarn
}

func peerLevel(p ops.PeerStatus) level {
	if p == ops.PeerConnected {
		return lvPass
	}
	return lvWarn
}
