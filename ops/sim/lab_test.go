package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTopologies(t *testing.T) {
	for _, tc := range []struct {
		topology string
		names    []string
	}{
		{"fresh", []string{"vault-a", "vault-b", "vault-c", "vault-d"}},
		{"global", []string{"us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr"}},
		{"datacenter", []string{"dc-a", "dc-b", "cloud"}},
		{"fleet:10", []string{"f01-primary", "f01-perf1", "f01-perf2", "f01-perf3", "f01-perf4", "f01-perf5", "f01-perf6", "f01-dr", "f02-primary", "f02-perf1"}},
	} {
		l, err := New(Options{Topology: tc.topology, Seed: 7, Clock: NewManualClock(t0)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range l.Clusters() {
			names = append(names, c.Name)
			if !strings.HasPrefix(c.Token, "hvs.") || c.Addr != "" {
				t.Errorf("%s: token %q addr %q before Start", c.Name, c.Token, c.Addr)
			}
		}
		if strings.Join(names, ",") != strings.Join(tc.names, ",") {
			t.Errorf("%s: clusters %v, want %v", tc.topology, names, tc.names)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
	for _, bad := range []string{"moon", "fleet:0", "fleet:x", fmt.Sprintf("fleet:%d", maxFleet+1)} {
		if _, err := New(Options{Topology: bad}); err == nil {
			t.Errorf("topology %q accepted", bad)
		}
	}
	if _, err := New(Options{Speed: -1}); err == nil {
		t.Error("negative speed accepted")
	}
}

// TestPrebuiltTopologiesStream checks that global, datacenter and fleet start
// already replicating: every secondary streams, in sync with its primary.
func TestPrebuiltTopologiesStream(t *testing.T) {
	for _, topo := range []string{"global", "datacenter", "fleet:16"} {
		t.Run(topo, func(t *testing.T) {
			l := startLabOpts(t, Options{Topology: topo})
			l.Advance(time.Second)
			l.mu.Lock()
			defer l.mu.Unlock()
			secondaries := 0
			for _, c := range l.clusters {
				for _, typ := range []replType{perfType, drType} {
					r := c.role(typ)
					if !r.isSecondary() {
						continue
					}
					secondaries++
					p := l.byName[r.upstream]
					ps, ss := l.typeStatus(p, typ, l.now()), l.typeStatus(c, typ, l.now())
					if ss["state"] != stateStreamWALs || ss["connection_state"] != connReady || ss["merkle_root"] != ps["merkle_root"] ||
						ss["cluster_id"] != ps["cluster_id"] {
						t.Errorf("%s (%s of %s) not in sync:\n%v\n%v", c.name, typ, p.name, ss, ps)
					}
				}
			}
			if secondaries == 0 {
				t.Error("no secondaries")
			}
		})
	}
}

func TestPrebuiltTokens(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	// A performance secondary's advertised token is its own (local) root.
	if _, err := rootClient(t, l, "us-east-1").Sys().ListAuthWithContext(ctx); err != nil {
		t.Errorf("us-east-1's root token: %v", err)
	}
	// The DR secondary advertises the primary's root token (DR replicates tokens).
	if info(t, l, "us-east-2-dr").Token != info(t, l, "us-east-2").Token {
		t.Error("DR secondary should advertise the primary's root token")
	}
	// The operator logs in everywhere except on the DR secondary.
	user, pass := l.Userpass()
	for _, name := range []string{"us-east-2", "us-east-1", "eu-west-1"} {
		if _, err := client(t, info(t, l, name).Addr, "").Logical().Write("auth/userpass/login/"+user, map[string]any{"password": pass}); err != nil {
			t.Errorf("login on %s: %v", name, err)
		}
	}
	_, err := client(t, info(t, l, "us-east-2-dr").Addr, "").Logical().Write("auth/userpass/login/"+user, map[string]any{"password": pass})
	respErr(t, err, 400, errDRSecondary)
}

// TestDeterminism: the same seed and the same steps give byte-identical
// replication status, however the time is chunked.
func TestDeterminism(t *testing.T) {
	run := func(steps []time.Duration) string {
		l, err := New(Options{Topology: "global", Seed: 99, Clock: NewManualClock(t0), WriteRate: 7})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, d := range steps {
			l.Advance(d)
		}
		if err := l.Partition("us-east-2", "eu-west-1"); err != nil {
			t.Fatal(err)
		}
		l.Advance(20 * time.Second)
		if err := l.Heal("us-east-2", "eu-west-1"); err != nil {
			t.Fatal(err)
		}
		l.Advance(40 * time.Second)
		var out strings.Builder
		for _, c := range l.Clusters() {
			rec := httptest.NewRecorder()
			l.Handler(c.Name).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sys/replication/status", nil))
			out.WriteString(rec.Body.String())
		}
		return out.String()
	}
	a := run([]time.Duration{10 * time.Second})
	b := run([]time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second})
	if a != b {
		t.Errorf("chunking changed the outcome:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, `"last_remote_wal"`) || strings.Count(a, `"stream-wals"`) != 3 {
		t.Errorf("unexpected final state:\n%s", a)
	}
}

// TestHandlerUnderHTTPTest mounts clusters with Handler, as the dashboard's
// tests do, and activates a secondary across two httptest servers.
func TestHandlerUnderHTTPTest(t *testing.T) {
	l, err := New(Options{Topology: "fresh", Seed: 5, Clock: NewManualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pa := httptest.NewServer(l.Handler("vault-a"))
	defer pa.Close()
	pb := httptest.NewServer(l.Handler("vault-b"))
	defer pb.Close()
	a, b := client(t, pa.URL, info(t, l, "vault-a").Token), client(t, pb.URL, info(t, l, "vault-b").Token)
	if _, err := a.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil {
		t.Fatal(err)
	}
	l.Advance(3 * time.Second)
	tok := issueToken(t, a, "vault-b", "")
	claims, _ := parseJWT(tok)
	if claims.Addr != "" {
		t.Errorf("without an API address the token has addr %q", claims.Addr)
	}
	// No addr claim: the secondary needs primary_api_addr.
	respErr(t, enableSecondary(b, tok), 400, "the activation token has no primary API address; supply primary_api_addr (simulated)")
	if err := enableSecondary(b, tok, "primary_api_addr", pa.URL); err != nil {
		t.Fatalf("activation across httptest servers: %v", err)
	}
	advanceUntil(t, l, time.Minute, "streaming", func() bool { return perfStatus(t, b).State == "stream-wals" })
	// SetAPIAddr fills the addr claim.
	if err := l.SetAPIAddr("vault-a", pa.URL); err != nil {
		t.Fatal(err)
	}
	if c, _ := parseJWT(issueToken(t, a, "next", "")); c.Addr != pa.URL {
		t.Errorf("addr claim after SetAPIAddr = %q", c.Addr)
	}
	// Stopping a mounted cluster cuts its connections.
	if err := l.Stop("vault-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sys().Health(); err == nil {
		t.Error("stopped mounted cluster still answers")
	}
}

func TestStateFile(t *testing.T) {
	l := startLab(t, "datacenter")
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteStateFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(path)
	var st struct {
		Clusters []ClusterInfo `json:"clusters"`
		Control  string        `json:"control"`
		Userpass struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"userpass"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	user, pass := l.Userpass()
	if len(st.Clusters) != 3 || st.Clusters[1] != info(t, l, "dc-b") || st.Control != l.ControlURL() ||
		st.Userpass.Username != user || st.Userpass.Password != pass {
		t.Errorf("state file:\n%s", b)
	}
}

// TestPortBase: clusters on consecutive ports in topology order, then the
// control endpoint. A free run of ports is probed first so the test does not
// depend on a fixed port being free; another process may still bind one of
// them between the probe and Start (EADDRINUSE), and then the test probes
// again. Any other failure fails, and so does finding no usable run.
func TestPortBase(t *testing.T) {
	const n = 5 // four clusters of "fresh" and the control endpoint
	for range 20 {
		base := freePortRun(t, n)
		l, err := New(Options{Topology: "fresh", PortBase: base, Seed: 42, Clock: NewManualClock(t0)})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Start(); errors.Is(err, syscall.EADDRINUSE) {
			_ = l.Close()
			continue
		} else if err != nil {
			t.Fatalf("Start on ports %d-%d: %v", base, base+n-1, err)
		}
		t.Cleanup(func() {
			if err := l.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		for i, c := range l.Clusters() {
			if want := "http://127.0.0.1:" + strconv.Itoa(base+i); c.Addr != want {
				t.Errorf("%s on %s, want %s", c.Name, c.Addr, want)
			}
		}
		if want := "http://127.0.0.1:" + strconv.Itoa(base+n-1); l.ControlURL() != want {
			t.Errorf("control on %s, want %s", l.ControlURL(), want)
		}
		return
	}
	t.Fatal("20 runs of free ports were each taken before the lab could bind them")
}

// freePortRun finds n consecutive loopback ports that are free now (each
// bound once and released); it fails the test if 20 tries find none.
func freePortRun(t *testing.T, n int) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if base+n > 65535 {
			continue
		}
		ok := true
		var held []net.Listener
		for i := range n {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no run of free loopback ports found in 20 tries")
	return 0
}

// TestRealTimeClock exercises the default clock without sleeping: Advance
// skips it ahead, and the model (background writes) follows.
func TestRealTimeClock(t *testing.T) {
	l, err := New(Options{Topology: "global", Seed: 3, Speed: 10, WriteRate: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	before := l.Now()
	p := rootClient(t, l, "us-east-2")
	w0 := perfStatus(t, p).LastPerformanceWAL
	l.Advance(31 * time.Minute)
	if l.Now().Sub(before) < 31*time.Minute {
		t.Errorf("Advance did not move the scaled clock")
	}
	if w1 := perfStatus(t, p).LastPerformanceWAL; w1 <= w0 {
		t.Errorf("no background writes over 31 simulated minutes: %d → %d", w0, w1)
	}
}

func TestControlEndpoint(t *testing.T) {
	l := startLab(t, "global")
	ctl := l.ControlURL()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ctl+path, strings.NewReader(body))
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do("GET", "/", ""); code != 200 || !strings.Contains(body, "POST /faults") {
		t.Errorf("index: %d %s", code, body)
	}
	if code, body := do("GET", "/faults", ""); code != 200 || !strings.Contains(body, `"name": "partition"`) || !strings.Contains(body, "huge-body") {
		t.Errorf("catalogue: %d %s", code, body)
	}
	if code, body := do("POST", "/faults", `{"kind":"partition","cluster":"us-east-2","peer":"eu-west-1"}`); code != 200 {
		t.Errorf("partition: %d %s", code, body)
	}
	if code, body := do("POST", "/faults", `{"kind":"latency","cluster":"eu-west-1","duration":"250ms"}`); code != 200 {
		t.Errorf("latency: %d %s", code, body)
	}
	code, body := do("GET", "/faults/active", "")
	var active map[string][]ActiveFault
	if err := json.Unmarshal([]byte(body), &active); err != nil || code != 200 {
		t.Fatalf("active: %d %s", code, body)
	}
	if len(active["eu-west-1"]) != 2 || len(active["us-east-2"]) != 1 || len(active["us-east-1"]) != 0 {
		t.Errorf("active faults: %v", active)
	}
	if code, body := do("GET", "/clusters", ""); code != 200 || strings.Contains(body, "hvs.") || !strings.Contains(body, `"mode": "secondary"`) {
		t.Errorf("clusters (must not carry tokens): %d %s", code, body)
	}
	if code, _ := do("POST", "/faults", `{"kind":"seal","cluster":"nowhere"}`); code != 404 {
		t.Errorf("unknown cluster = %d, want 404", code)
	}
	if code, _ := do("POST", "/faults", `{"kind":"meteor","cluster":"us-east-1"}`); code != 400 {
		t.Errorf("unknown kind = %d, want 400", code)
	}
	if code, _ := do("POST", "/faults", `{"kind":"latency","cluster":"us-east-1","duration":"soon"}`); code != 400 {
		t.Errorf("bad duration = %d, want 400", code)
	}
	if code, _ := do("POST", "/faults", `{"kind":"seal","cluster":"us-east-1","colour":"red"}`); code != 400 {
		t.Errorf("unknown field = %d, want 400", code)
	}
	if code, body := do("POST", "/faults/clear", `{}`); code != 200 {
		t.Errorf("clear all: %d %s", code, body)
	}
	if code, body := do("GET", "/faults/active", ""); code != 200 || strings.Contains(body, "kind") {
		t.Errorf("after clear: %s", body)
	}
	before := l.Now()
	if code, body := do("POST", "/advance", `{"duration":"5m"}`); code != 200 || l.Now().Sub(before) != 5*time.Minute {
		t.Errorf("advance: %d %s", code, body)
	}
	if code, _ := do("POST", "/advance", `{"duration":"-5m"}`); code != 400 {
		t.Errorf("negative advance = %d", code)
	}
}
