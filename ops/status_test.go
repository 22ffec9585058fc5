package ops

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
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

const (
	pathHealth      = "/v1/sys/health"
	pathReplication = "/v1/sys/replication/status"
)

func statusServer(t *testing.T, health, repl http.HandlerFunc) *fakeVault {
	return newFakeVault(t, map[string]http.HandlerFunc{pathHealth: health, pathReplication: repl})
}

func TestStatusShapes(t *testing.T) {
	big := []byte(`{"errors":["` + strings.Repeat("x", 10000) + `"]}`)
	tests := []struct {
		name       string
		health     http.HandlerFunc
		repl       http.HandlerFunc
		wantErr    ErrorClass // of Status itself; ErrUnknownClass = nil
		healthErr  ErrorClass // ErrUnknownClass = read
		replErr    ErrorClass
		check      func(t *testing.T, s Snapshot)
		wantStatus int // StatusCode of the error checked, when non-zero
	}{
		{name: "primary both types",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, fixture(t, "status_primary_both.json")),
			check: func(t *testing.T, s Snapshot) {
				if s.Replication.Performance.Mode != ModePrimary || s.Replication.DR.Mode != ModePrimary || s.Edition() != EditionEnterprise {
					t.Errorf("%+v", s.Replication)
				}
			}},
		{name: "performance secondary",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, fixture(t, "status_perf_secondary.json")),
			check: func(t *testing.T, s Snapshot) {
				if s.Replication.Performance.State != StateStreamWALs {
					t.Errorf("%+v", s.Replication.Performance)
				}
			}},
		{name: "DR secondary (health 299 with overrides)",
			health: respond(299, fixture(t, "health_dr_secondary.json")), repl: respond(200, fixture(t, "status_dr_secondary.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Health.DRSecondary() || s.Replication.DR.Mode != ModeSecondary {
					t.Errorf("%+v %+v", s.Health, s.Replication.DR)
				}
			}},
		{name: "DR secondary, overrides ignored (472)",
			health: respond(472, fixture(t, "health_dr_secondary.json")), repl: respond(200, fixture(t, "status_dr_secondary.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Health.DRSecondary() {
					t.Errorf("%+v", s.Health)
				}
			}},
		{name: "sealed",
			health: respond(299, fixture(t, "health_sealed.json")), repl: respond(503, fixture(t, "error_sealed.json")),
			replErr: ErrSealed, wantStatus: 503,
			check: func(t *testing.T, s Snapshot) {
				if !s.Health.Sealed || s.Replication != nil {
					t.Errorf("%+v", s)
				}
			}},
		{name: "sealed, overrides ignored (503 health)",
			health: respond(503, fixture(t, "health_sealed.json")), repl: respond(503, fixture(t, "error_sealed.json")),
			replErr: ErrSealed},
		{name: "standby (429 health)",
			health: respond(429, fixture(t, "health_standby.json")), repl: respond(200, fixture(t, "status_primary_both.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Health.Standby {
					t.Errorf("%+v", s.Health)
				}
			}},
		{name: "performance standby (473 health)",
			health: respond(473, fixture(t, "health_perf_standby.json")), repl: respond(200, fixture(t, "status_perf_secondary.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Health.PerformanceStandby {
					t.Errorf("%+v", s.Health)
				}
			}},
		{name: "community edition",
			health: respond(200, fixture(t, "health_ce.json")), repl: respond(200, fixture(t, "status_ce.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Replication.CommunityEdition || s.Edition() != EditionCommunity {
					t.Errorf("%+v", s.Replication)
				}
			}},
		{name: "community edition answering 404 enterprise-only",
			health: respond(200, fixture(t, "health_ce.json")), repl: respond(404, fixture(t, "error_enterprise_only.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Replication.CommunityEdition || s.Replication.Performance.Mode != ModeDisabled {
					t.Errorf("%+v", s.Replication)
				}
			}},
		{name: "unsupported licence",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, fixture(t, "status_unsupported.json")),
			check: func(t *testing.T, s Snapshot) {
				if !s.Replication.Unsupported {
					t.Errorf("%+v", s.Replication)
				}
			}},
		{name: "bootstrapping",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, fixture(t, "status_bootstrapping.json")),
			check: func(t *testing.T, s Snapshot) {
				if s.Replication.Performance.Mode != ModeBootstrapping {
					t.Errorf("%+v", s.Replication)
				}
			}},
		{name: "status endpoints disabled on the listener",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(404, fixture(t, "error_disabled_path.json")),
			replErr: ErrStatusDisabled, wantStatus: 404},
		{name: "permission denied",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(403, fixture(t, "error_permission_denied.json")),
			replErr: ErrPermissionDenied, wantStatus: 403},
		{name: "permission denied, pre-1.17 multierror",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(403, fixture(t, "error_permission_denied_old.json")),
			replErr: ErrPermissionDenied},
		{name: "invalid token, 1.17+ multierror",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(403, fixture(t, "error_invalid_token.json")),
			replErr: ErrInvalidToken,
			check: func(t *testing.T, s Snapshot) {
				var e *Error
				if !errors.As(s.ReplicationErr, &e) || strings.Join(e.Messages, "|") != "permission denied|invalid token" {
					t.Errorf("messages %+v", s.ReplicationErr)
				}
			}},
		{name: "server error on both",
			health: respond(500, []byte(`{"errors":["internal error"]}`)), repl: respond(500, []byte(`{"errors":["internal error"]}`)),
			wantErr: ErrServer, healthErr: ErrServer, replErr: ErrServer, wantStatus: 500},
		{name: "bad gateway HTML",
			health: respond(502, []byte("<html><body>502 Bad Gateway</body></html>")), repl: respond(502, []byte("<html>\n502</html>")),
			wantErr: ErrServer, healthErr: ErrServer, replErr: ErrServer},
		{name: "rate limited",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(429, []byte(`{"errors":["request path \"sys/replication/status\": rate limit quota exceeded"]}`)),
			replErr: ErrRateLimited, wantStatus: 429},
		{name: "412 not caught up",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(412, fixture(t, "error_index_state.json")),
			replErr: ErrNotCaughtUp, wantStatus: 412},
		{name: "malformed JSON",
			health: respond(200, []byte(`<html>hello</html>`)), repl: respond(200, []byte(`not json`)),
			wantErr: ErrMalformed, healthErr: ErrMalformed, replErr: ErrMalformed},
		{name: "truncated JSON",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, fixture(t, "status_primary_both.json")[:300]),
			replErr: ErrMalformed,
			check: func(t *testing.T, s Snapshot) {
				if !strings.Contains(s.ReplicationErr.Error(), "truncated") {
					t.Errorf("%v", s.ReplicationErr)
				}
			}},
		{name: "body cut off before Content-Length",
			health: respond(200, fixture(t, "health_active.json")), repl: cutOff(fixture(t, "status_primary_both.json")),
			replErr: ErrMalformed,
			check: func(t *testing.T, s Snapshot) {
				if !strings.Contains(s.ReplicationErr.Error(), "cut off") {
					t.Errorf("%v", s.ReplicationErr)
				}
			}},
		{name: "oversized body (Content-Length)",
			health: respond(200, fixture(t, "health_active.json")), repl: respond(200, padJSON(16384)),
			replErr: ErrTooLarge},
		{name: "oversized body (chunked)",
			health: respond(200, fixture(t, "health_active.json")), repl: chunked(padJSON(16384)),
			replErr: ErrTooLarge},
		{name: "oversized error body",
			health: respond(500, big), repl: respond(500, big),
			wantErr: ErrTooLarge, healthErr: ErrTooLarge, replErr: ErrTooLarge, wantStatus: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fv := statusServer(t, tt.health, tt.repl)
			c := testClient(t, fv.URL, ClientOptions{MaxBodyBytes: 8192})
			snap, err := c.Status(context.Background())
			checkClass(t, "Status", err, tt.wantErr)
			checkClass(t, "HealthErr", snap.HealthErr, tt.healthErr)
			checkClass(t, "ReplicationErr", snap.ReplicationErr, tt.replErr)
			if tt.healthErr == ErrUnknownClass && snap.Health == nil {
				t.Errorf("health not read")
			}
			if tt.replErr == ErrUnknownClass && snap.Replication == nil {
				t.Errorf("replication not read")
			}
			if tt.wantStatus != 0 {
				var e *Error
				target := snap.ReplicationErr
				if !errors.As(target, &e) || e.StatusCode != tt.wantStatus {
					t.Errorf("status code: %+v", target)
				}
			}
			for _, e := range []error{err, snap.HealthErr, snap.ReplicationErr} {
				checkOpsError(t, e)
			}
			if tt.check != nil {
				tt.check(t, snap)
			}
		})
	}
}

