package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPartitionAndHeal(t *testing.T) {
	l := startLabOpts(t, Options{Topology: "global", WriteRate: 20})
	p, s := rootClient(t, l, "us-east-2"), rootClient(t, l, "eu-west-1")
	l.Advance(5 * time.Second)
	if st := perfStatus(t, s); st.State != "stream-wals" {
		t.Fatalf("not streaming at start: %+v", st)
	}
	if err := l.Partition("us-east-2", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	l.Advance(10 * time.Second)
	code, body, _ := raw(t, "GET", info(t, l, "eu-west-1").Addr+"/v1/sys/replication/performance/status", "", "")
	d := body["data"].(map[string]any)
	if code != 200 || d["connection_state"] == "ready" {
		t.Errorf("partitioned secondary still ready: %v", d)
	}
	sec := perfStatus(t, s)
	prim := perfStatus(t, p)
	if sec.LastRemoteWAL >= prim.LastPerformanceWAL {
		t.Errorf("no lag while partitioned: remote %d, primary %d", sec.LastRemoteWAL, prim.LastPerformanceWAL)
	}
	if sec.Primaries[0].ConnectionStatus != "disconnected" {
		t.Errorf("secondary's view of the primary: %+v", sec.Primaries[0])
	}
	for _, peer := range prim.Secondaries {
		want := "connected"
		if peer.NodeID == "eu-west-1" {
			want = "disconnected"
		}
		if peer.ConnectionStatus != want {
			t.Errorf("primary sees %s %s, want %s", peer.NodeID, peer.ConnectionStatus, want)
		}
	}
	if af := l.ActiveFaults("eu-west-1"); !slices.Equal(af, []ActiveFault{{KindPartition, "from us-east-2"}}) {
		t.Errorf("active faults = %+v", af)
	}
	if err := l.Heal("eu-west-1", "us-east-2"); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "caught up after heal", func() bool {
		// Compare both sides within one lock-step: no time passes between reads.
		sec, prim := perfStatus(t, s), perfStatus(t, p)
		return sec.State == "stream-wals" && sec.Primaries[0].ConnectionStatus == "connected" && sec.LastRemoteWAL > 0 &&
			prim.LastPerformanceWAL-sec.LastRemoteWAL < 5
	})
}

func TestStopAndRestart(t *testing.T) {
	l := startLab(t, "global")
	ci := info(t, l, "us-east-1")
	if err := l.Stop("us-east-1"); err != nil {
		t.Fatal(err)
	}
	_, err := client(t, ci.Addr, "").Sys().Health()
	var op *net.OpError
	if !errors.As(err, &op) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("stopped cluster: want connection refused, got %v", err)
	}
	l.Advance(2 * time.Second)
	for _, peer := range perfStatus(t, rootClient(t, l, "us-east-2")).Secondaries {
		if peer.NodeID == "us-east-1" && peer.ConnectionStatus != "disconnected" {
			t.Errorf("primary still sees the stopped secondary")
		}
	}
	if err := l.Restart("us-east-1"); err != nil {
		t.Fatal(err)
	}
	if got := info(t, l, "us-east-1").Addr; got != ci.Addr {
		t.Errorf("restarted on %s, want the same address %s", got, ci.Addr)
	}
	h, err := client(t, ci.Addr, "").Sys().Health()
	if err != nil || h.Sealed || h.ReplicationPerformanceMode != "secondary" {
		t.Fatalf("after restart: %+v %v", h, err)
	}
}

