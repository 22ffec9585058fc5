package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// statusSchemaVersion is bumped only on incompatible changes to the JSON
// document; fields may be added within a version.
const statusSchemaVersion = 1

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
	// SplitBrains lists the replication sets two clusters claim as primary.
	SplitBrains []splitBrainDoc `json:"split_brains"`
	// Exercise is the lab's exercise checklists (--lab on a lab run with
	// --exercise): one per student, as the control endpoint reports them.
	Exercise []sim.ExerciseProgress `json:"exercise,omitempty"`
}

type splitBrainDoc struct {
	Type      string   `json:"type"`
	ClusterID string   `json:"cluster_id"`
	Primaries []string `json:"primaries"`
	WhatToDo  string   `json:"what_to_do"`
}

type clusterDoc struct {
	Name      string      `json:"name"`
	Address   string      `json:"address"`
	Label     string      `json:"label,omitempty"`
	Reachable bool        `json:"reachable"`
	Severity  string      `json:"severity"`
	Reasons   []reasonDoc `json:"reasons"`
	Edition   string      `json:"edition"`
	FetchedAt *time.Time  `json:"fetched_at"`
	TookMS    *int64      `json:"took_ms"`
	// ClockOffsetMS is the cluster's clock minus this machine's, 0 within
	// ops.ClockOffsetShown (2 s); null when no reply carried its clock.
	ClockOffsetMS *int64 `json:"clock_offset_ms"`
	// ClockSource is where the cluster's clock was read: "server_time_utc"
	// or "Date header"; null with no clock.
	ClockSource            *string    `json:"clock_source"`
	Error                  *errorDoc  `json:"error"`
	Health                 *healthDoc `json:"health"`
	HealthError            *errorDoc  `json:"health_error"`
	ReplicationError       *errorDoc  `json:"replication_error"`
	CommunityEdition       bool       `json:"community_edition"`
	ReplicationUnsupported bool       `json:"replication_unsupported"`
	Performance            *typeDoc   `json:"performance"`
	DR                     *typeDoc   `json:"dr"`
}

type reasonDoc struct {
	Severity string `json:"severity"`
	Text     string `json:"text"`
	// Since is when the finding was first seen (kept across --watch
	// frames); null for ok reasons.
	Since *time.Time `json:"since"`
	// WhatToDo is the one-line remedy with the vault command; null when
	// the finding needs nothing.
	WhatToDo *string `json:"what_to_do"`
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
	Enterprise         *bool      `json:"enterprise"`
	ClusterName        string     `json:"cluster_name"`
	ClusterID          string     `json:"cluster_id"`
	ServerTime         *time.Time `json:"server_time"`
}

type typeDoc struct {
	Mode                     string      `json:"mode"`
	State                    *string     `json:"state"`
	ConnectionState          *string     `json:"connection_state"`
	Severity                 string      `json:"severity"`
	Reasons                  []reasonDoc `json:"reasons"`
	ClusterID                string      `json:"cluster_id"`
	MerkleRoot               string      `json:"merkle_root"`
	PrimaryClusterAddr       string      `json:"primary_cluster_addr"`
	SecondaryID              string      `json:"secondary_id"`
	LastWAL                  *uint64     `json:"last_wal"`
	LastPerformanceWAL       *uint64     `json:"last_performance_wal"`
	LastDRWAL                *uint64     `json:"last_dr_wal"`
	LastRemoteWAL            *uint64     `json:"last_remote_wal"`
	KnownSecondaries         []string    `json:"known_secondaries"`
	KnownPrimaryClusterAddrs []string    `json:"known_primary_cluster_addrs"`
	CorruptedMerkleTree      *bool       `json:"corrupted_merkle_tree"`
	MerkleSync               *syncDoc    `json:"merkle_sync"`
	Reindex                  *reindexDoc `json:"reindex"`
	Secondaries              []peerDoc   `json:"secondaries"`
	Primaries                []peerDoc   `json:"primaries"`
	// NotReported names the fields of this mode the node's version did not
	// send (they are null above, never 0 or false).
	NotReported []string `json:"not_reported"`
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
	Lag              string      `json:"lag"`
	LagSeverity      string      `json:"lag_severity"`
	LagUnknown       string      `json:"lag_unknown,omitempty"`
	CanaryAgeMS      *int64      `json:"canary_age_ms"`
	HeartbeatAgeMS   *int64      `json:"heartbeat_age_ms"`
	InSync           bool        `json:"in_sync"`
	Stale            bool        `json:"stale"`
}

func buildStatusDoc(now time.Time, cfgs []ops.ClusterConfig, obs []ops.Observation, rep ops.Report) statusDoc {
	doc := statusDoc{SchemaVersion: statusSchemaVersion, GeneratedAt: now.UTC(), Worst: rep.Worst.String(),
		ExitCode: statusExitCode(rep), Clusters: make([]clusterDoc, len(obs)), Links: []linkDoc{}, SplitBrains: []splitBrainDoc{}}
	for _, sb := range rep.SplitBrains {
		doc.SplitBrains = append(doc.SplitBrains, splitBrainDoc{Type: sb.Type.String(), ClusterID: sb.ClusterID, Primaries: sb.Primaries,
			WhatToDo: "demote one: " + ops.DemoteCommand(sb.Type) + " on the one clients should not use"})
	}
	for i, o := range obs {
		doc.Clusters[i] = buildClusterDoc(cfgs[i], o, rep.Clusters[i])
	}
	for _, l := range rep.Links {
		doc.Links = append(doc.Links, buildLinkDoc(l))
	}
	doc.useNames(cfgs, rep)
	return doc
}

