package ops

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// tokenRecorder is a Vault that answers status reads and records the
// token of every request it receives.
type tokenRecorder struct {
	mu     sync.Mutex
	tokens []string
}

func (tr *tokenRecorder) handler(t *testing.T, redirectTo string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.tokens = append(tr.tokens, r.Header.Get("X-Vault-Token"))
		tr.mu.Unlock()
		switch {
		case r.URL.Path == pathHealth:
			respond(200, fixture(t, "health_active.json"))(w, r)
		case redirectTo != "":
			http.Redirect(w, r, redirectTo+r.URL.Path, http.StatusTemporaryRedirect)
		default:
			respond(200, fixture(t, "status_primary_both.json"))(w, r)
		}
	}
}

func (tr *tokenRecorder) seen() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.tokens...)
}

// Clients built together share the environment's transport, and still each
// sends only its own token, to its own origin: a redirect to another
// configured cluster is refused with nothing sent there.
func TestNewClientsKeepTokensAndOriginsApart(t *testing.T) {
	var a, b, c tokenRecorder
	srvB := httptest.NewServer(b.handler(t, ""))
	defer srvB.Close()
	srvA := httptest.NewServer(a.handler(t, ""))
	defer srvA.Close()
	srvC := httptest.NewServer(c.handler(t, srvB.URL)) // C redirects its replication read to B
	defer srvC.Close()
	const tokA, tokB, tokC = "hvs.AAAAAAAAAAAAAAAAAAAAAAAA", "hvs.BBBBBBBBBBBBBBBBBBBBBBBB", "hvs.CCCCCCCCCCCCCCCCCCCCCCCC"
	clients, err := NewClients([]ClusterConfig{
		{Name: "a", Address: srvA.URL, Token: TokenSource{Inline: tokA}},
		{Name: "b", Address: srvB.URL, Token: TokenSource{Inline: tokB}},
		{Name: "c", Address: srvC.URL, Token: TokenSource{Inline: tokC}},
	}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 3 || clients[0].Name() != "a" || clients[2].Name() != "c" {
		t.Fatalf("%d clients", len(clients))
	}
	ctx := context.Background()
	for _, cl := range clients[:2] {
		if _, err := cl.Status(ctx); err != nil {
			t.Fatalf("%s: %v", cl.Name(), err)
		}
	}
	snap, _ := clients[2].Status(ctx)
	checkClass(t, "c's redirected replication read", snap.ReplicationErr, ErrRedirectRefused)
	for _, s := range []struct {
		name   string
		tokens []string
		want   string
		n      int
	}{{"a", a.seen(), tokA, 2}, {"b", b.seen(), tokB, 2}, {"c", c.seen(), tokC, 2}} {
		if len(s.tokens) != s.n {
			t.Errorf("%s received %d requests, want %d", s.name, len(s.tokens), s.n)
		}
		for _, tok := range s.tokens {
			if tok != s.want {
				t.Errorf("%s received token %q", s.name, tok)
			}
		}
	}
}

// VAULT_CACERT, read once for the set, reaches every cluster without TLS
// settings of its own (without it they do not trust the server); a
// cluster's own ca_file still applies; a missing VAULT_CACERT fails the set
// as a configuration error.
func TestNewClientsEnvironmentTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathHealth {
			respond(200, fixture(t, "health_active.json"))(w, r)
			return
		}
		respond(200, fixture(t, "status_primary_both.json"))(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshakes fail on purpose
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgs := []ClusterConfig{
		{Name: "env1", Address: srv.URL},
		{Name: "env2", Address: srv.URL},
		{Name: "own", Address: srv.URL, TLS: TLSConfig{CACert: ca}},
	}
	status := func(env string) []error {
		t.Setenv("VAULT_CACERT", env)
		clients, err := NewClients(cfgs, ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for _, cl := range clients {
			_, err := cl.Status(context.Background())
			errs = append(errs, err)
		}
		return errs
	}
	for i, err := range status(ca) {
		if err != nil {
			t.Errorf("VAULT_CACERT set: %s: %v", cfgs[i].Name, err)
		}
	}
	errs := status("")
	checkClass(t, "env1 without VAULT_CACERT", errs[0], ErrTLS)
	checkClass(t, "env2 without VAULT_CACERT", errs[1], ErrTLS)
	if errs[2] != nil {
		t.Errorf("own ca_file without VAULT_CACERT: %v", errs[2])
	}

	t.Setenv("VAULT_CACERT", ca+".missing")
	_, err := NewClients([]ClusterConfig{{Name: "x", Address: srv.URL}}, ClientOptions{})
	checkClass(t, "NewClients with a missing VAULT_CACERT", err, ErrConfig)
}
