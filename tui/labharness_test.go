package tui

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// The budget tests drive the real dashboard model (Update and View, with
// the test clock and caught timers) over real ops.Clients talking HTTP to a
// simulated lab on loopback. A "cycle" fires every cluster's live poll timer
// at once, runs the reads concurrently as tea.Batch would, and delivers the
// results: one poll of every cluster, in milliseconds and without sleeping.

// labEnv is a lab, the dashboard on it and the clocks of both.
type labEnv struct {
	t     testing.TB
	lab   *sim.Lab
	clk   *testClock
	m     Model
	names []string
	// frames counts cycles; every drawEvery-th one draws a frame (0: all).
	frames, drawEvery int
	readers           map[string]*hangReader
}

// hangReader reads a cluster with its normal client, or with one of a short
// timeout while the cluster hangs: only reads that can never be answered
// wait for a short timeout, and healthy reads are never raced against it.
type hangReader struct {
	normal, short *ops.Client
	hanging       atomic.Bool
}

func (r *hangReader) client() *ops.Client {
	if r.hanging.Load() {
		return r.short
	}
	return r.normal
}

func (r *hangReader) Status(ctx context.Context) (ops.Snapshot, error) {
	return r.client().Status(ctx)
}

func (r *hangReader) StatusAfter(ctx context.Context, prev *ops.Snapshot) (ops.Snapshot, error) {
	return r.client().StatusAfter(ctx, prev)
}

func (r *hangReader) ReadPathsFilters(ctx context.Context, ids []string) []ops.SecondaryFilter {
	return r.client().ReadPathsFilters(ctx, ids)
}

// hang makes the lab hold every request to the cluster (on) or answer
// again (off), switching its reads to the short timeout meanwhile.
func (e *labEnv) hang(name string, on bool) error {
	if err := e.lab.Hang(name, on); err != nil {
		return err
	}
	e.readers[name].hanging.Store(on)
	return nil
}

// clearFaults lifts every fault of the cluster, a hang included.
func (e *labEnv) clearFaults(name string) error {
	if err := e.lab.ClearFaults(name); err != nil {
		return err
	}
	e.readers[name].hanging.Store(false)
	return nil
}

// labEnvOptions tune newLabEnv.
type labEnvOptions struct {
	topology string
	// timeout bounds every read (default 10s): a deadline for a read that
	// should answer, never something a healthy read is expected to beat.
	timeout time.Duration
	// hangTimeout is the timeout of a cluster's reads while labEnv.hang
	// holds it (default 300ms): those reads never get an answer, so the
	// timeout is the only way they end, whatever the machine's load.
	hangTimeout time.Duration
	// addr, when set, replaces a cluster's address and TLS settings (a
	// proxy in front of it); nil keeps the lab's own address.
	addr func(name, labAddr string) (string, ops.TLSConfig)
}

// newLabEnv starts a lab on a manual clock (simulated time moves only when
// a cycle advances it) with background writes, so primaries' WALs move from
// one poll to the next.
func newLabEnv(t testing.TB, o labEnvOptions) *labEnv {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 10 * time.Second
	}
	if o.hangTimeout == 0 {
		o.hangTimeout = 300 * time.Millisecond
	}
	// Both clocks start at the real time and a cycle moves both, so the
	// heartbeat ages the panes show (now minus last_heartbeat) are what a
	// live lab would show, not months.
	start := time.Now()
	lab := simtest.Start(t, sim.Options{Topology: o.topology, Seed: 42, Clock: sim.NewManualClock(start), WriteRate: 5})
	// The dashboard's clock starts at the real time: snapshots carry the
	// client's real fetch time, and data ages are measured against it.
	e := &labEnv{t: t, lab: lab, clk: &testClock{now: start}, readers: map[string]*hangReader{}}
	var specs []ClusterSpec
	for _, ci := range lab.Clusters() {
		addr, tlsCfg := ci.Addr, ops.TLSConfig{}
		if o.addr != nil {
			addr, tlsCfg = o.addr(ci.Name, ci.Addr)
		}
		cfg := ops.ClusterConfig{Name: ci.Name, Address: addr, TLS: tlsCfg, Token: ops.TokenSource{Inline: ci.Token}}
		normal, err := ops.NewClient(cfg, ops.ClientOptions{Timeout: o.timeout})
		if err != nil {
			t.Fatal(err)
		}
		short, err := ops.NewClient(cfg, ops.ClientOptions{Timeout: o.hangTimeout})
		if err != nil {
			t.Fatal(err)
		}
		r := &hangReader{normal: normal, short: short}
		e.readers[ci.Name] = r
		specs = append(specs, ClusterSpec{Name: ci.Name, Address: addr, Reader: r})
		e.names = append(e.names, ci.Name)
	}
	e.m = newTestModel(specs, e.clk, 160, 48, func(d *Deps) { d.Timeout = o.timeout })
	e.m, _, _ = run(e.m, e.m.Init())
	return e
}