func checkClass(t *testing.T, what string, err error, want ErrorClass) {
	t.Helper()
	if want == ErrUnknownClass {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	if got := ClassOf(err); got != want {
		t.Errorf("%s: class %v, want %v (%v)", what, got, want, err)
	}
}

// checkOpsError checks the error contract: an *Error with Op and Cluster,
// no token, no URL.
func checkOpsError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("not an *ops.Error: %T %v", err, err)
		return
	}
	if e.Op == "" || e.Cluster == "" {
		t.Errorf("missing op/cluster: %+v", e)
	}
	if msg := err.Error(); strings.Contains(msg, testToken) || strings.Contains(msg, "http://127.0.0.1") {
		t.Errorf("error text leaks token or URL: %q", msg)
	}
}

// cutOff declares more bytes than it sends, so the client sees the body end early.
func cutOff(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		w.WriteHeader(200)
		_, _ = w.Write(body[:len(body)/2])
	}
}

// chunked streams the body without a Content-Length.
func chunked(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
		for i := 0; i < len(body); i += 512 {
			_, _ = w.Write(body[i:min(i+512, len(body))])
			w.(http.Flusher).Flush()
		}
	}
}

// padJSON is a valid status body of at least n bytes.
func padJSON(n int) []byte {
	return []byte(`{"data":{"dr":{"mode":"disabled"},"performance":{"mode":"disabled"},"pad":"` + strings.Repeat("p", n) + `"}}`)
}