// useNames rewrites every finding with the configured names, as the
// dashboard shows them: Vault names a primary peer by its address
// ("primary http://127.0.0.1:21200 disconnected") and a secondary by its
// activation token id.
func (doc *statusDoc) useNames(cfgs []ops.ClusterConfig, rep ops.Report) {
	addrs := make(map[string]string, len(cfgs))
	for _, c := range cfgs {
		addrs[c.Address] = c.Name
	}
	names := ops.NameReplacer(rep, addrs)
	fix := func(rs []reasonDoc) {
		for i := range rs {
			rs[i].Text = names.Replace(rs[i].Text)
		}
	}
	for i := range doc.Clusters {
		c := &doc.Clusters[i]
		fix(c.Reasons)
		for _, t := range []*typeDoc{c.Performance, c.DR} {
			if t != nil {
				fix(t.Reasons)
			}
		}
	}
	for i := range doc.Links {
		fix(doc.Links[i].Reasons)
	}
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
	if off, src, ok := ops.ClockOffset(*s); ok {
		ms, name := off.Milliseconds(), string(src)
		cd.ClockOffsetMS, cd.ClockSource = &ms, &name
	}
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
		d := reasonDoc{Severity: r.Severity.String(), Text: r.Text}
		if !r.Since.IsZero() {
			t := r.Since.UTC()
			d.Since = &t
		}
		if r.Do != "" {
			do := r.Do
			d.WhatToDo = &do
		}
		out = append(out, d)
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
		PerformanceMode: h.PerformanceMode.String(), DRMode: h.DRMode.String(), Version: h.Version, Enterprise: optional(h.Enterprise, h.HasEnterprise),
		ClusterName: h.ClusterName, ClusterID: h.ClusterID}
	if !h.ServerTime.IsZero() {
		t := h.ServerTime.UTC()
		d.ServerTime = &t
	}
	return d
}

func newTypeDoc(ts ops.TypeStatus, ta ops.TypeAssessment) *typeDoc {
	// Absent fields are null: older versions leave out state, the WAL
	// indexes and the peer lists, and absent is not zero or empty.
	d := &typeDoc{Mode: orDefault(ts.RawMode, ts.Mode.String()),
		State:           optional(ts.RawState, ts.HasState),
		ConnectionState: optional(ts.RawConnection, ts.HasConnectionState),
		Severity:        ta.Severity.String(), Reasons: reasonDocs(ta.Reasons),
		ClusterID: ts.ClusterID, MerkleRoot: ts.MerkleRoot, PrimaryClusterAddr: ts.PrimaryClusterAddr, SecondaryID: ts.SecondaryID,
		LastWAL:            optional(ts.LastWAL, ts.HasLastWAL),
		LastPerformanceWAL: optional(ts.LastPerformanceWAL, ts.HasLastPerformanceWAL),
		LastDRWAL:          optional(ts.LastDRWAL, ts.HasLastDRWAL),
		KnownSecondaries:   ts.KnownSecondaries, KnownPrimaryClusterAddrs: ts.KnownPrimaryClusterAddrs,
		NotReported: nonNil(ta.NotReported)}
	if ts.HasSecondaries {
		d.Secondaries = peerDocs(ts.Secondaries)
	}
	if ts.HasPrimaries {
		d.Primaries = peerDocs(ts.Primaries)
	}
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

// optional is v when Vault sent it, nil (JSON null) when it did not.
func optional[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
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
		InSync: l.InSync, Stale: l.Stale, Lag: l.LagText(), LagSeverity: l.LagSeverity.String(), LagUnknown: l.LagUnknown}
	if l.HasWALGap {
		v := l.WALGap
		d.WALGap = &v
	}
	d.CanaryAgeMS = millisPtr(l.CanaryAge, l.HasCanaryAge)
	d.HeartbeatAgeMS = millisPtr(l.HeartbeatAge, l.HasHeartbeatAge)
	return d
}

// clustersMarker is where the document's cluster list starts when it is
// encoded empty: the top-level key at the top level's indentation (a string
// inside the document cannot hold a raw newline, so it cannot fake it).
const clustersMarker = "\n  \"clusters\": []"

// writeStatusJSON writes doc indented by two spaces, byte for byte as
// json.Encoder with SetIndent("", "  ") writes it, but one cluster at a
// time through buffers it reuses. Encoding the whole document at once
// builds it twice in memory (encoded, then indented: ~0.5 MB in doubling
// buffers for fleet:32), and a one-shot process touches all of that memory
// for the first time: page faults, about as long as the encoding itself.
func writeStatusJSON(out io.Writer, doc statusDoc) error {
	clusters := doc.Clusters
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	if len(clusters) > 0 {
		doc.Clusters = []clusterDoc{}
	}
	if err := enc.Encode(doc); err != nil {
		return err
	}
	b := head.Bytes()
	i := bytes.Index(b, []byte(clustersMarker))
	if len(clusters) == 0 || i < 0 {
		if i < 0 && len(clusters) > 0 {
			doc.Clusters = clusters
			head.Reset()
			if err := enc.Encode(doc); err != nil {
				return err
			}
		}
		_, err := out.Write(head.Bytes())
		return err
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	bw.Write(b[:i+len(clustersMarker)-1]) // up to the list's "["
	var one bytes.Buffer
	cenc := json.NewEncoder(&one)
	cenc.SetIndent("    ", "  ") // an element of the top level's list
	for k, c := range clusters {
		if k > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		one.Reset()
		if err := cenc.Encode(c); err != nil {
			return err
		}
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ]")
	bw.Write(b[i+len(clustersMarker):])
	return bw.Flush()
}