// cycle moves both clocks on by one interval and polls every cluster that
// has no read in flight, as if its live timer had fired. The 1 s clock
// ticks of the interval are delivered too: they must never poll.
func (e *labEnv) cycle() {
	e.t.Helper()
	interval := e.m.deps.Interval
	e.lab.Advance(interval)
	for range int(interval / time.Second) {
		e.clk.Advance(time.Second)
		e.m = send(e.m, clockMsg{})
	}
	var cmds []tea.Cmd
	for i := range e.m.clusters {
		c := &e.m.clusters[i]
		if c.inFlight {
			continue
		}
		nm, cmd := e.m.Update(pollDueMsg{id: ClusterID(i), gen: c.gen})
		e.m = nm.(Model)
		cmds = append(cmds, cmd)
	}
	msgs := make([]tea.Msg, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		if cmd == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs[i] = cmd()
		}()
	}
	wg.Wait()
	for _, msg := range msgs {
		if msg == nil {
			continue
		}
		var quit bool
		e.m, _, quit = run(e.m, func() tea.Msg { return msg })
		if quit {
			e.t.Fatal("the dashboard quit by itself")
		}
	}
	e.frames++
	if e.drawEvery > 0 && e.frames%e.drawEvery != 0 {
		return
	}
	if v := e.m.View(); !strings.Contains(ansi.Strip(v), "reachable") {
		e.t.Fatalf("frame without a header:\n%s", ansi.Strip(v))
	}
}

// id is a cluster's index by name.
func (e *labEnv) id(name string) ClusterID {
	e.t.Helper()
	id, ok := e.m.byName[name]
	if !ok {
		e.t.Fatalf("no cluster %s", name)
	}
	return id
}

// pane is one cluster's pane as plain text, wide enough that no message
// is cut.
func (e *labEnv) pane(name string) string {
	return ansi.Strip(strings.Join(e.m.paneView(e.id(name), 0, 150, 24, false, e.clk.Now(), nil), "\n"))
}

// faultProxy stands in front of one lab cluster: it forwards to the lab
// unless a canned fault answers instead, and it can serve TLS with a
// certificate the client trusts or one it does not. It serves the bad
// responses the lab cannot (an invalid-token 403 and a DR-secondary 400
// on the status paths, a 50 MB body without Content-Length) and the TLS
// the lab does not speak.
type faultProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	fault http.HandlerFunc
	// TLS only: the certificate presented, trusted unless untrusted.
	trusted, untrusted tls.Certificate
	mismatch           bool
	caFile             string
}

func newFaultProxy(t testing.TB, target string, useTLS bool) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		f := p.fault
		p.mu.Unlock()
		if f != nil {
			f(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	// Failed handshakes are the point of the TLS case; keep them quiet.
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		dir := t.TempDir()
		p.trusted = selfSigned(t)
		p.untrusted = selfSigned(t)
		p.caFile = filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.trusted.Certificate[0]}), 0o600); err != nil {
			t.Fatal(err)
		}
		// GetConfigForClient, not GetCertificate: StartTLS fills in
		// Certificates, and those win over GetCertificate without SNI.
		p.srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			cert := p.trusted
			if p.mismatch {
				cert = p.untrusted
			}
			return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
		}}
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	t.Cleanup(p.srv.Close)
	return p
}

// set installs a canned answer (nil: forward again).
func (p *faultProxy) set(f http.HandlerFunc) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

// setMismatch switches to the untrusted certificate (or back) and drops
// open connections, so the next request makes a new handshake.
func (p *faultProxy) setMismatch(on bool) {
	p.mu.Lock()
	p.mismatch = on
	p.mu.Unlock()
	p.srv.CloseClientConnections()
}

// vaultError answers with Vault's error envelope.
func vaultError(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// chunkedHuge streams 50 MB without a Content-Length: only reading stops it.
func chunkedHuge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	chunk := []byte(`{"data":{"padding":"` + strings.Repeat("A", 32<<10))
	for sent := 0; sent < 50<<20; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
			return
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 signed by itself.
func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "vaultrepl test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
