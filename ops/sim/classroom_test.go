package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// student is one trainee of a class: their two clusters, driven with the
// official client as the vault CLI drives them.
type student struct {
	name      string
	primary   *api.Client
	secondary *api.Client
	wrap      string
}

func newStudent(t *testing.T, l *Lab, name string) *student {
	return &student{name: name, primary: rootClient(t, l, name+"-vault-a"), secondary: rootClient(t, l, name+"-vault-b")}
}

func write(t *testing.T, c *api.Client, path string, data map[string]any) *api.Secret {
	t.Helper()
	s, err := c.Logical().WriteWithContext(context.Background(), path, data)
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return s
}

func checklist(t *testing.T, r *Remote, who string) []ExerciseProgress {
	t.Helper()
	p, err := r.Progress(context.Background(), who)
	if err != nil {
		t.Fatalf("progress: %v", err)
	}
	return p
}

func doneSteps(p ExerciseProgress) int {
	n := 0
	for _, s := range p.Steps {
		if s.Done {
			n++
		}
	}
	return n
}

// TestClassOfThreeCompletesPerfSetup is the classroom end to end: three
// students each run the seed's four CLI steps on their own set, the
// instructor reads three complete checklists from the control endpoint,
// and a reset brings back the starting state with the same tokens.
func TestClassOfThreeCompletesPerfSetup(t *testing.T) {
	l := startLabOpts(t, Options{Students: 3, Exercise: "perf-setup"})
	r, err := NewRemote(l.ControlURL(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	before := l.Clusters()
	if len(before) != 12 || before[0].Name != "s01-vault-a" || before[11].Name != "s03-vault-d" {
		t.Fatalf("clusters = %+v", before)
	}
	var class []*student
	for _, n := range []string{"s01", "s02", "s03"} {
		class = append(class, newStudent(t, l, n))
	}
	start := checklist(t, r, "")
	if len(start) != 3 || doneSteps(start[0]) != 0 || len(start[0].Steps) != 4 || start[2].Student != "s03" {
		t.Fatalf("starting checklists = %+v", start)
	}
	if !strings.Contains(start[0].Steps[2].Explain, purgeWarning) || !strings.Contains(start[0].Steps[2].Title, "s01-vault-b") {
		t.Errorf("step 3 does not explain the purge warning for s01-vault-b: %+v", start[0].Steps[2])
	}

	// 1. Enable performance replication on each primary.
	for _, s := range class {
		write(t, s.primary, "sys/replication/performance/primary/enable", nil)
	}
	l.Advance(3 * time.Second)
	// 2. A secondary token each.
	for _, s := range class {
		sec := write(t, s.primary, "sys/replication/performance/primary/secondary-token", map[string]any{"id": s.name + "-vault-b"})
		if sec.WrapInfo == nil {
			t.Fatalf("%s: secondary-token not wrapped: %+v", s.name, sec)
		}
		s.wrap = sec.WrapInfo.Token
	}
	// A student stuck on step 3 gets its hint after a while.
	l.Advance(hintAfter + time.Second)
	if p := checklist(t, r, "s02")[0]; doneSteps(p) != 2 || p.Steps[2].Hint == "" || p.Steps[3].Hint != "" {
		t.Errorf("s02 after two steps and a wait: %+v", p)
	}
	// 3. Activate each secondary (the purge).
	for _, s := range class {
		write(t, s.secondary, "sys/replication/performance/secondary/enable", map[string]any{"token": s.wrap})
	}
	advanceUntil(t, l, 2*time.Minute, "every secondary streaming", func() bool {
		for _, s := range l.Summaries() {
			if strings.HasSuffix(s.Name, "-vault-b") && s.Performance.State != stateStreamWALs {
				return false
			}
		}
		return true
	})
	if p := checklist(t, r, "s01")[0]; doneSteps(p) != 3 {
		t.Fatalf("s01 streaming before reading the status: %d steps done, want 3 (the read is step 4)", doneSteps(p))
	}
	// 4. Read the status on each secondary (the old root token is purged:
	// log in with userpass, as the exercise says).
	user, pass := l.Userpass()
	for _, s := range class {
		login := write(t, s.secondary, "auth/userpass/login/"+user, map[string]any{"password": pass})
		s.secondary.SetToken(login.Auth.ClientToken)
		if st := perfStatus(t, s.secondary); st.Mode != "secondary" || st.State != stateStreamWALs {
			t.Fatalf("%s: status = %+v", s.name, st)
		}
	}

	// The instructor's view: three complete checklists with a summary.
	all := checklist(t, r, "")
	for i, p := range all {
		if want := fmt.Sprintf("s%02d", i+1); p.Student != want || !p.Complete || doneSteps(p) != 4 ||
			!strings.Contains(p.Summary, "All 4 steps in") || p.Steps[3].DoneAt == nil || p.Steps[3].Took == "" {
			t.Errorf("checklist %d = %+v", i, p)
		}
	}

	// A reset of one student leaves the others alone.
	if err := r.Reset("s02"); err != nil {
		t.Fatalf("reset s02: %v", err)
	}
	after := checklist(t, r, "")
	if !after[0].Complete || after[1].Complete || doneSteps(after[1]) != 0 || !after[2].Complete {
		t.Errorf("after resetting s02: %v %v %v", after[0].Complete, after[1].Complete, after[2].Complete)
	}
	// The whole class: back to the start, same addresses and tokens.
	if err := r.Reset(""); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if got := l.Clusters(); !slices.Equal(got, before) {
		t.Errorf("clusters after reset = %+v, want %+v", got, before)
	}
	for _, s := range l.Summaries() {
		if s.Performance.Mode != modeDisabled || s.DR.Mode != modeDisabled || len(s.Faults) != 0 {
			t.Errorf("%s after reset: %+v", s.Name, s)
		}
	}
	for _, p := range checklist(t, r, "") {
		if p.Complete || doneSteps(p) != 0 {
			t.Errorf("%s after reset: %d steps done", p.Student, doneSteps(p))
		}
	}
	// The purged root token works again on the secondary.
	b := rootClient(t, l, "s01-vault-b")
	if _, err := b.Sys().ListAuthWithContext(context.Background()); err != nil {
		t.Errorf("s01-vault-b's root token after reset: %v", err)
	}
}

// TestResetClearsFaultsAndKeepsTokensOfTheSeed: a reset heals partitions,
// restarts a stopped cluster, unseals, and a lab built again with the same
// seed has the same tokens.
func TestResetClearsFaultsAndKeepsTokensOfTheSeed(t *testing.T) {
	l := startLabOpts(t, Options{Topology: "global"})
	before := l.Clusters()
	if err := l.Partition("us-east-2", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Stop("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Seal("us-east-2-dr"); err != nil {
		t.Fatal(err)
	}
	write(t, rootClient(t, l, "us-east-2"), "sys/auth/extra", map[string]any{"type": "userpass"})
	if err := l.Reset(""); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	for _, s := range l.Summaries() {
		if len(s.Faults) != 0 || s.Sealed || s.Stopped {
			t.Errorf("%s after reset: %+v", s.Name, s)
		}
	}
	if got := l.Clusters(); !slices.Equal(got, before) {
		t.Errorf("clusters after reset = %+v, want %+v", got, before)
	}
	auths, err := rootClient(t, l, "us-east-2").Sys().ListAuthWithContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := auths["extra/"]; ok {
		t.Error("auth method written before the reset survived it")
	}
	// The stopped cluster listens again.
	if _, err := rootClient(t, l, "eu-west-1").Sys().HealthWithContext(context.Background()); err != nil {
		t.Errorf("eu-west-1 after reset: %v", err)
	}
	again, err := New(Options{Topology: "global", Seed: 42, Clock: NewManualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range again.Clusters() {
		if c.Token != before[i].Token {
			t.Errorf("%s: token differs in a new lab of the same seed", c.Name)
		}
	}
	if err := l.Reset("s01"); err == nil || controlStatus(err) != 404 {
		t.Errorf("Reset of an unknown student = %v", err)
	}
}

// TestStudentStateFiles: one file for the class, one per student with only
// that student's clusters, both readable by ReadStateFile.
func TestStudentStateFiles(t *testing.T) {
	l := startLabOpts(t, Options{Students: 2, Topology: "datacenter"})
	path := filepath.Join(t.TempDir(), "lab.json")
	if err := l.WriteStateFile(path); err != nil {
		t.Fatal(err)
	}
	paths, err := l.WriteStudentStateFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{StudentStateFile(path, "s01"), StudentStateFile(path, "s02")}; !slices.Equal(paths, want) ||
		!strings.HasSuffix(paths[0], "lab.s01.json") {
		t.Fatalf("paths = %q", paths)
	}
	class, err := ReadStateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(class.Clusters) != 6 || !slices.Equal(class.Students, []string{"s01", "s02"}) || class.Control != l.ControlURL() || class.Seed != 42 {
		t.Errorf("class file = %+v", class)
	}
	s2, err := ReadStateFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if s2.Student != "s02" || len(s2.Clusters) != 3 || s2.Clusters[0].Name != "s02-dc-a" || s2.Userpass.Password == "" {
		t.Errorf("s02's file = %+v", s2)
	}
	if fi, err := os.Stat(paths[1]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("s02's file mode: %v %v", fi, err)
	}
}

// realCEReplicationStatus is GET sys/replication/status with the root token
// as a real Vault CE 1.17.6 (vault server -dev) answered it, recorded
// 2026-12-05.
const realCEReplicationStatus = `{"auth": null, "data": {"mode": "disabled"}, "lease_duration": 0, "lease_id": "", "mount_type": "", "renewable": false, "request_id": "57200a34-f007-6579-cfc4-33a52660101c", "warnings": null, "wrap_info": null}`

// The Community Edition personality answers sys/replication/status as the
// recorded CE 1.17.6 does: 200, {"mode":"disabled"}, mount_type "".
func TestCEReplicationStatusMatchesRealServer(t *testing.T) {
	wantCode, want := 200, map[string]any{}
	if err := json.Unmarshal([]byte(realCEReplicationStatus), &want); err != nil {
		t.Fatal(err)
	}
	l := startLab(t, "fresh")
	if err := l.SetCommunityEdition("vault-a", true); err != nil {
		t.Fatal(err)
	}
	a := info(t, l, "vault-a")
	code, got, _ := raw(t, "GET", a.Addr+"/v1/sys/replication/status", a.Token, "")
	if code != wantCode || got["mount_type"] != want["mount_type"] || !jsonEqual(got["data"], want["data"]) {
		t.Errorf("CE sys/replication/status = %d %v, recorded %d %v", code, got, wantCode, want)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("envelope lacks %q, which the real server sends", k)
		}
	}
}

// A sealed cluster's health reports both replication modes as "unknown",
// as Vault does before it has loaded its replication state.
func TestSealedHealthReplicationModesUnknown(t *testing.T) {
	l := startLab(t, "global")
	if err := l.Seal("us-east-1"); err != nil {
		t.Fatal(err)
	}
	code, body, _ := raw(t, "GET", info(t, l, "us-east-1").Addr+"/v1/sys/health?sealedcode=299", "", "")
	if code != 299 || body["sealed"] != true || body["replication_performance_mode"] != "unknown" || body["replication_dr_mode"] != "unknown" {
		t.Errorf("sealed health = %d %v", code, body)
	}
	_, body, _ = raw(t, "GET", info(t, l, "us-east-2").Addr+"/v1/sys/health", "", "")
	if body["replication_performance_mode"] != "primary" {
		t.Errorf("unsealed primary's health = %v", body)
	}
}

// realHANodeKeys are the keys of a node of GET sys/ha-status as a raft-backed real Vault
// CE 1.17.6 answered it (recorded 2026-12-05): the keys every node carries.
var realHANodeKeys = []string{"active_node", "api_address", "clock_skew_ms", "cluster_address", "echo_duration_ms",
	"hostname", "last_echo", "replication_primary_canary_age_ms", "upgrade_version", "version"}

func TestHAStatusNodesMatchRealServer(t *testing.T) {
	l := startLab(t, "fresh")
	if err := l.SetCommunityEdition("vault-a", true); err != nil {
		t.Fatal(err)
	}
	a := info(t, l, "vault-a")
	_, body, _ := raw(t, "GET", a.Addr+"/v1/sys/ha-status", a.Token, "")
	nodes, _ := body["data"].(map[string]any)["nodes"].([]any)
	if len(nodes) == 0 {
		t.Fatalf("ha-status = %v", body)
	}
	for _, n := range nodes {
		m := n.(map[string]any)
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, realHANodeKeys) || m["upgrade_version"] != "1.17.6" {
			t.Errorf("node keys %q (upgrade_version %v), recorded %q", keys, m["upgrade_version"], realHANodeKeys)
		}
	}
}

// Under a skew (and --speed, which moves the lab's clock), a cluster's
// Date header and sys/health server_time_utc tell the same time: the
// cluster's own.
func TestDateHeaderFollowsClusterClock(t *testing.T) {
	l := startLab(t, "global")
	if err := l.SkewClock("eu-west-1", 90*time.Second); err != nil {
		t.Fatal(err)
	}
	l.Advance(10 * time.Minute)
	for _, name := range []string{"us-east-2", "eu-west-1"} {
		_, body, hdr := raw(t, "GET", info(t, l, name).Addr+"/v1/sys/health", "", "")
		date, err := http.ParseTime(hdr.Get("Date"))
		if err != nil {
			t.Fatalf("%s: Date %q: %v", name, hdr.Get("Date"), err)
		}
		server, _ := body["server_time_utc"].(json.Number).Int64()
		want := l.Now()
		if name == "eu-west-1" {
			want = want.Add(90 * time.Second)
		}
		if date.Unix() != server || server != want.Unix() {
			t.Errorf("%s: Date %v, server_time_utc %d, want both %v", name, date, server, want)
		}
	}
}

// sys/key-status and LIST sys/version-history exist and answer in the shape
// a real CE 1.17.6 recorded (2026-12-05).
func TestKeyStatusAndVersionHistoryMatchRealServer(t *testing.T) {
	l := startLab(t, "fresh")
	if err := l.SetCommunityEdition("vault-a", true); err != nil {
		t.Fatal(err)
	}
	a := info(t, l, "vault-a")
	code, ks, _ := raw(t, "GET", a.Addr+"/v1/sys/key-status", a.Token, "")
	d, _ := ks["data"].(map[string]any)
	if code != 200 || ks["mount_type"] != "system" || d["term"] != json.Number("1") || ks["term"] != json.Number("1") ||
		d["install_time"] != ks["install_time"] || ks["encryptions"] == nil {
		t.Errorf("key-status = %d %v", code, ks)
	}
	if _, err := time.Parse(time.RFC3339Nano, d["install_time"].(string)); err != nil {
		t.Errorf("install_time: %v", err)
	}
	code, vh, _ := raw(t, "LIST", a.Addr+"/v1/sys/version-history", a.Token, "")
	d, _ = vh["data"].(map[string]any)
	info1, _ := d["key_info"].(map[string]any)["1.17.6"].(map[string]any)
	if code != 200 || !jsonEqual(d["keys"], []any{"1.17.6"}) || info1 == nil || info1["previous_version"] != nil || info1["build_date"] != "" {
		t.Errorf("version-history = %d %v", code, vh)
	}
	if code, _, _ := raw(t, "GET", a.Addr+"/v1/sys/key-status", "", ""); code != 403 {
		t.Errorf("key-status without a token = %d, want 403", code)
	}
}

// POST sys/capabilities answers for the token in the body, in the shape a
// real CE 1.17.6 recorded: {"capabilities":["root"],"sys/mounts":["root"]}
// in data and at the top level.
func TestCapabilitiesOfAnotherTokenMatchesRealServer(t *testing.T) {
	l := startLab(t, "fresh")
	a := info(t, l, "vault-a")
	code, body, _ := raw(t, "POST", a.Addr+"/v1/sys/capabilities", a.Token, `{"token":"`+a.Token+`","paths":["sys/mounts"]}`)
	want := []any{"root"}
	if code != 200 || body["mount_type"] != "system" || !jsonEqual(body["capabilities"], want) || !jsonEqual(body["sys/mounts"], want) ||
		!jsonEqual(body["data"], map[string]any{"capabilities": want, "sys/mounts": want}) {
		t.Errorf("sys/capabilities = %d %v", code, body)
	}
	if code, _, _ := raw(t, "POST", a.Addr+"/v1/sys/capabilities", a.Token, `{"token":"hvs.nope","paths":["sys/mounts"]}`); code != 400 {
		t.Errorf("unknown token = %d, want 400", code)
	}
	if code, _, _ := raw(t, "POST", a.Addr+"/v1/sys/capabilities", "", `{"token":"`+a.Token+`","paths":["sys/mounts"]}`); code != 403 {
		t.Errorf("without a token = %d, want 403", code)
	}
}

// An unknown sys/ path answers Vault's multierror text, as the recorded
// GET sys/nonexistent-path of a real CE 1.17.6 does.
func TestUnknownSysPathMatchesRealServer(t *testing.T) {
	l := startLab(t, "fresh")
	a := info(t, l, "vault-a")
	code, hdr, body, err := do(t, "GET", a.Addr+"/v1/sys/nonexistent-path", a.Token, "")
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "sys/nonexistent-path", code, hdr, body, 404, "1 error occurred:\n\t* unsupported path\n\n")
}
