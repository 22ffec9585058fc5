package sim

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// A TLS lab serves HTTPS that the vault client verifies with the lab's CA
// (VAULT_CACERT), refuses a client that does not trust it, and activates a
// secondary over HTTPS (the secondary unwraps at its primary).
func TestTLSLab(t *testing.T) {
	l := startLabOpts(t, Options{Topology: "fresh", TLS: true})
	state := filepath.Join(t.TempDir(), "lab.json")
	if err := l.WriteStateFile(state); err != nil {
		t.Fatal(err)
	}
	st, err := ReadStateFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if st.CACert != CACertFile(state) || !strings.HasPrefix(st.Clusters[0].Addr, "https://127.0.0.1:") {
		t.Fatalf("state file: ca_cert %q, addr %q", st.CACert, st.Clusters[0].Addr)
	}
	pemBytes, err := os.ReadFile(st.CACert)
	if err != nil || string(pemBytes) != string(l.CACertPEM()) {
		t.Fatalf("CA file: %v", err)
	}

	tlsClient := func(c ClusterInfo) *api.Client {
		cfg := api.DefaultConfig()
		cfg.Address, cfg.MaxRetries = c.Addr, 0
		if err := cfg.ConfigureTLS(&api.TLSConfig{CACert: st.CACert}); err != nil {
			t.Fatal(err)
		}
		cl, err := api.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cl.SetToken(c.Token)
		t.Cleanup(func() { cfg.HttpClient.CloseIdleConnections() })
		return cl
	}
	a, b := tlsClient(st.Clusters[0]), tlsClient(st.Clusters[1])
	ctx := context.Background()
	if h, err := a.Sys().HealthWithContext(ctx); err != nil || !h.Initialized {
		t.Fatalf("health over HTTPS: %+v %v", h, err)
	}

	// Without the CA the certificate is not trusted.
	plain := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	_, err = plain.Get(st.Clusters[0].Addr + "/v1/sys/health")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("a client without the lab's CA: %v, want an unknown-authority error", err)
	}

	// Performance replication over HTTPS, as a trainee runs it.
	if _, err := a.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "the primary is up", func() bool {
		_, err := a.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": st.Clusters[1].Name})
		return err == nil
	})
	s, err := a.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": st.Clusters[1].Name + "-2"})
	if err != nil || s.WrapInfo == nil {
		t.Fatalf("secondary-token: %v", err)
	}
	if _, err := b.Logical().Write("sys/replication/performance/secondary/enable", map[string]any{"token": s.WrapInfo.Token}); err != nil {
		t.Fatalf("secondary enable over HTTPS (unwrap at the primary): %v", err)
	}
	advanceUntil(t, l, 5*time.Minute, "the secondary streams", func() bool {
		return perfStatusState(l, st.Clusters[1].Name) == "stream-wals"
	})
}

// perfStatusState reads a cluster's performance state from the model.
func perfStatusState(l *Lab, name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byName[name].perf.state
}