func TestFailRequestsAndInjectedResponses(t *testing.T) {
	l := startLab(t, "global")
	ci := info(t, l, "us-east-1")
	c := client(t, ci.Addr, ci.Token)
	if err := l.FailRequests("us-east-1", 503, 2); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := c.Sys().ReplicationStatus()
		respErr(t, err, 503, "Service Unavailable (simulated)")
	}
	if _, err := c.Sys().ReplicationStatus(); err != nil {
		t.Errorf("burst over: %v", err)
	}

	inject := func(kind ResponseFault) {
		t.Helper()
		if err := l.InjectResponse("us-east-1", kind, 1); err != nil {
			t.Fatal(err)
		}
	}
	inject(FaultForbidden)
	_, err := c.Sys().ReplicationStatus()
	respErr(t, err, 403, errPermissionDenied)
	inject(FaultEnterpriseOnly)
	_, err = c.Sys().ReplicationStatus()
	respErr(t, err, 404, errEnterpriseOnly)
	inject(FaultRateLimited)
	_, err = c.Sys().ReplicationStatus()
	respErr(t, err, 429, errRateLimited)
	inject(FaultNotFound)
	code, body, _ := raw(t, "GET", ci.Addr+"/v1/sys/replication/status", "", "")
	if code != 404 || !jsonEqual(body, map[string]any{"errors": []string{}}) {
		t.Errorf("not-found: %d %v", code, body)
	}
	inject(FaultMalformedJSON)
	var syn *json.SyntaxError
	if _, err := c.Sys().ReplicationStatus(); !errors.As(err, &syn) {
		t.Errorf("malformed JSON: want a syntax error, got %v", err)
	}
	inject(FaultTruncated)
	if _, err := c.Sys().ReplicationStatus(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated body: want unexpected EOF, got %v", err)
	}

	// The huge body is valid JSON of the promised length, streamed.
	inject(FaultHugeBody)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(ci.Addr + "/v1/sys/replication/status")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n < hugeBodySize || n != resp.ContentLength {
		t.Errorf("huge body: read %d of %d: %v", n, resp.ContentLength, err)
	}
	// A client that gives up early just closes the stream.
	inject(FaultHugeBody)
	resp, err = (&http.Client{Transport: tr}).Get(ci.Addr + "/v1/sys/replication/status")
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 20)
	_, _ = io.ReadFull(resp.Body, head)
	resp.Body.Close()
	if !strings.HasPrefix(string(head), `{"request_id":`) {
		t.Errorf("huge body starts %q", head)
	}
	if err := l.InjectResponse("us-east-1", "teapot", 1); err == nil {
		t.Error("unknown response fault accepted")
	}
	if err := l.FailRequests("nowhere", 500, 1); err == nil || !strings.Contains(err.Error(), `no cluster named "nowhere"`) {
		t.Errorf("unknown cluster: %v", err)
	}
}

// TestHangAndLatencyRelease checks that hung and delayed requests end when the
// client gives up and that Close releases the rest (goleak checks the
// goroutines in TestMain).
func TestHangAndLatencyRelease(t *testing.T) {
	l := startLab(t, "fresh")
	ci := info(t, l, "vault-a")
	parked := make(chan string, 4)
	l.mu.Lock()
	l.parked = parked
	l.mu.Unlock()
	if err := l.Hang("vault-a", true); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ci.Addr+"/v1/sys/health", nil)
	if _, err := (&http.Client{Transport: tr}).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hung request: want the client's deadline, got %v", err)
	}
	// A request left hanging when the hang is lifted completes normally.
	done := make(chan int, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Get(ci.Addr + "/v1/sys/health")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-parked // the handler has parked in the hang
	if err := l.Hang("vault-a", false); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 200 {
		t.Errorf("released request = %d", code)
	}

	// Latency far beyond the client's patience: the client times out and the
	// delayed handler goes away with Close.
	if err := l.SetLatency("vault-b", time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	req, _ = http.NewRequestWithContext(ctx2, "GET", info(t, l, "vault-b").Addr+"/v1/sys/health", nil)
	if _, err := (&http.Client{Transport: tr}).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow request: want the client's deadline, got %v", err)
	}
	if err := l.Hang("vault-c", true); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := (&http.Client{Transport: tr}).Get(info(t, l, "vault-c").Addr + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
		}
		done <- 1
	}()
	<-parked
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
}

