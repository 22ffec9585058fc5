package ops

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// These tests hold ops' own HTTP client to what it replaced: vault/api
// (v1.23) configured as Client configured it until it stopped linking
// vault/api (retries off, redirects left to exchange, no client timeout,
// no agent address, the cluster's token and namespace, no wrapping).

// vaultAPIEnv lists vault/api's Env* constants: every one must be a row of
// vaultEnvTable, saying what becomes of it.
var vaultAPIEnv = []string{
	api.EnvVaultAddress, api.EnvVaultAgentAddr, api.EnvVaultCACert, api.EnvVaultCACertBytes,
	api.EnvVaultCAPath, api.EnvVaultClientCert, api.EnvVaultClientKey, api.EnvVaultClientTimeout,
	api.EnvVaultHeaders, api.EnvVaultSRVLookup, api.EnvVaultSkipVerify, api.EnvVaultNamespace,
	api.EnvVaultTLSServerName, api.EnvVaultWrapTTL, api.EnvVaultMaxRetries, api.EnvVaultToken,
	api.EnvVaultMFA, api.EnvRateLimit, api.EnvHTTPProxy, api.EnvVaultProxyAddr, api.EnvVaultDisableRedirects,
}

func TestVaultEnvTableCoversVaultAPI(t *testing.T) {
	var rows []string
	for _, r := range vaultEnvTable {
		if r.applied == "" {
			t.Errorf("%s: the row does not say how it is applied", r.name)
		}
		rows = append(rows, r.name)
	}
	for _, name := range vaultAPIEnv {
		if !slices.Contains(rows, name) {
			t.Errorf("vault/api reads %s, which vaultEnvTable does not list", name)
		}
	}
	for _, name := range rows {
		if !slices.Contains(vaultAPIEnv, name) {
			t.Errorf("vaultEnvTable lists %s, which vault/api does not read", name)
		}
	}
}

