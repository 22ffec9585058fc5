package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/vaultrepl/vaultrepl/ops"
)

// fixtureNow is two seconds after the heartbeats in ops/testdata.
var fixtureNow = time.Date(2024, 3, 4, 15, 5, 58, 0, time.UTC)

func opsFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ops", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	// The health fixtures are other captures than the status ones: their
	// server_time_utc is moved to the test clock, so that the clusters'
	// clocks agree with this machine's (ages are measured on them).
	return serverTimeRe.ReplaceAll(b, []byte(fmt.Sprintf(`"server_time_utc": %d`, fixtureNow.Unix())))
}

var serverTimeRe = regexp.MustCompile(`"server_time_utc":\s*\d+`)

// vaultServer serves sys/health and sys/replication/status.
func vaultServer(t *testing.T, health, repl http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/sys/health":
			health(w, r)
		case "/v1/sys/replication/status":
			repl(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func serve(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func fixtureServer(t *testing.T, health, repl string) *httptest.Server {
	return vaultServer(t, serve(200, opsFixture(t, health)), serve(200, opsFixture(t, repl)))
}

// isolate keeps the user's environment and files out of a test.
func isolate(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_STATE_HOME": filepath.Join(dir, "state"),
		"VAULTREPL_CONFIG": "", "VAULT_ADDR": "", "VAULT_TOKEN": "", "VAULT_SKIP_VERIFY": "", "VAULT_CACERT": "",
		"VAULT_CAPATH": "", "VAULT_CLIENT_CERT": "", "VAULT_CLIENT_KEY": "", "VAULT_NAMESPACE": "",
		"VAULT_CONFIG_PATH": filepath.Join(dir, "no-vault-config"),
	} {
		t.Setenv(k, v)
	}
}

func testDeps() statusDeps {
	d := defaultStatusDeps()
	d.now = func() time.Time { return fixtureNow }
	d.isTTY = func(io.Writer) bool { return false }
	return d
}

type result struct {
	out  string
	err  error
	code int
}

// execute runs the status and info commands under a root with the global
// flags, mapping errors to exit codes as main's run does.
func execute(t testing.TB, ctx context.Context, deps statusDeps, args ...string) result {
	t.Helper()
	g := &globalOptions{}
	root := &cobra.Command{Use: "vaultrepl", SilenceUsage: true, SilenceErrors: true}
	g.register(root)
	root.AddCommand(newStatusCmdWith(g, deps), newInfoCmd(g))
	root.SetArgs(args)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.ExecuteContext(ctx)
	code := 0
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case err != nil:
		code = 1
	}
	return result{out: out.String(), err: err, code: code}
}

func globalTopology(t *testing.T) []string {
	primary := fixtureServer(t, "health_active.json", "status_primary_both.json")
	perf := fixtureServer(t, "health_active.json", "status_perf_secondary.json")
	dr := vaultServer(t, serve(299, opsFixture(t, "health_dr_secondary.json")), serve(200, opsFixture(t, "status_dr_secondary.json")))
	return []string{"--cluster", "us-east-2=" + primary.URL, "--cluster", "us-east-1=" + perf.URL, "--cluster", "us-east-2-dr=" + dr.URL}
}

func TestStatusTableHealthy(t *testing.T) {
	isolate(t)
	args := append([]string{"status"}, globalTopology(t)...)
	r := execute(t, context.Background(), testDeps(), args...)
	if r.code != exitOK || r.err != nil {
		t.Fatalf("code %d err %v\n%s", r.code, r.err, r.out)
	}
	for _, want := range []string{
		"CLUSTER       NODE    PERFORMANCE                      DR                               LAG   STATUS",
		"us-east-2     active  primary running, 1/1 connected   primary running, 1/1 connected   -     ok",
		"us-east-1     active  secondary stream-wals            disabled                         perf in sync  ok",
		"No findings: every cluster is healthy.",
		"LINKS",
		"us-east-2 -> us-east-1",
		"in sync, canary 660ms",
		"us-east-2 -> us-east-2-dr",
	} {
		if !strings.Contains(r.out, strings.Join(strings.Fields(want), " ")) && !strings.Contains(squash(r.out), squash(want)) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
}

// squash collapses runs of spaces so that assertions do not depend on
// column widths.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestStatusJSON(t *testing.T) {
	isolate(t)
	args := append([]string{"status", "--json"}, globalTopology(t)...)
	r := execute(t, context.Background(), testDeps(), args...)
	if r.code != exitOK {
		t.Fatalf("code %d\n%s", r.code, r.out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	wantKeys(t, "document", doc, "schema_version", "generated_at", "worst", "exit_code", "clusters", "links", "split_brains")
	if doc["schema_version"] != 1.0 || doc["worst"] != "ok" || doc["exit_code"] != 0.0 || doc["generated_at"] != "2024-03-04T15:05:58Z" {
		t.Errorf("header %v", doc)
	}
	clusters := doc["clusters"].([]any)
	if len(clusters) != 3 {
		t.Fatalf("%d clusters", len(clusters))
	}
	c0 := clusters[0].(map[string]any)
	wantKeys(t, "cluster", c0, "name", "address", "reachable", "severity", "reasons", "edition", "fetched_at", "took_ms", "clock_offset_ms", "clock_source",
		"error", "health", "health_error", "replication_error", "community_edition", "replication_unsupported", "performance", "dr")
	perf := c0["performance"].(map[string]any)
	wantKeys(t, "type", perf, "mode", "state", "connection_state", "severity", "reasons", "cluster_id", "merkle_root",
		"primary_cluster_addr", "secondary_id", "last_wal", "last_performance_wal", "last_dr_wal", "last_remote_wal",
		"known_secondaries", "known_primary_cluster_addrs", "corrupted_merkle_tree", "merkle_sync", "reindex", "secondaries", "primaries",
		"not_reported")
	if perf["mode"] != "primary" || perf["last_performance_wal"] != 223.0 || perf["last_remote_wal"] != nil || c0["edition"] != "enterprise" {
		t.Errorf("perf %v", perf)
	}
	peer := perf["secondaries"].([]any)[0].(map[string]any)
	if peer["replication_primary_canary_age_ms"] != 660.0 || peer["clock_skew_ms"] != 0.0 || peer["last_heartbeat"] != "2024-03-04T15:05:56Z" {
		t.Errorf("peer %v", peer)
	}
	links := doc["links"].([]any)
	if len(links) != 2 {
		t.Fatalf("links %v", links)
	}
	l0 := links[0].(map[string]any)
	wantKeys(t, "link", l0, "type", "primary", "secondary", "secondary_id", "connection_status", "severity", "reasons",
		"wal_gap", "lag", "lag_severity", "canary_age_ms", "heartbeat_age_ms", "in_sync", "stale")
	if l0["wal_gap"] != 0.0 || l0["secondary"] != "us-east-1" || l0["heartbeat_age_ms"] != 2000.0 || l0["type"] != "performance" {
		t.Errorf("link %v", l0)
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q", what, k)
		}
	}
	if len(m) > len(keys) {
		var extra []string
		for k := range m {
			extra = append(extra, k)
		}
		sort.Strings(extra)
		t.Errorf("%s has undocumented keys: %v", what, extra)
	}
}

// withKnownSecondary adds a never-connected secondary to a fixture.
func withKnownSecondary(t *testing.T, file, id string) []byte {
	var env map[string]any
	if err := json.Unmarshal(opsFixture(t, file), &env); err != nil {
		t.Fatal(err)
	}
	perf := env["data"].(map[string]any)["performance"].(map[string]any)
	perf["known_secondaries"] = append(perf["known_secondaries"].([]any), id)
	b, _ := json.Marshal(env)
	return b
}

// closedAddr is a loopback address that refuses connections for as long
// as the test runs: a socket bound to a port but never listening holds the
// port (nothing else can bind it) and the kernel answers every connection
// to it with a reset. Closing a listener and dialling its port instead
// would race with anything on the machine that binds a port in between.
func closedAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	syscall.CloseOnExec(fd)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}

func TestStatusExitCodes(t *testing.T) {
	isolate(t)
	healthy := func(t *testing.T) string {
		return fixtureServer(t, "health_active.json", "status_primary_both.json").URL
	}
	tests := []struct {
		name     string
		clusters func(t *testing.T) []string
		code     int
		want     []string
	}{
		{"warning: a token never used", func(t *testing.T) []string {
			srv := vaultServer(t, serve(200, opsFixture(t, "health_active.json")), serve(200, withKnownSecondary(t, "status_primary_both.json", "eu-west-1")))
			return []string{"p=" + srv.URL}
		}, exitWarning, []string{"p performance: warning: secondary eu-west-1 has a token but has never connected", "(not configured)"}},
		{"critical: secondary idle", func(t *testing.T) []string {
			return []string{"s=" + fixtureServer(t, "health_active.json", "status_demoted.json").URL}
		}, exitCritical, []string{"secondary idle, conn idle", "s performance: critical: state idle", "s performance: warning: no known primary cluster addresses"}},
		{"critical: sealed", func(t *testing.T) []string {
			srv := vaultServer(t, serve(299, opsFixture(t, "health_sealed.json")), serve(503, opsFixture(t, "error_sealed.json")))
			return []string{"s=" + srv.URL}
		}, exitCritical, []string{"s  sealed", "s: critical: sealed"}},
		{"unreachable", func(t *testing.T) []string {
			return []string{"ok=" + healthy(t), "down=" + closedAddr(t)}
		}, exitCritical, []string{"down  -", "unreachable", "down: critical: unreachable: connection failed",
			"do:    check the address and port", "error: read replication status of down: unreachable: connection failed: dial tcp"}},
		{"critical wins over unreachable", func(t *testing.T) []string {
			return []string{"s=" + fixtureServer(t, "health_active.json", "status_demoted.json").URL, "down=" + closedAddr(t)}
		}, exitCritical, nil},
		{"a link to a cluster that could not be read is not called unconfigured", func(t *testing.T) []string {
			return []string{"p=" + healthy(t), "down=" + closedAddr(t)}
		}, exitCritical, []string{"p -> (not matched)"}},
		{"a cluster's clock far from ours is shown, not judged", func(t *testing.T) []string {
			// This machine's clock is 10 minutes slow: the cluster's
			// server_time_utc and its heartbeats are 10 minutes later
			// than in the fixture, and the heartbeats are 2 s old on its
			// clock, not 10 minutes in the future.
			h := serverTimeRe.ReplaceAll(opsFixture(t, "health_active.json"), []byte(fmt.Sprintf(`"server_time_utc": %d`, fixtureNow.Add(10*time.Minute).Unix())))
			r := bytes.ReplaceAll(opsFixture(t, "status_primary_both.json"), []byte("2024-03-04T10:05:56-05:00"), []byte("2024-03-04T10:15:56-05:00"))
			return []string{"p=" + vaultServer(t, serve(200, h), serve(200, r)).URL}
		}, exitOK, []string{"p: note: its clock is 10m0s ahead of this machine's (server_time_utc); ages are on its clock"}},
		{"community edition is not alarming", func(t *testing.T) []string {
			return []string{"ce=" + fixtureServer(t, "health_ce.json", "status_ce.json").URL}
		}, exitOK, []string{"n/a (Community Edition)", "ce: n/a: no replication (Community Edition)"}},
		{"syncing counts as ok", func(t *testing.T) []string {
			return []string{"s=" + fixtureServer(t, "health_active.json", "status_merkle_sync.json").URL}
		}, exitOK, []string{"secondary merkle-sync", "s performance: syncing: merkle-sync: copying the keys that differ (120 of 480, 25%)"}},
		{"unreadable replication status", func(t *testing.T) []string {
			srv := vaultServer(t, serve(200, opsFixture(t, "health_active.json")), serve(502, []byte("<html>bad gateway</html>")))
			return []string{"x=" + srv.URL}
			// sys/health answered: reachable, with the error's own words (a warning).
		}, exitWarning, []string{"replication status unreadable: server error 502", "hint:  check the Vault server logs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"status"}
			for _, c := range tt.clusters(t) {
				args = append(args, "--cluster", c)
			}
			r := execute(t, context.Background(), testDeps(), args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.out)
			}
			for _, w := range tt.want {
				if !strings.Contains(squash(r.out), squash(w)) {
					t.Errorf("output lacks %q:\n%s", w, r.out)
				}
			}
			// The JSON document carries the same exit code.
			r2 := execute(t, context.Background(), testDeps(), append(args, "--json")...)
			var doc struct {
				ExitCode int `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(r2.out), &doc); err != nil || doc.ExitCode != tt.code || r2.code != tt.code {
				t.Errorf("json exit_code %d (process %d), want %d: %v", doc.ExitCode, r2.code, tt.code, err)
			}
		})
	}
}

// Clusters are read at once: every server waits until all requests of the
// poll have arrived, which reading them one after another would never do.
func TestStatusReadsClustersConcurrently(t *testing.T) {
	isolate(t)
	const n = 4
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	barrier := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			arrived++
			if arrived == 2*n {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
				serve(200, body)(w, r)
			case <-r.Context().Done():
			}
		}
	}
	args := []string{"status", "--timeout", "30s"}
	for i := range n {
		srv := vaultServer(t, barrier(opsFixture(t, "health_active.json")), barrier(opsFixture(t, "status_disabled.json")))
		args = append(args, "--cluster", string(rune('a'+i))+"="+srv.URL)
	}
	if r := execute(t, context.Background(), testDeps(), args...); r.code != exitOK {
		t.Fatalf("%d\n%s", r.code, r.out)
	}
}

// A cluster that never answers ends at --timeout while the others are
// read. The timeout is the only way the hanging read ends, and it bounds
// the healthy read too (it is one flag for all clusters), so it is a second:
// a loopback read of a fixture takes milliseconds even under -race beside
// a CPU hog, where the 30ms this once had was not always enough.
func TestStatusPerClusterTimeout(t *testing.T) {
	isolate(t)
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	slow := vaultServer(t, hang, hang)
	ok := fixtureServer(t, "health_active.json", "status_disabled.json")
	r := execute(t, context.Background(), testDeps(), "status", "--timeout", "1s", "--cluster", "slow="+slow.URL, "--cluster", "ok="+ok.URL)
	if r.code != exitCritical || !strings.Contains(r.out, "timed out waiting for Vault") || !strings.Contains(squash(r.out), "ok active disabled disabled - ok") {
		t.Errorf("%d\n%s", r.code, r.out)
	}
}

func TestStatusWatch(t *testing.T) {
	isolate(t)
	srv := fixtureServer(t, "health_active.json", "status_primary_both.json")
	for _, tt := range []struct {
		name  string
		json  bool
		tty   bool
		check func(t *testing.T, out string)
	}{
		{"table on a terminal refreshes in place", false, true, func(t *testing.T, out string) {
			if n := strings.Count(out, "\x1b[H\x1b[2J"); n != 2 {
				t.Errorf("%d clears", n)
			}
			if n := strings.Count(out, "vaultrepl status at "); n != 2 {
				t.Errorf("%d headers", n)
			}
		}},
		{"table in a pipe appends frames", false, false, func(t *testing.T, out string) {
			if strings.Contains(out, "\x1b[") || strings.Count(out, "CLUSTER") != 2 {
				t.Errorf("%q", out)
			}
		}},
		{"json lines", true, false, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines", len(lines))
			}
			for _, l := range lines {
				var doc map[string]any
				if err := json.Unmarshal([]byte(l), &doc); err != nil || doc["schema_version"] != 1.0 {
					t.Errorf("%v %q", err, l)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			deps := testDeps()
			deps.isTTY = func(io.Writer) bool { return tt.tty }
			ticks := 0
			deps.after = func(time.Duration) <-chan time.Time {
				ticks++
				if ticks == 2 { // after the second frame: the operator presses ctrl-c
					cancel()
					return nil
				}
				ch := make(chan time.Time, 1)
				ch <- fixtureNow
				return ch
			}
			args := []string{"status", "--watch", "--interval", "1h", "--cluster", "p=" + srv.URL}
			if tt.json {
				args = append(args, "--json")
			}
			r := execute(t, ctx, deps, args...)
			if r.code != exitOK {
				t.Errorf("exit %d: %v", r.code, r.err)
			}
			tt.check(t, r.out)
		})
	}
}

// A watch keeps showing the last good data of a cluster that stops answering.
func TestStatusWatchKeepsLastGoodData(t *testing.T) {
	isolate(t)
	var mu sync.Mutex
	down := false
	gate := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			d := down
			mu.Unlock()
			if d {
				serve(503, []byte(`{"errors":["upstream gone"]}`))(w, r)
				return
			}
			h(w, r)
		}
	}
	srv := vaultServer(t, gate(serve(200, opsFixture(t, "health_active.json"))), gate(serve(200, opsFixture(t, "status_primary_both.json"))))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps := testDeps()
	ticks := 0
	deps.after = func(time.Duration) <-chan time.Time {
		ticks++
		if ticks == 2 {
			cancel()
			return nil
		}
		mu.Lock()
		down = true
		mu.Unlock()
		ch := make(chan time.Time, 1)
		ch <- fixtureNow
		return ch
	}
	r := execute(t, ctx, deps, "status", "--watch", "--json", "--cluster", "p="+srv.URL)
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 || r.code != exitCritical {
		t.Fatalf("exit %d, %d frames\n%s", r.code, len(lines), r.out)
	}
	var doc statusDoc
	if err := json.Unmarshal([]byte(lines[1]), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Clusters[0]
	if c.Reachable || c.Error == nil || c.Error.Class != "server-error" || c.Performance == nil || c.Performance.Mode != "primary" {
		t.Errorf("%+v", c)
	}
	if len(doc.Links) != 2 || !doc.Links[0].Stale {
		t.Errorf("links %+v", doc.Links)
	}
}

func TestStatusNeverPrintsTokens(t *testing.T) {
	isolate(t)
	const secret = "hvs.CAESIsuperSecretOperatorToken0123456789"
	t.Setenv("VAULT_TOKEN", secret)
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(map[string][]string{"errors": {"permission denied for " + r.Header.Get("X-Vault-Token")}})
		serve(403, b)(w, r)
	}
	srv := vaultServer(t, echo, echo)
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"info"}} {
		r := execute(t, context.Background(), testDeps(), append(args, "--cluster", "x="+srv.URL)...)
		if strings.Contains(r.out, secret) || (r.err != nil && strings.Contains(r.err.Error(), secret)) {
			t.Errorf("%v leaks the token:\n%s", args, r.out)
		}
	}
}

func TestStatusUsageErrors(t *testing.T) {
	isolate(t)
	tests := [][]string{
		{"status", "extra"},
		{"status", "--bogus"},
		{"status", "--cluster", "no-equals"},
		{"status", "--cluster", "a=ftp://x"},
		{"status"}, // nothing configured
		{"status", "--config", "/nonexistent/vaultrepl.yaml"},
	}
	for _, args := range tests {
		r := execute(t, context.Background(), testDeps(), args...)
		if r.code != exitUsage || r.err == nil {
			t.Errorf("%v: exit %d err %v", args, r.code, r.err)
		}
	}
}

func TestStatusFromConfigFile(t *testing.T) {
	isolate(t)
	srv := fixtureServer(t, "health_active.json", "status_primary_both.json")
	path := filepath.Join(t.TempDir(), "c.yaml")
	body := "timeout: 3s\nclusters:\n  - name: from-file\n    address: " + srv.URL + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// The primary's secondaries are not configured, but it reports them
	// connected and fresh: ok, with links to "(not configured)".
	r := execute(t, context.Background(), testDeps(), "status", "--config", path)
	if r.code != exitOK || !strings.Contains(r.out, "from-file") || !strings.Contains(r.out, "(not configured)") {
		t.Errorf("%d\n%s", r.code, r.out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("clusters:\n  - name: a\n    adress: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = execute(t, context.Background(), testDeps(), "status", "--config", bad)
	if r.code != exitUsage || !strings.Contains(r.err.Error(), bad+":3: clusters[0].adress: unknown field") {
		t.Errorf("%d %v", r.code, r.err)
	}
}

func TestStatusLogFile(t *testing.T) {
	isolate(t)
	const secret = "hvs.CAESIlogFileMustNotContainThisToken000"
	t.Setenv("VAULT_TOKEN", secret)
	srv := fixtureServer(t, "health_active.json", "status_disabled.json")
	logPath := filepath.Join(t.TempDir(), "vaultrepl.log")
	if r := execute(t, context.Background(), testDeps(), "status", "--log-file", logPath, "--cluster", "a="+srv.URL); r.code != exitOK {
		t.Fatalf("%d %v", r.code, r.err)
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if !strings.Contains(log, "path=sys/replication/status") || !strings.Contains(log, "status=200") || strings.Contains(log, secret) {
		t.Errorf("%s", log)
	}
	if fi, _ := os.Stat(logPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v", fi.Mode())
	}
}

// Replication status read but sys/health refused (a proxy in front of
// Vault, say): the table has no node state, and the findings say why.
func TestStatusShowsAnUnreadableHealth(t *testing.T) {
	isolate(t)
	srv := vaultServer(t, serve(403, []byte(`{"errors":["permission denied"]}`)), serve(200, opsFixture(t, "status_primary_both.json")))
	r := execute(t, context.Background(), testDeps(), "status", "--cluster", "p="+srv.URL)
	for _, want := range []string{
		"p: health unreadable: permission denied: the token's policy does not allow this",
		"error: read health of p: permission denied",
		"hint: use a token whose policy grants this path",
	} {
		if !strings.Contains(squash(r.out), squash(want)) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
}

func TestStatusInsecureWarns(t *testing.T) {
	isolate(t)
	args := append([]string{"--insecure", "status"}, globalTopology(t)...)
	r := execute(t, context.Background(), testDeps(), args...)
	if r.code != exitOK || !strings.HasPrefix(r.out, "WARNING: TLS verification is off") {
		t.Errorf("code %d:\n%s", r.code, r.out)
	}
}

// The exit code is a function of `worst` alone, so that a script reading
// either one learns the same thing; the README's exit-code table lists the
// same pairs.
func TestStatusExitCodeFollowsWorst(t *testing.T) {
	want := map[ops.Severity]int{
		ops.SeverityOK: exitOK, ops.SeveritySyncing: exitOK, ops.SeverityNA: exitOK,
		ops.SeverityWarning: exitWarning, ops.SeverityCritical: exitCritical, ops.SeverityUnknown: exitUnknown,
	}
	for sev, code := range want {
		if got := statusExitCode(ops.Report{Worst: sev}); got != code {
			t.Errorf("worst %v: exit %d, want %d", sev, got, code)
		}
	}
	// An unreachable cluster next to a healthy one: critical, exit 2.
	rep := ops.Assess(time.Now(), []ops.Observation{{Name: "down", Err: &ops.Error{Class: ops.ErrUnreachable}}}, ops.DefaultThresholds())
	if rep.Worst != ops.SeverityCritical || statusExitCode(rep) != exitCritical {
		t.Errorf("unreachable: worst %v exit %d", rep.Worst, statusExitCode(rep))
	}
}