func TestStatusRequests(t *testing.T) {
	t.Setenv("VAULT_NAMESPACE", "from-env")
	t.Setenv("VAULT_WRAP_TTL", "5m")
	t.Setenv("VAULT_TOKEN", "hvs.fromTheEnvironmentShouldNotBeUsed")
	fv := statusServer(t, respond(200, fixture(t, "health_active.json")), respond(200, fixture(t, "status_primary_both.json")))
	c := testClient(t, fv.URL, ClientOptions{}, func(cc *ClusterConfig) { cc.Namespace = "team-a" })
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := fv.recorded()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s", r.Method, r.Path)
		}
		if ns := r.Header.Get("X-Vault-Namespace"); ns != "" {
			t.Errorf("%s sent namespace %q: replication is root-namespace only", r.Path, ns)
		}
		if w := r.Header.Get("X-Vault-Wrap-TTL"); w != "" {
			t.Errorf("%s asked for wrapping %q", r.Path, w)
		}
		if tok := r.Header.Get("X-Vault-Token"); tok != testToken {
			t.Errorf("%s token %q", r.Path, tok)
		}
		if r.Path == pathHealth {
			for _, p := range []string{"uninitcode=299", "sealedcode=299", "standbycode=299", "drsecondarycode=299",
				"performancestandbycode=299", "removedcode=299", "haunhealthycode=299"} {
				if !strings.Contains(r.RawQuery, p) {
					t.Errorf("health query %q lacks %s", r.RawQuery, p)
				}
			}
		}
	}
}

// The two reads run concurrently: health does not answer until the
// replication request has arrived, which a sequential client would never do.
func TestStatusReadsConcurrently(t *testing.T) {
	arrived := make(chan struct{})
	health := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-arrived:
			respond(200, fixture(t, "health_active.json"))(w, r)
		case <-r.Context().Done():
		}
	}
	repl := func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		respond(200, fixture(t, "status_primary_both.json"))(w, r)
	}
	fv := statusServer(t, health, repl)
	c := testClient(t, fv.URL, ClientOptions{Timeout: time.Minute})
	snap, err := c.Status(context.Background())
	if err != nil || snap.Health == nil || snap.Replication == nil {
		t.Fatalf("%v %+v", err, snap)
	}
}

// vault/api retries 5xx, 412 and 429 by itself; vaultrepl turns that off so
// that one read is one request, even with VAULT_MAX_RETRIES set.
func TestStatusSendsOneRequestPerRead(t *testing.T) {
	t.Setenv("VAULT_MAX_RETRIES", "5")
	for _, status := range []int{503, 500, 412, 429} {
		fv := statusServer(t, respond(status, []byte(`{"errors":["boom"]}`)), respond(status, []byte(`{"errors":["boom"]}`)))
		c := testClient(t, fv.URL, ClientOptions{})
		if _, err := c.Status(context.Background()); err == nil {
			t.Fatalf("%d: no error", status)
		}
		if h, r := fv.count(pathHealth), fv.count(pathReplication); h != 1 || r != 1 {
			t.Errorf("%d: %d health and %d replication requests, want 1 each", status, h, r)
		}
	}
}

func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestStatusTimeout(t *testing.T) {
	fv := statusServer(t, hang, hang)
	c := testClient(t, fv.URL, ClientOptions{Timeout: 20 * time.Millisecond})
	snap, err := c.Status(context.Background())
	checkClass(t, "Status", err, ErrTimeout)
	checkClass(t, "HealthErr", snap.HealthErr, ErrTimeout)
	if !strings.Contains(err.Error(), "no complete response within 20ms") {
		t.Errorf("%v", err)
	}
	checkOpsError(t, err)
}