func TestCorruptMerkleLoopsUntilReindex(t *testing.T) {
	l := startLab(t, "global")
	s := rootClient(t, l, "eu-west-1")
	if err := l.CorruptMerkle("eu-west-1", "performance"); err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for range 40 {
		l.Advance(time.Second)
		sec, err := s.Logical().Read("sys/replication/performance/status")
		if err != nil {
			t.Fatal(err)
		}
		if sec.Data["corrupted_merkle_tree"] != true {
			t.Fatalf("corrupted_merkle_tree = %v", sec.Data["corrupted_merkle_tree"])
		}
		states[sec.Data["state"].(string)]++
	}
	if states["stream-wals"] != 0 || states["merkle-diff"] == 0 || states["merkle-sync"] == 0 {
		t.Errorf("want a merkle-diff ↔ merkle-sync loop, saw %v", states)
	}
	if err := l.CorruptMerkle("eu-west-1", "dr"); err == nil {
		t.Error("corrupting a disabled type should fail")
	}
	// A reindex (sudo) repairs the tree; the secondary then streams again.
	// The cluster stays usable during a secondary's reindex.
	if _, err := s.Logical().Write("sys/replication/reindex", nil); err != nil {
		t.Fatal(err)
	}
	rs, _ := s.Logical().Read("sys/replication/performance/status")
	if rs.Data["reindex_in_progress"] != true || rs.Data["reindex_stage"] != "building" {
		t.Errorf("reindex fields: %v", rs.Data)
	}
	advanceUntil(t, l, time.Minute, "streaming after reindex", func() bool {
		return perfStatus(t, s).State == "stream-wals"
	})
	rs, _ = s.Logical().Read("sys/replication/performance/status")
	if rs.Data["corrupted_merkle_tree"] != false || rs.Data["last_reindex_epoch"] == "0" {
		t.Errorf("after reindex: %v", rs.Data)
	}
}

func TestSkewClock(t *testing.T) {
	l := startLab(t, "global")
	if err := l.SkewClock("eu-west-1", -3*time.Second); err != nil {
		t.Fatal(err)
	}
	l.Advance(time.Second)
	for _, peer := range perfStatus(t, rootClient(t, l, "us-east-2")).Secondaries {
		want := "0"
		if peer.NodeID == "eu-west-1" {
			want = "-3000"
		}
		if peer.ClockSkewMillis != want {
			t.Errorf("%s clock_skew_ms = %s, want %s", peer.NodeID, peer.ClockSkewMillis, want)
		}
	}
	if got := perfStatus(t, rootClient(t, l, "eu-west-1")).Primaries[0].ClockSkewMillis; got != "3000" {
		t.Errorf("secondary sees primary skew %s, want 3000", got)
	}
	he, _ := rootClient(t, l, "eu-west-1").Sys().Health()
	hp, _ := rootClient(t, l, "us-east-2").Sys().Health()
	if hp.ServerTimeUTC-he.ServerTimeUTC != 3 {
		t.Errorf("server_time_utc: primary %d, skewed %d", hp.ServerTimeUTC, he.ServerTimeUTC)
	}
}

