package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// A write the server is still answering when the program quits is waited
// for, and the wait is said out loud; with nothing in flight, quitting is
// silent and immediate.
func TestQuitWaitsForWriteInFlight(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			close(arrived)
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	writes := newWriteTracker()
	c, err := ops.NewClient(ops.ClusterConfig{Name: "dc-a", Address: srv.URL, Token: ops.TokenSource{Inline: "hvs.test"}},
		ops.ClientOptions{Timeout: 5 * time.Second, OnWrite: writes.start})
	if err != nil {
		t.Fatal(err)
	}
	var quiet bytes.Buffer
	if !writes.wait(&quiet, time.Second) || quiet.Len() != 0 {
		t.Fatalf("nothing in flight: wait said %q", quiet.String())
	}

	wrote := make(chan error, 1)
	go func() {
		_, err := c.EnablePrimary(context.Background(), ops.Performance, ops.EnablePrimaryRequest{})
		wrote <- err
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the write did not reach the server within 10s")
	}
	// The operator quits now: the wait must not end before the answer.
	var out bytes.Buffer
	done := make(chan bool, 1)
	go func() { done <- writes.wait(&out, 20*time.Second) }()
	select {
	case <-done:
		t.Fatal("wait returned while the write was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("wait gave up although the write answered")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("wait did not end within 20s of the answer")
	}
	if err := <-wrote; err != nil {
		t.Fatalf("write: %v", err)
	}
	s := out.String()
	if !strings.Contains(s, "a write was already sent (") || !strings.Contains(s, " on dc-a)") || !strings.Contains(s, "answered: enable performance primary on dc-a: done") {
		t.Errorf("what the wait said: %q", s)
	}
}

// When the answer does not come, the wait ends at its limit and says that
// the cluster may still carry the write out.
func TestQuitWaitGivesUpAtItsLimit(t *testing.T) {
	writes := newWriteTracker()
	done := writes.start("dc-b", "enable performance primary")
	defer done(nil)
	var out bytes.Buffer
	if writes.wait(&out, 10*time.Millisecond) {
		t.Fatal("wait reported the write answered")
	}
	if !strings.Contains(out.String(), "may still carry the write out") {
		t.Errorf("what the wait said: %q", out.String())
	}
}