func TestStatusCanceled(t *testing.T) {
	fv := statusServer(t, hang, hang)
	c := testClient(t, fv.URL, ClientOptions{Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Status(ctx)
	checkClass(t, "Status", err, ErrCanceled)
}

// refusedAddr is a loopback address that refuses connections for as long
// as the test runs: a socket bound to a port but never listening holds the
// port (nothing else can bind it) and the kernel answers every connection
// to it with a reset. Closing a listener and dialling its port instead
// would race with anything on the machine that binds a port in between.
func refusedAddr(t testing.TB) string {
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

func TestStatusConnectionRefused(t *testing.T) {
	c := testClient(t, refusedAddr(t), ClientOptions{})
	snap, err := c.Status(context.Background())
	checkClass(t, "Status", err, ErrUnreachable)
	checkClass(t, "HealthErr", snap.HealthErr, ErrUnreachable)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 0 || !strings.Contains(e.Detail(), "connection refused") {
		t.Errorf("%+v", err)
	}
	if strings.Contains(err.Error(), "/v1/") {
		t.Errorf("error repeats the URL: %v", err)
	}
}

func TestStatusTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case pathHealth:
			respond(200, fixture(t, "health_active.json"))(w, r)
		default:
			respond(200, fixture(t, "status_primary_both.json"))(w, r)
		}
	}))
	// The failed handshakes are the point of the test; keep them out of the log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("untrusted", func(t *testing.T) {
		_, err := testClient(t, srv.URL, ClientOptions{}).Status(context.Background())
		checkClass(t, "Status", err, ErrTLS)
	})
	t.Run("ca_cert", func(t *testing.T) {
		c := testClient(t, srv.URL, ClientOptions{}, func(cc *ClusterConfig) { cc.TLS.CACert = caFile })
		if _, err := c.Status(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("VAULT_CACERT", func(t *testing.T) {
		t.Setenv("VAULT_CACERT", caFile)
		if _, err := testClient(t, srv.URL, ClientOptions{}).Status(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("insecure", func(t *testing.T) {
		c := testClient(t, srv.URL, ClientOptions{}, func(cc *ClusterConfig) { cc.TLS.Insecure = true })
		if _, err := c.Status(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("plain HTTP to a TLS port", func(t *testing.T) {
		addr := strings.Replace(srv.URL, "https://", "http://", 1)
		_, err := testClient(t, addr, ClientOptions{}).Status(context.Background())
		checkClass(t, "Status", err, ErrTLS)
		checkHint(t, err, "use an https:// address")
	})
	t.Run("https to a plain HTTP port", func(t *testing.T) {
		plain := httptest.NewServer(http.HandlerFunc(respond(200, fixture(t, "status_primary_both.json"))))
		defer plain.Close()
		addr := strings.Replace(plain.URL, "http://", "https://", 1)
		_, err := testClient(t, addr, ClientOptions{}).Status(context.Background())
		checkClass(t, "Status", err, ErrTLS)
		checkHint(t, err, "use an http:// address")
	})
	t.Run("missing CA file is a config error", func(t *testing.T) {
		_, err := NewClient(ClusterConfig{Name: "x", Address: srv.URL, TLS: TLSConfig{CACert: caFile + ".missing"}}, ClientOptions{})
		checkClass(t, "NewClient", err, ErrConfig)
	})
}

func TestStatusUnauthenticatedWithoutToken(t *testing.T) {
	t.Setenv("VAULT_TOKEN", "hvs.environmentTokenMustNotBeSent")
	fv := statusServer(t, respond(200, fixture(t, "health_active.json")), respond(200, fixture(t, "status_primary_both.json")))
	c, err := NewClient(ClusterConfig{Name: "x", Address: fv.URL}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range fv.recorded() {
		if tok := r.Header.Get("X-Vault-Token"); tok != "" {
			t.Errorf("sent token %q with no token source", tok)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	read := func(body string, max int64, declared bool) (string, error) {
		lb := &limitedBody{rc: io.NopCloser(strings.NewReader(body)), remaining: max, declaredTooBig: declared}
		b, err := io.ReadAll(lb)
		return string(b), err
	}
	if b, err := read("12345", 5, false); err != nil || b != "12345" {
		t.Errorf("exact limit: %q %v", b, err)
	}
	if _, err := read("123456", 5, false); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("over limit: %v", err)
	}
	if _, err := read("1", 5, true); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("declared too big: %v", err)
	}
}

// checkHint asserts err is an *Error whose hint says want.
func checkHint(t *testing.T, err error, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Hint(), want) {
		t.Errorf("hint of %v: want %q", err, want)
	}
}