// testPKI is a CA, a server certificate for 127.0.0.1 and a client
// certificate, as PEM files.
type testPKI struct {
	caFile, caDir, caPEM    string
	serverCert              tls.Certificate
	clientCert, clientKey   string
	clientCert2, clientKey2 string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vaultrepl test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(serial int64, server bool) ([]byte, []byte) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "vaultrepl test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		if server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := testPKI{caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))}
	p.caFile = write("ca.pem", []byte(p.caPEM))
	p.caDir = filepath.Join(dir, "cas")
	if err := os.Mkdir(p.caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.caDir, "ca.pem"), []byte(p.caPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, sk := issue(2, true)
	if p.serverCert, err = tls.X509KeyPair(sc, sk); err != nil {
		t.Fatal(err)
	}
	cc, ck := issue(3, false)
	p.clientCert, p.clientKey = write("client.pem", cc), write("client-key.pem", ck)
	cc2, ck2 := issue(4, false)
	p.clientCert2, p.clientKey2 = write("client2.pem", cc2), write("client2-key.pem", ck2)
	return p
}

// setVaultEnv clears every variable of the table and sets env.
func setVaultEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, r := range vaultEnvTable {
		t.Setenv(r.name, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// vaultEnvCases is the matrix of environments: each variable alone, valid
// and not, and a few together (the first error must be vault/api's).
func vaultEnvCases(p testPKI) []struct {
	name string
	env  map[string]string
} {
	type envCase = struct {
		name string
		env  map[string]string
	}
	return []envCase{
		{"empty", nil},
		{"CA file", map[string]string{"VAULT_CACERT": p.caFile}},
		{"CA bytes", map[string]string{"VAULT_CACERT_BYTES": p.caPEM}},
		{"CA directory", map[string]string{"VAULT_CAPATH": p.caDir}},
		{"CA file missing", map[string]string{"VAULT_CACERT": p.caFile + ".missing"}},
		{"CA bytes not PEM", map[string]string{"VAULT_CACERT_BYTES": "not a certificate"}},
		{"client cert and key", map[string]string{"VAULT_CLIENT_CERT": p.clientCert, "VAULT_CLIENT_KEY": p.clientKey}},
		{"client cert without key", map[string]string{"VAULT_CLIENT_CERT": p.clientCert}},
		{"client key without cert", map[string]string{"VAULT_CLIENT_KEY": p.clientKey}},
		{"client cert mismatched", map[string]string{"VAULT_CLIENT_CERT": p.clientCert, "VAULT_CLIENT_KEY": p.clientKey2}},
		{"skip verify", map[string]string{"VAULT_SKIP_VERIFY": "true"}},
		{"skip verify 0", map[string]string{"VAULT_SKIP_VERIFY": "0"}},
		{"skip verify bad", map[string]string{"VAULT_SKIP_VERIFY": "yes please"}},
		{"server name", map[string]string{"VAULT_TLS_SERVER_NAME": "vault.internal"}},
		{"http proxy", map[string]string{"VAULT_HTTP_PROXY": "http://proxy-a:3128"}},
		{"proxy addr wins", map[string]string{"VAULT_HTTP_PROXY": "http://proxy-a:3128", "VAULT_PROXY_ADDR": "http://proxy-b:3128"}},
		{"proxy bad", map[string]string{"VAULT_PROXY_ADDR": "://no scheme"}},
		{"rate", map[string]string{"VAULT_RATE_LIMIT": "5"}},
		{"rate and burst", map[string]string{"VAULT_RATE_LIMIT": "2.5:7"}},
		{"rate fraction", map[string]string{"VAULT_RATE_LIMIT": "0.5"}},
		{"rate bad", map[string]string{"VAULT_RATE_LIMIT": "fast"}},
		{"rate bad burst", map[string]string{"VAULT_RATE_LIMIT": "5:x"}},
		{"timeout seconds", map[string]string{"VAULT_CLIENT_TIMEOUT": "10"}},
		{"timeout days", map[string]string{"VAULT_CLIENT_TIMEOUT": "2d"}},
		{"timeout duration", map[string]string{"VAULT_CLIENT_TIMEOUT": "1m30s"}},
		{"timeout bad", map[string]string{"VAULT_CLIENT_TIMEOUT": "soon"}},
		{"timeout bad days", map[string]string{"VAULT_CLIENT_TIMEOUT": "xd"}},
		{"timeout overflow", map[string]string{"VAULT_CLIENT_TIMEOUT": "9223372036854775807"}},
		{"max retries", map[string]string{"VAULT_MAX_RETRIES": "7"}},
		{"max retries bad", map[string]string{"VAULT_MAX_RETRIES": "-1"}},
		{"srv lookup", map[string]string{"VAULT_SRV_LOOKUP": "true"}},
		{"srv lookup bad", map[string]string{"VAULT_SRV_LOOKUP": "maybe"}},
		{"disable redirects", map[string]string{"VAULT_DISABLE_REDIRECTS": "true"}},
		{"disable redirects bad", map[string]string{"VAULT_DISABLE_REDIRECTS": "nah"}},
		{"headers", map[string]string{"VAULT_HEADERS": `{"X-Team":"ops","x-vault-namespace":"env-ns"}`}},
		{"headers bad JSON", map[string]string{"VAULT_HEADERS": `{"X-Team":`}},
		{"headers not strings", map[string]string{"VAULT_HEADERS": `{"X-Count":3}`}},
		{"headers forbidden", map[string]string{"VAULT_HEADERS": `{"X-Vault-Token":"x"}`}},
		{"first error wins", map[string]string{"VAULT_MAX_RETRIES": "x", "VAULT_SKIP_VERIFY": "x", "VAULT_CACERT": "/missing"}},
		{"TLS error before proxy error", map[string]string{"VAULT_CLIENT_CERT": p.clientCert, "VAULT_PROXY_ADDR": "://x"}},
		{"overridden", map[string]string{"VAULT_ADDR": "https://elsewhere:8200", "VAULT_AGENT_ADDR": "http://127.0.0.1:1",
			"VAULT_TOKEN": "hvs.fromtheenvironment", "VAULT_NAMESPACE": "env-ns", "VAULT_WRAP_TTL": "5m", "VAULT_MFA": "x"}},
		{"everything", map[string]string{"VAULT_CACERT": p.caFile, "VAULT_CLIENT_CERT": p.clientCert, "VAULT_CLIENT_KEY": p.clientKey,
			"VAULT_SKIP_VERIFY": "1", "VAULT_TLS_SERVER_NAME": "vault.internal", "VAULT_PROXY_ADDR": "http://proxy-b:3128",
			"VAULT_RATE_LIMIT": "3:4", "VAULT_SRV_LOOKUP": "true", "VAULT_MAX_RETRIES": "2", "VAULT_CLIENT_TIMEOUT": "3s"}},
	}
}

// apiEnvError is the error vault/api reports for the environment and the
// step Client reported it under, or nil.
func apiEnvError() (op string, err error) {
	conf := api.DefaultConfig()
	if conf.Error != nil {
		return "read VAULT_* environment", conf.Error
	}
	if _, err := api.NewClient(conf); err != nil {
		return "configure client", err
	}
	return "", nil
}

func TestVaultEnvMatchesDefaultConfig(t *testing.T) {
	p := newTestPKI(t)
	for _, tc := range vaultEnvCases(p) {
		t.Run(tc.name, func(t *testing.T) {
			setVaultEnv(t, tc.env)
			wantOp, wantErr := apiEnvError()
			env, err := readVaultEnv()
			if !sameEnvError(t, wantOp, wantErr, err) || err != nil {
				return
			}
			want := api.DefaultConfig()
			compareTransports(t, want.HttpClient.Transport.(*http.Transport), env.newTransport())
			compareLimiters(t, want, env)
			if want.SRVLookup != env.srvLookup {
				t.Errorf("SRV lookup %v, vault/api %v", env.srvLookup, want.SRVLookup)
			}
		})
	}
}

// sameEnvError compares readVaultEnv's error with vault/api's; it reports
// whether they agree.
func sameEnvError(t *testing.T, wantOp string, wantErr, got error) bool {
	t.Helper()
	var ee *envError
	switch {
	case wantErr == nil && got == nil:
		return true
	case wantErr == nil:
		t.Errorf("error %v; vault/api accepts this environment", got)
	case got == nil:
		t.Errorf("no error; vault/api reports %q (%s)", wantErr, wantOp)
	case !errors.As(got, &ee):
		t.Errorf("error %T %v, not an *envError", got, got)
	case ee.op != wantOp || ee.err.Error() != wantErr.Error():
		t.Errorf("error %s: %q; vault/api: %s: %q", ee.op, ee.err, wantOp, wantErr)
	default:
		return true
	}
	return false
}

func compareTransports(t *testing.T, want, got *http.Transport) {
	t.Helper()
	type knobs struct {
		TLSHandshakeTimeout, IdleConnTimeout, ExpectContinueTimeout time.Duration
		MaxIdleConns, MaxIdleConnsPerHost, MaxConnsPerHost          int
		ForceAttemptHTTP2, DisableKeepAlives, DisableCompression    bool
	}
	knobsOf := func(tr *http.Transport) knobs {
		return knobs{tr.TLSHandshakeTimeout, tr.IdleConnTimeout, tr.ExpectContinueTimeout,
			tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost,
			tr.ForceAttemptHTTP2, tr.DisableKeepAlives, tr.DisableCompression}
	}
	if w, g := knobsOf(want), knobsOf(got); w != g {
		t.Errorf("transport %+v, vault/api %+v", g, w)
	}
	compareTLS(t, want.TLSClientConfig, got.TLSClientConfig)
	req := httptest.NewRequest("GET", "https://vault.example:8200/v1/sys/health", nil)
	wp, werr := want.Proxy(req)
	gp, gerr := got.Proxy(req)
	shown := func(u *url.URL) string {
		if u == nil {
			return "direct"
		}
		return u.String()
	}
	if shown(wp) != shown(gp) || (werr == nil) != (gerr == nil) {
		t.Errorf("proxy %v (%v), vault/api %v (%v)", gp, gerr, wp, werr)
	}
}

func compareTLS(t *testing.T, want, got *tls.Config) {
	t.Helper()
	if want.MinVersion != got.MinVersion || want.MaxVersion != got.MaxVersion {
		t.Errorf("TLS versions %x–%x, vault/api %x–%x", got.MinVersion, got.MaxVersion, want.MinVersion, want.MaxVersion)
	}
	if !slices.Equal(want.NextProtos, got.NextProtos) {
		t.Errorf("ALPN %q, vault/api %q", got.NextProtos, want.NextProtos)
	}
	if want.InsecureSkipVerify != got.InsecureSkipVerify || want.ServerName != got.ServerName {
		t.Errorf("skip verify %v, server name %q; vault/api %v, %q", got.InsecureSkipVerify, got.ServerName,
			want.InsecureSkipVerify, want.ServerName)
	}
	if (want.RootCAs == nil) != (got.RootCAs == nil) || want.RootCAs != nil && !want.RootCAs.Equal(got.RootCAs) {
		t.Errorf("root CAs differ from vault/api's (nil: %v, vault/api's nil: %v)", got.RootCAs == nil, want.RootCAs == nil)
	}
	if (want.GetClientCertificate == nil) != (got.GetClientCertificate == nil) {
		t.Fatalf("client certificate set: %v, vault/api: %v", got.GetClientCertificate != nil, want.GetClientCertificate != nil)
	}
	if want.GetClientCertificate != nil {
		wc, _ := want.GetClientCertificate(&tls.CertificateRequestInfo{})
		gc, _ := got.GetClientCertificate(&tls.CertificateRequestInfo{})
		if !slices.EqualFunc(wc.Certificate, gc.Certificate, bytes.Equal) {
			t.Error("the client certificate offered differs from vault/api's")
		}
	}
	if len(want.Certificates) != len(got.Certificates) || want.ClientAuth != got.ClientAuth {
		t.Errorf("certificates %d, vault/api %d", len(got.Certificates), len(want.Certificates))
	}
}

func compareLimiters(t *testing.T, want *api.Config, env *vaultEnv) {
	t.Helper()
	got := env.newLimiter()
	switch {
	case (want.Limiter == nil) != (got == nil):
		t.Errorf("rate limiter %v, vault/api's %v", got != nil, want.Limiter != nil)
	case got != nil && (got.Limit() != want.Limiter.Limit() || got.Burst() != want.Limiter.Burst()):
		t.Errorf("rate %v burst %d, vault/api %v burst %d", got.Limit(), got.Burst(), want.Limiter.Limit(), want.Limiter.Burst())
	}
}

// A cluster's TLS settings apply over the environment's as ConfigureTLS
// applied them over api.DefaultConfig's.
func TestClusterTLSMatchesConfigureTLS(t *testing.T) {
	p := newTestPKI(t)
	cases := []struct {
		name    string
		env     map[string]string
		cluster TLSConfig
	}{
		{"CA over nothing", nil, TLSConfig{CACert: p.caFile}},
		{"CA directory", nil, TLSConfig{CAPath: p.caDir}},
		{"CA over the environment's bytes", map[string]string{"VAULT_CACERT_BYTES": p.caPEM}, TLSConfig{CACert: p.caFile}},
		{"client cert over the environment's", map[string]string{"VAULT_CLIENT_CERT": p.clientCert, "VAULT_CLIENT_KEY": p.clientKey},
			TLSConfig{ClientCert: p.clientCert2, ClientKey: p.clientKey2}},
		{"environment's client cert kept", map[string]string{"VAULT_CLIENT_CERT": p.clientCert, "VAULT_CLIENT_KEY": p.clientKey},
			TLSConfig{ServerName: "vault.internal"}},
		{"environment's skip verify kept", map[string]string{"VAULT_SKIP_VERIFY": "true"}, TLSConfig{CACert: p.caFile}},
		{"skip verify", nil, TLSConfig{Insecure: true}},
		{"server name over the environment's", map[string]string{"VAULT_TLS_SERVER_NAME": "a.internal"}, TLSConfig{ServerName: "b.internal"}},
		{"client cert without key", nil, TLSConfig{ClientCert: p.clientCert}},
		{"CA missing", nil, TLSConfig{CACert: p.caFile + ".missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setVaultEnv(t, tc.env)
			want := api.DefaultConfig()
			if want.Error != nil {
				t.Fatal(want.Error)
			}
			wantErr := want.ConfigureTLS(&api.TLSConfig{CACert: tc.cluster.CACert, CAPath: tc.cluster.CAPath,
				ClientCert: tc.cluster.ClientCert, ClientKey: tc.cluster.ClientKey,
				TLSServerName: tc.cluster.ServerName, Insecure: tc.cluster.Insecure})
			for _, shared := range []bool{false, true} {
				cfg := ClusterConfig{Name: "c", Address: "https://127.0.0.1:8200", TLS: tc.cluster}
				var c *Client
				var err error
				if shared {
					var cs []*Client
					if cs, err = NewClients([]ClusterConfig{cfg}, ClientOptions{}); err == nil {
						c = cs[0]
					}
				} else {
					c, err = NewClient(cfg, ClientOptions{})
				}
				if wantErr != nil {
					if ClassOf(err) != ErrConfig || !strings.Contains(err.Error(), wantErr.Error()) {
						t.Errorf("shared %v: error %v; vault/api: %v", shared, err, wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("shared %v: %v", shared, err)
				}
				compareTransports(t, want.HttpClient.Transport.(*http.Transport), baseTransport(t, c))
			}
		})
	}
}

// baseTransport is the *http.Transport under c's origin guard and body limit.
func baseTransport(t *testing.T, c *Client) *http.Transport {
	t.Helper()
	g, ok := c.http.Transport.(*originGuard)
	if !ok {
		t.Fatalf("transport %T, not the origin guard", c.http.Transport)
	}
	l, ok := g.next.(*limitTransport)
	if !ok {
		t.Fatalf("under the guard %T, not the body limit", g.next)
	}
	tr, ok := l.base.(*http.Transport)
	if !ok {
		t.Fatalf("under the body limit %T, not an *http.Transport", l.base)
	}
	return tr
}

// NewClients shares one transport among the clusters without TLS settings
// of their own (with no overall idle limit), as it did with vault/api.
func TestNewClientsSharesTransport(t *testing.T) {
	setVaultEnv(t, nil)
	cs, err := NewClients([]ClusterConfig{
		{Name: "a", Address: "https://127.0.0.1:8200"},
		{Name: "b", Address: "https://127.0.0.1:8201", Namespace: "team"},
		{Name: "c", Address: "https://127.0.0.1:8202", TLS: TLSConfig{ServerName: "c.internal"}},
	}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := baseTransport(t, cs[0]), baseTransport(t, cs[1]), baseTransport(t, cs[2])
	if a != b || a == c {
		t.Errorf("a and b share: %v (want true); a and c share: %v (want false)", a == b, a == c)
	}
	if a.MaxIdleConns != 0 || c.MaxIdleConns != 100 {
		t.Errorf("idle limits %d (shared) and %d (own), want 0 and cleanhttp's 100", a.MaxIdleConns, c.MaxIdleConns)
	}
}

// seenRequest is what a server saw of one request.
type seenRequest struct {
	Method, Path, RawPath, Query, Host, Proto string
	Header                                    http.Header
	Body                                      string
	ContentLength                             int64
}

// recorder is a server recording every request; a path ending in
// "/moved" is redirected (307) to the same path without it, with a query,
// and one ending in "/away" to the same path on the origin away.
type recorder struct {
	mu   sync.Mutex
	seen []seenRequest
	away string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.seen = append(rc.seen, seenRequest{r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.Host, r.Proto,
		r.Header.Clone(), string(body), r.ContentLength})
	rc.mu.Unlock()
	if p, ok := strings.CutSuffix(r.URL.Path, "/moved"); ok {
		w.Header().Set("Location", p+"?from=redirect")
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if p, ok := strings.CutSuffix(r.URL.Path, "/away"); ok {
		w.Header().Set("Location", rc.away+p)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/fail") {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errors":["boom"]}`)
		return
	}
	io.WriteString(w, `{"ok":true}`)
}

func (rc *recorder) take() []seenRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := rc.seen
	rc.seen = nil
	return s
}

// viaVaultAPI sends rq as Client.exchange sent it through vault/api,
// following one same-origin redirect as it did.
func viaVaultAPI(t *testing.T, cfg ClusterConfig, token string, rq request) {
	t.Helper()
	conf := api.DefaultConfig()
	if conf.Error != nil {
		t.Fatal(conf.Error)
	}
	conf.Address = cfg.Address
	conf.AgentAddress = ""
	conf.DisableRedirects = true
	conf.MaxRetries = 0
	conf.CheckRetry = func(context.Context, *http.Response, error) (bool, error) { return false, nil }
	conf.Timeout = 0
	if !cfg.TLS.IsZero() {
		if err := conf.ConfigureTLS(&api.TLSConfig{CACert: cfg.TLS.CACert}); err != nil {
			t.Fatal(err)
		}
	}
	conf.HttpClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ac, err := api.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	ac.SetToken(token)
	if rq.ns && cfg.Namespace != "" {
		ac.SetNamespace(cfg.Namespace)
	} else {
		ac.ClearNamespace()
	}
	r := ac.NewRequest(rq.method, "/v1/"+rq.path)
	r.WrapTTL = ""
	if rq.noToken {
		r.ClientToken = ""
	}
	if rq.query != nil {
		r.Params = rq.query
	}
	if rq.body != nil {
		if err := r.SetJSONBody(rq.body); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	//lint:ignore SA1019 the entry point the vault/api-based Client used.
	resp, err := ac.RawRequestWithContext(ctx, r)
	if err == nil && followedRedirect(resp.StatusCode) {
		loc, lerr := resp.Location()
		resp.Body.Close()
		if lerr != nil {
			t.Fatal(lerr)
		}
		r.URL = loc
		if err := r.ResetJSONBody(); err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1019 as above.
		resp, err = ac.RawRequestWithContext(ctx, r)
	}
	var respErr *api.ResponseError
	if err != nil && !errors.As(err, &respErr) {
		t.Fatalf("vault/api: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// The requests Client sends are byte for byte (method, path, query, Host,
// headers, body, protocol) what vault/api sent, under environments that
// change them or must not.
func TestRequestsMatchVaultAPI(t *testing.T) {
	p := newTestPKI(t)
	rc := &recorder{}
	plain := httptest.NewServer(rc)
	t.Cleanup(plain.Close)
	other := httptest.NewServer(rc)
	t.Cleanup(other.Close)
	rc.away = other.URL
	secure := httptest.NewUnstartedServer(rc)
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{p.serverCert}}
	secure.EnableHTTP2 = true
	secure.StartTLS()
	t.Cleanup(secure.Close)

	requests := []request{
		{op: "health", method: "GET", path: "sys/health", query: url.Values{"standbyok": {"true"}, "perfstandbyok": {"true"}}},
		{op: "status", method: "GET", path: "sys/replication/status"},
		{op: "list", method: "LIST", path: "sys/auth/", ns: true},
		{op: "write", method: "PUT", path: "sys/replication/performance/primary/enable", write: true,
			body: map[string]any{"primary_cluster_addr": "https://a:8201", "n": 3}},
		{op: "empty write", method: "POST", path: "sys/replication/dr/primary/demote", write: true},
		{op: "login", method: "PUT", path: "auth/userpass/login/ops", ns: true, noToken: true,
			body: map[string]any{"password": "s3cret"}},
		{op: "escaped", method: "GET", path: "sys/mounts/a%2Fb c", ns: true},
		{op: "redirected", method: "PUT", path: "sys/replication/status/moved", body: map[string]any{"x": "y"}},
		// vault/api keeps the Host header of the address on a redirect to
		// another origin (it sets the URL only); so does Client.
		{op: "redirected to a redirect host", method: "GET", path: "sys/replication/status/away"},
		{op: "error status", method: "GET", path: "sys/fail"},
	}
	clusters := []struct {
		name string
		cfg  ClusterConfig
	}{
		{"http", ClusterConfig{Name: "a", Address: plain.URL, RedirectHosts: []string{other.URL}}},
		{"http with path and namespace", ClusterConfig{Name: "a", Address: plain.URL + "/vault/", Namespace: "team/eu", RedirectHosts: []string{other.URL}}},
		{"https with HTTP/2", ClusterConfig{Name: "a", Address: secure.URL, TLS: TLSConfig{CACert: p.caFile}}},
	}
	envs := []struct {
		name string
		env  map[string]string
	}{
		{"empty", nil},
		{"overridden", map[string]string{"VAULT_ADDR": "http://127.0.0.1:1", "VAULT_AGENT_ADDR": "http://127.0.0.1:1",
			"VAULT_TOKEN": "hvs.fromtheenvironment", "VAULT_NAMESPACE": "env-ns", "VAULT_WRAP_TTL": "5m",
			"VAULT_MAX_RETRIES": "4", "VAULT_CLIENT_TIMEOUT": "1", "VAULT_DISABLE_REDIRECTS": "false"}},
		{"headers", map[string]string{"VAULT_HEADERS": `{"X-Team":"ops","x-vault-namespace":"env-ns","x-vault-request":"no","x-vault-token":"env"}`,
			"VAULT_RATE_LIMIT": "1000"}},
	}
	for _, e := range envs {
		for _, cl := range clusters {
			for _, token := range []string{testToken, ""} {
				t.Run(e.name+"/"+cl.name+"/token "+map[bool]string{true: "set", false: "none"}[token != ""], func(t *testing.T) {
					setVaultEnv(t, e.env)
					cfg := cl.cfg
					cfg.Token = TokenSource{Inline: token}
					c, err := NewClient(cfg, ClientOptions{})
					if err != nil {
						t.Fatal(err)
					}
					for _, rq := range requests {
						if strings.HasSuffix(rq.path, "/away") && len(cfg.RedirectHosts) == 0 {
							continue // refused, nothing sent: the origin guard's tests cover it
						}
						viaVaultAPI(t, cfg, token, rq)
						want := rc.take()
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						_, err := c.do(ctx, rq)
						cancel()
						if err != nil && ClassOf(err) != ErrServer {
							t.Errorf("%s: %v", rq.op, err)
						}
						got := rc.take()
						if len(want) != len(got) {
							t.Errorf("%s: %d requests reached the server, vault/api sent %d", rq.op, len(got), len(want))
							continue
						}
						for i := range want {
							compareSeen(t, rq.op, want[i], got[i])
							if strings.HasPrefix(cfg.Address, "https:") && got[i].Proto != "HTTP/2.0" {
								t.Errorf("%s: %s over TLS, want HTTP/2 as vault/api negotiates it", rq.op, got[i].Proto)
							}
						}
					}
				})
			}
		}
	}
}

func compareSeen(t *testing.T, op string, want, got seenRequest) {
	t.Helper()
	for _, h := range []http.Header{want.Header, got.Header} {
		h.Del("Traceparent") // neither sends one; a test runner's hook might
	}
	type line struct {
		Method, Path, RawPath, Query, Host, Proto, Body string
		ContentLength                                   int64
	}
	w := line{want.Method, want.Path, want.RawPath, want.Query, want.Host, want.Proto, want.Body, want.ContentLength}
	g := line{got.Method, got.Path, got.RawPath, got.Query, got.Host, got.Proto, got.Body, got.ContentLength}
	if w != g {
		t.Errorf("%s: sent %+v\nvault/api sent %+v", op, g, w)
	}
	keys := func(h http.Header) []string {
		var ks []string
		for k := range h {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if !slices.Equal(keys(want.Header), keys(got.Header)) {
		t.Errorf("%s: headers %v, vault/api %v", op, keys(got.Header), keys(want.Header))
		return
	}
	for k, wv := range want.Header {
		if !slices.Equal(wv, got.Header[k]) {
			t.Errorf("%s: %s: %q, vault/api %q", op, k, got.Header[k], wv)
		}
	}
}