func TestFaultCatalogueAndClear(t *testing.T) {
	l := startLab(t, "global")
	kinds := FaultKinds()
	names := map[string]bool{}
	for _, k := range kinds {
		if k.Name == "" || k.Description == "" || names[k.Name] {
			t.Errorf("bad catalogue entry %+v", k)
		}
		names[k.Name] = true
	}
	specs := []FaultSpec{
		{Kind: KindPartition, Cluster: "us-east-1", Peer: "us-east-2"},
		{Kind: KindSeal, Cluster: "us-east-1"},
		{Kind: KindLatency, Cluster: "us-east-1", Duration: 20 * time.Millisecond},
		{Kind: KindFailRequests, Cluster: "us-east-1", Status: 502, Count: 3},
		{Kind: KindHang, Cluster: "us-east-1"},
		{Kind: KindRespond, Cluster: "us-east-1", Response: FaultTruncated, Count: 2},
		{Kind: KindCorruptMerkle, Cluster: "us-east-1", Type: "performance"},
		{Kind: KindSkewClock, Cluster: "us-east-1", Duration: time.Minute},
		{Kind: KindCommunityEdition, Cluster: "us-east-1"},
		{Kind: KindStop, Cluster: "us-east-1"},
	}
	for _, s := range specs {
		if !names[s.Kind] {
			t.Errorf("%s missing from the catalogue", s.Kind)
		}
		if err := l.ApplyFault(s); err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
	}
	got := l.ActiveFaults("us-east-1")
	want := []ActiveFault{{KindPartition, "from us-east-2"}, {Kind: KindStop}, {Kind: KindSeal}, {KindLatency, "20ms"},
		{KindFailRequests, "502 × 3 left"}, {Kind: KindHang}, {KindRespond, "truncated × 2 left"},
		{KindCorruptMerkle, "performance"}, {KindSkewClock, "1m0s"}, {Kind: KindCommunityEdition}}
	if !slices.Equal(got, want) {
		t.Errorf("active faults:\n got %+v\nwant %+v", got, want)
	}
	if err := l.ApplyFault(FaultSpec{Kind: KindClear, Cluster: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if got := l.ActiveFaults("us-east-1"); len(got) != 0 {
		t.Errorf("after clear: %+v", got)
	}
	advanceUntil(t, l, time.Minute, "streaming again after clear", func() bool {
		return perfStatus(t, rootClient(t, l, "us-east-1")).State == "stream-wals"
	})
	if err := l.ApplyFault(FaultSpec{Kind: "meteor"}); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := l.Partition("us-east-1", "us-east-1"); err == nil {
		t.Error("self-partition accepted")
	}
}

func TestFlapAndRequestCounts(t *testing.T) {
	l := startLab(t, "global")
	ci := info(t, l, "us-east-1")
	c := client(t, ci.Addr, ci.Token)
	if err := l.ApplyFault(FaultSpec{Kind: KindFlap, Cluster: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	var outcomes []bool
	for range 4 {
		_, err := c.Sys().ReplicationStatus()
		outcomes = append(outcomes, err == nil)
	}
	if !slices.Equal(outcomes, []bool{false, true, false, true}) {
		t.Errorf("flap outcomes = %v", outcomes)
	}
	if err := l.Flap("us-east-1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sys().Health(); err != nil {
		t.Errorf("after flap off: %v", err)
	}
	got := l.RequestCounts("us-east-1")
	if got["/v1/sys/replication/status"] != 4 || got["/v1/sys/health"] != 1 {
		t.Errorf("request counts = %v", got)
	}
	if l.RequestCounts("nowhere") != nil {
		t.Error("counts for an unknown cluster")
	}
}

// sys/replication/merkle-check reports each tree's root_hash as standard
// base64 of a 20-byte hash (the merkle-check sample of
// https://developer.hashicorp.com/vault/api-docs/system/replication), stable while nothing is
// written, each cluster's own for the local tree, and different once the
// replicated tree is corrupted.
func TestMerkleCheckRootHash(t *testing.T) {
	l := startLab(t, "global") // no background writes
	report := func(name string) (replicated, local string, corrupted bool) {
		t.Helper()
		ci := info(t, l, name)
		code, body, _ := raw(t, "POST", ci.Addr+"/v1/sys/replication/merkle-check", ci.Token, "")
		if code != 200 {
			t.Fatalf("merkle-check on %s: %d %v", name, code, body)
		}
		rep := body["data"].(map[string]any)["merkle_corruption_report"].(map[string]any)
		trees := rep["corrupted_tree_map"].(map[string]any)
		hash := func(k string) string {
			h := trees[k].(map[string]any)["root_hash"].(string)
			if b, err := base64.StdEncoding.DecodeString(h); err != nil || len(b) != 20 {
				t.Errorf("%s tree %s: root_hash %q is not base64 of 20 bytes (%v)", name, k, h, err)
			}
			return h
		}
		return hash("1"), hash("2"), rep["corrupted_root"].(bool)
	}
	r1, local1, _ := report("us-east-2")
	r2, local2, _ := report("us-east-2")
	if r1 != r2 || local1 != local2 {
		t.Errorf("root hashes changed with nothing written: %s %s, %s %s", r1, r2, local1, local2)
	}
	if _, secLocal, _ := report("us-east-1"); secLocal == local1 {
		t.Errorf("a secondary's local tree has the primary's hash %s", local1)
	}
	if err := l.CorruptMerkle("us-east-2", "performance"); err != nil {
		t.Fatal(err)
	}
	if r3, _, bad := report("us-east-2"); r3 == r1 || !bad {
		t.Errorf("after corruption: replicated %s (was %s), corrupted_root %v", r3, r1, bad)
	}
}
