package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// syncBuffer lets the test read what runLab printed while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLabCommandPrintsExportsAndWritesStateFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "lab.json")
	o := &labOptions{topology: "datacenter", portBase: 0, stateFile: state, speed: 1}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	ready := make(chan *sim.Lab, 1)
	done := make(chan error, 1)
	go func() { done <- runLab(ctx, &out, o, func(l *sim.Lab) { ready <- l }) }()
	var lab *sim.Lab
	select {
	case lab = <-ready:
	case err := <-done:
		t.Fatalf("runLab returned before serving: %v", err)
	}

	printed := out.String()
	for _, c := range lab.Clusters() {
		for _, want := range []string{"# " + c.Name + "\n", "export VAULT_ADDR=" + c.Addr + "\n", "export VAULT_TOKEN=" + c.Token + "\n"} {
			if !strings.Contains(printed, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if !strings.HasPrefix(c.Addr, "http://127.0.0.1:") {
			t.Errorf("%s listens on %s, want loopback", c.Name, c.Addr)
		}
	}
	user, pass := lab.Userpass()
	if !strings.Contains(printed, lab.ControlURL()) || !strings.Contains(printed, "username="+user+" password="+pass) {
		t.Errorf("output lacks the control URL or the userpass login:\n%s", printed)
	}

	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(state)
	var st struct {
		Clusters []struct{ Name, Addr, Token string } `json:"clusters"`
		Control  string                               `json:"control"`
		Userpass struct{ Username, Password string }  `json:"userpass"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Clusters) != 3 || st.Clusters[0].Name != "dc-a" || st.Clusters[0].Token == "" || st.Control != lab.ControlURL() ||
		st.Userpass.Username != "operator" || st.Userpass.Password != pass {
		t.Errorf("state file = %s", b)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("runLab after interrupt: %v", err)
	}
	if !strings.Contains(out.String(), "Stopping the lab.") {
		t.Errorf("no goodbye line")
	}
}

func TestLabCommandRejectsUnknownTopology(t *testing.T) {
	err := runLab(context.Background(), &bytes.Buffer{}, &labOptions{topology: "moon", speed: 1}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown topology "moon"`) {
		t.Errorf("err = %v", err)
	}
}
