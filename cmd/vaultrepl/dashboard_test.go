package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/tui"
	"github.com/vaultrepl/vaultrepl/tui/wizard"
)

func TestASCIIOnlyFollowsTheLocale(t *testing.T) {
	for _, tc := range []struct {
		lcAll, lcCtype, lang, force string
		want                        bool
	}{
		{lang: "en_US.UTF-8", want: false},
		{lang: "C.utf8", want: false},
		{lang: "C", want: true},
		{lcAll: "POSIX", lang: "en_US.UTF-8", want: true}, // LC_ALL wins
		{lcCtype: "de_DE.UTF-8", lang: "C", want: false},
		{want: true}, // nothing set: assume the C locale
		{lang: "en_US.UTF-8", force: "1", want: true},
		{lang: "en_US.UTF-8", force: "0", want: false},
	} {
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_CTYPE", tc.lcCtype)
		t.Setenv("LANG", tc.lang)
		t.Setenv("VAULTREPL_ASCII", tc.force)
		if got := asciiOnly(); got != tc.want {
			t.Errorf("LC_ALL=%q LC_CTYPE=%q LANG=%q VAULTREPL_ASCII=%q: asciiOnly = %v", tc.lcAll, tc.lcCtype, tc.lang, tc.force, got)
		}
	}
}

func TestUISetup(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	if _, err := newUISetup(&globalOptions{theme: "solarized"}); err == nil || !strings.Contains(err.Error(), "--theme") {
		t.Fatalf("a bad theme should be a --theme error, got %v", err)
	}
	// The config file's theme applies when no flag is given; the flag wins.
	u, err := newUISetup(&globalOptions{}, "colorblind")
	if err != nil || u.styles.Palette.Name != "colorblind" {
		t.Fatalf("config theme: %v %v", u, err)
	}
	u, err = newUISetup(&globalOptions{theme: "default", noColor: true}, "colorblind")
	if err != nil || u.styles.Palette.Name != "default" {
		t.Fatalf("flag theme: %v", err)
	}
	if p := u.styles.Renderer.ColorProfile(); p != termenv.Ascii {
		t.Errorf("--no-color gave colour profile %v, want Ascii", p)
	}
	if u.styles.ASCII {
		t.Error("a UTF-8 locale got ASCII glyphs")
	}

	logPath := filepath.Join(t.TempDir(), "vaultrepl.log")
	u, err = newUISetup(&globalOptions{logFile: logPath})
	if err != nil {
		t.Fatal(err)
	}
	u.log.Info("hello", "cluster", "us-east-1")
	u.Close()
	fi, err := os.Stat(logPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file %v mode %v, want 0600", err, fi.Mode())
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "cluster=us-east-1") {
		t.Errorf("log file lacks the record: %q", b)
	}
	if _, err := newUISetup(&globalOptions{logFile: filepath.Join(t.TempDir(), "no", "such", "dir", "x.log")}); err == nil {
		t.Error("an unwritable log file was accepted")
	}
}

// The demo builds the dashboard on real ops clients over loopback HTTP to
// an in-process lab: every reader decodes a real response.
func TestDemoDepsReadTheLabOverHTTP(t *testing.T) {
	u, err := newUISetup(&globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deps, stop, err := demoDeps(&globalOptions{}, &demoOptions{topology: "global", speed: 1, seed: 7}, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if deps.Lab == nil || deps.Wizard == nil {
		t.Fatal("demo without lab menu or wizard")
	}
	if deps.Interval != defaultInterval || deps.Timeout != defaultTimeout {
		t.Errorf("interval %v timeout %v", deps.Interval, deps.Timeout)
	}
	names := map[string]ops.Mode{}
	for _, c := range deps.Clusters {
		if !strings.HasPrefix(c.Address, "http://127.0.0.1:") {
			t.Errorf("%s listens on %s, not loopback", c.Name, c.Address)
		}
		if _, ok := c.Reader.(*ops.Client); !ok {
			t.Errorf("%s is read by %T, not the real client", c.Name, c.Reader)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		snap, err := c.Reader.Status(ctx)
		cancel()
		if err != nil || snap.Replication == nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		names[c.Name] = snap.Replication.Performance.Mode
	}
	if names["us-east-2"] != ops.ModePrimary || names["us-east-1"] != ops.ModeSecondary || len(names) != 4 {
		t.Errorf("global topology read as %v", names)
	}
	if deps.Clusters[0].Name != "us-east-2" || !deps.Clusters[0].Protected || deps.Clusters[0].Label == "" {
		t.Errorf("the primary is not marked: %+v", deps.Clusters[0])
	}

	// Read-only: no wizard, and the clients refuse writes.
	ro, stop2, err := demoDeps(&globalOptions{readOnly: true}, &demoOptions{topology: "datacenter", speed: 1}, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if ro.Wizard != nil || !ro.ReadOnly {
		t.Error("read-only demo offers the wizard")
	}
	c := ro.Clusters[0].Reader.(*ops.Client)
	if _, err := c.EnablePrimary(context.Background(), ops.Performance, ops.EnablePrimaryRequest{}); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("a read-only demo client wrote: %v", err)
	}

	if _, _, err := demoDeps(&globalOptions{}, &demoOptions{topology: "nonsense"}, u, nil); err == nil {
		t.Error("an unknown topology was accepted")
	}
}

func TestClusterSpecs(t *testing.T) {
	cfgs := []ops.ClusterConfig{{Name: "a", Address: "https://a:8200", Label: "prod", Protected: true, ReadOnly: true}}
	c, err := ops.NewClient(cfgs[0], ops.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := clusterSpecs(cfgs, []*ops.Client{c})
	// No token is configured: the pane says so.
	want := tui.ClusterSpec{Name: "a", Address: "https://a:8200", Label: "prod", Protected: true, ReadOnly: true, NoToken: true, Reader: c}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v", got)
	}
	cfgs[0].Token = ops.TokenSource{Inline: "hvs.x"}
	if c, err = ops.NewClient(cfgs[0], ops.ClientOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := clusterSpecs(cfgs, []*ops.Client{c}); got[0].NoToken {
		t.Errorf("a cluster with a token is marked NoToken")
	}
}

// The overlay adapter turns the wizard's messages into the dashboard's and
// remembers re-authenticated clients for the next opening.
func TestWizardOverlayTranslatesMessages(t *testing.T) {
	u, err := newUISetup(&globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfgs := []ops.ClusterConfig{{Name: "a", Address: "http://127.0.0.1:1"}, {Name: "b", Address: "http://127.0.0.1:2"}}
	var clients []*ops.Client
	for _, cfg := range cfgs {
		c, err := ops.NewClient(cfg, ops.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	h := newWizardHost(cfgs, clients, u.styles, time.Second, time.Second, false, time.Now, wizardLogin{username: "operator"})
	ov, _ := h.open(context.Background(), "a", 100, 30)
	if ov.View() == "" {
		t.Fatal("the wizard draws nothing")
	}
	ov = ov.SetSize(120, 40)

	_, cmd := ov.Update(wizard.ClosedMsg{Changed: []string{"b"}})
	if msg, ok := cmd().(tui.OverlayClosedMsg); !ok || len(msg.Changed) != 1 || msg.Changed[0] != "b" {
		t.Fatalf("ClosedMsg became %#v", cmd())
	}
	_, cmd = ov.Update(wizard.WroteMsg{Cluster: "a", Action: "enable performance primary"})
	if msg, ok := cmd().(tui.ClusterChangedMsg); !ok || msg.Cluster != "a" {
		t.Fatalf("WroteMsg became %#v", cmd())
	}
	fresh, err := clients[1].WithToken("new-token")
	if err != nil {
		t.Fatal(err)
	}
	ov, _ = ov.Update(wizard.ClientChangedMsg{Cluster: "b", Op: fresh})
	if h.clients["b"] != fresh || h.clusters[1].Op != wizard.Operator(fresh) {
		t.Fatal("the re-authenticated client was not kept")
	}
	if len(ov.ShortHelp()) == 0 {
		t.Error("the wizard offers no key help")
	}
}

// The wizard's reads stop when the dashboard quits: open passes the
// dashboard's context, and canceling it aborts a read in flight (here one
// that the server never answers and whose own timeout is far away).
func TestWizardReadsStopAtQuit(t *testing.T) {
	started, ended, stop := make(chan struct{}, 8), make(chan struct{}, 8), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-r.Context().Done():
			ended <- struct{}{}
		case <-stop: // the test failed: let Close return
		}
	}))
	defer srv.Close()
	defer close(stop)
	u, err := newUISetup(&globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfgs := []ops.ClusterConfig{{Name: "a", Address: srv.URL}}
	c, err := ops.NewClient(cfgs[0], ops.ClientOptions{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h := newWizardHost(cfgs, []*ops.Client{c}, u.styles, time.Second, time.Hour, false, time.Now, wizardLogin{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, cmd := h.open(ctx, "a", 100, 30)
	// Init is a batch: the opening survey and the timers. Run them all.
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			if b, ok := cmd().(tea.BatchMsg); ok {
				for _, c := range b {
					run(c)
				}
			}
		}()
	}
	run(cmd)
	deadline := time.After(10 * time.Second)
	select {
	case <-started:
	case <-deadline:
		t.Fatal("the wizard read nothing")
	}
	cancel()
	select {
	case <-ended:
	case <-deadline:
		t.Fatal("the read went on after the dashboard's context was canceled")
	}
}
