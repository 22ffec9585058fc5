package ops

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-rootcerts"
	"golang.org/x/time/rate"
)

// The VAULT_* environment is read here rather than through vault/api, whose
// package init alone costs about 2.8 ms of every vaultrepl start. Operators
// already set these variables for the vault CLI, so every one of them is
// honoured, checked or overridden exactly as api.DefaultConfig and
// api.NewClient (v1.23) would under the settings Client used to give them:
// the conformance tests in vaultenv_conformance_test.go compare the two.

// vaultEnv is the VAULT_* environment as every Client applies it.
type vaultEnv struct {
	tls        envTLS
	proxy      string // VAULT_PROXY_ADDR, else VAULT_HTTP_PROXY
	rateLimit  *rateSetting
	srvLookup  bool
	headersRaw string // VAULT_HEADERS, checked and parsed after the rest

	// built from the above by readVaultEnv
	tlsConfig *tls.Config // the template each transport clones
	proxyURL  *url.URL
	headers   http.Header
}

// envTLS are the TLS settings of the environment, applied to a transport
// as a cluster's own are (applyTLS).
type envTLS struct {
	caCert, caPath, clientCert, clientKey, serverName string
	caCertBytes                                       []byte
	insecure                                          bool
}

// rateSetting is VAULT_RATE_LIMIT: each client gets its own limiter of
// this rate and burst, as each vault/api client had.
type rateSetting struct {
	limit rate.Limit
	burst int
}

// vaultEnvVar is one variable: how it is applied, and its parser (nil when
// the variable is not read at all). Parsers run in this order, which is
// vault/api's, so that the first error reported is the one it reported.
type vaultEnvVar struct {
	name string
	// applied says what becomes of the variable, and why when vaultrepl
	// overrides what the vault CLI would do with it.
	applied string
	parse   func(e *vaultEnv, v string) error
}

// vaultEnvTable is every variable vault/api reads (its Env* constants).
// A new variable is a row here.
var vaultEnvTable = []vaultEnvVar{
	{"VAULT_ADDR", "overridden: each cluster has its own address", nil},
	{"VAULT_AGENT_ADDR", "ignored: it would send every cluster's requests to one agent", nil},
	{"VAULT_MAX_RETRIES", "checked, then overridden: retries stay off (reads fail fast for the poller to decide, writes are never repeated)",
		func(_ *vaultEnv, v string) error { _, err := strconv.ParseUint(v, 10, 32); return err }},
	{"VAULT_CACERT", "honoured: CA bundle file", func(e *vaultEnv, v string) error { e.tls.caCert = v; return nil }},
	{"VAULT_CACERT_BYTES", "honoured: PEM CA certificates", func(e *vaultEnv, v string) error { e.tls.caCertBytes = []byte(v); return nil }},
	{"VAULT_CAPATH", "honoured: directory of CA certificates", func(e *vaultEnv, v string) error { e.tls.caPath = v; return nil }},
	{"VAULT_CLIENT_CERT", "honoured: client certificate (with VAULT_CLIENT_KEY)", func(e *vaultEnv, v string) error { e.tls.clientCert = v; return nil }},
	{"VAULT_CLIENT_KEY", "honoured: client key (with VAULT_CLIENT_CERT)", func(e *vaultEnv, v string) error { e.tls.clientKey = v; return nil }},
	{"VAULT_RATE_LIMIT", "honoured: requests per second[:burst], per client", parseRateEnv},
	{"VAULT_CLIENT_TIMEOUT", "checked, then overridden: every request has its own deadline (ClientOptions)",
		func(_ *vaultEnv, v string) error {
			if _, err := parseDurationSecond(v); err != nil {
				return fmt.Errorf("could not parse %q", "VAULT_CLIENT_TIMEOUT")
			}
			return nil
		}},
	{"VAULT_SKIP_VERIFY", "honoured: skip TLS verification", func(e *vaultEnv, v string) error {
		return parseEnvBool(&e.tls.insecure, "VAULT_SKIP_VERIFY", v)
	}},
	{"VAULT_SRV_LOOKUP", "honoured: an address without a port is looked up as an SRV record", func(e *vaultEnv, v string) error {
		return parseEnvBool(&e.srvLookup, "VAULT_SRV_LOOKUP", v)
	}},
	{"VAULT_TLS_SERVER_NAME", "honoured: TLS server name", func(e *vaultEnv, v string) error { e.tls.serverName = v; return nil }},
	{"VAULT_HTTP_PROXY", "honoured: proxy URL (VAULT_PROXY_ADDR wins)", func(e *vaultEnv, v string) error { e.proxy = v; return nil }},
	{"VAULT_PROXY_ADDR", "honoured: proxy URL", func(e *vaultEnv, v string) error { e.proxy = v; return nil }},
	{"VAULT_DISABLE_REDIRECTS", "checked, then overridden: vaultrepl follows one redirect itself, within the cluster's allowed origins",
		func(_ *vaultEnv, v string) error {
			var off bool
			return parseEnvBool(&off, "VAULT_DISABLE_REDIRECTS", v)
		}},
	{"VAULT_TOKEN", "overridden: each cluster's token source decides (none means no token)", nil},
	{"VAULT_NAMESPACE", "overridden: replication is read in the root namespace, auth and mounts in the cluster's namespace", nil},
	{"VAULT_HEADERS", "honoured: extra request headers (JSON object of strings, no X-Vault-*)", func(e *vaultEnv, v string) error { e.headersRaw = v; return nil }},
	{"VAULT_WRAP_TTL", "ignored: wrapped responses would hide what vaultrepl reads", nil},
	{"VAULT_MFA", "ignored: read by the vault CLI only, not by its API client", nil},
}

// envError is a failure to read the environment, with the step that
// failed: the Op of the ErrConfig error a Client reports.
type envError struct {
	op  string
	err error
}

func (e *envError) Error() string { return e.op + ": " + e.err.Error() }
func (e *envError) Unwrap() error { return e.err }

// readVaultEnv reads the environment. Its error is an *envError.
func readVaultEnv() (*vaultEnv, error) {
	e := &vaultEnv{}
	fail := func(op string, err error) error { return &envError{op: op, err: err} }
	for _, row := range vaultEnvTable {
		if row.parse == nil {
			continue
		}
		if v := os.Getenv(row.name); v != "" {
			if err := row.parse(e, v); err != nil {
				return nil, fail("read VAULT_* environment", err)
			}
		}
	}
	e.tlsConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// What http2.ConfigureTransport sets in vault/api's DefaultConfig;
		// net/http's own HTTP/2 (ForceAttemptHTTP2, set by cleanhttp) keeps it.
		NextProtos: []string{"h2", "http/1.1"},
	}
	if err := applyTLS(e.tlsConfig, e.tls); err != nil {
		return nil, fail("read VAULT_* environment", err)
	}
	if e.proxy != "" {
		u, err := url.Parse(e.proxy)
		if err != nil {
			return nil, fail("read VAULT_* environment", err)
		}
		e.proxyURL = u
	}
	h, err := parseEnvHeaders(e.headersRaw)
	if err != nil {
		return nil, fail("configure client", err)
	}
	e.headers = h
	return e, nil
}

// sharedVaultEnv is the environment read once (on first use) for the
// clients of NewClients, with the one transport the clusters without TLS
// settings of their own share.
type sharedVaultEnv struct {
	once      sync.Once
	env       *vaultEnv
	err       error
	transport *http.Transport
}

func (s *sharedVaultEnv) get() (*vaultEnv, *http.Transport, error) {
	s.once.Do(func() {
		s.env, s.err = readVaultEnv()
		if s.err == nil {
			s.transport = s.env.newTransport()
			// One pool for every cluster: cleanhttp's limit of 100 idle
			// connections in all would be shared by all the clusters
			// (evicting connections every poll beyond 50 clusters); the
			// per-host limit stays.
			s.transport.MaxIdleConns = 0
		}
	})
	return s.env, s.transport, s.err
}

// newTransport is the transport vault/api's DefaultConfig builds:
// cleanhttp's pooled transport, a 10 s TLS handshake timeout, TLS 1.2 at
// least, HTTP/2, and the environment's TLS and proxy.
func (e *vaultEnv) newTransport() *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.TLSHandshakeTimeout = 10 * time.Second
	t.TLSClientConfig = e.tlsConfig.Clone()
	if e.proxyURL != nil {
		t.Proxy = http.ProxyURL(e.proxyURL)
	}
	return t
}

// newLimiter is a client's own VAULT_RATE_LIMIT limiter, nil without one.
func (e *vaultEnv) newLimiter() *rate.Limiter {
	if e.rateLimit == nil {
		return nil
	}
	return rate.NewLimiter(e.rateLimit.limit, e.rateLimit.burst)
}

// applyTLS applies TLS settings on top of cfg as vault/api's ConfigureTLS
// does: the environment's first, then a cluster's. A setting left empty
// keeps what cfg has; Insecure can only turn verification off.
func applyTLS(cfg *tls.Config, t envTLS) error {
	var clientCert tls.Certificate
	foundClientCert := false
	switch {
	case t.clientCert != "" && t.clientKey != "":
		var err error
		if clientCert, err = tls.LoadX509KeyPair(t.clientCert, t.clientKey); err != nil {
			return err
		}
		foundClientCert = true
	case t.clientCert != "" || t.clientKey != "":
		return errors.New("both client cert and client key must be provided")
	}
	if t.caCert != "" || len(t.caCertBytes) != 0 || t.caPath != "" {
		err := rootcerts.ConfigureTLS(cfg, &rootcerts.Config{CAFile: t.caCert, CACertificate: t.caCertBytes, CAPath: t.caPath})
		if err != nil {
			return err
		}
	}
	if t.insecure {
		cfg.InsecureSkipVerify = true
	}
	if foundClientCert {
		// Offered whatever CAs the server asks for, so that the CA of a
		// cert auth mount need not be in the server's own pool.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &clientCert, nil
		}
	}
	if t.serverName != "" {
		cfg.ServerName = t.serverName
	}
	return nil
}

// clusterTLS is a cluster's TLS settings in the environment's terms.
func clusterTLS(t TLSConfig) envTLS {
	return envTLS{caCert: t.CACert, caPath: t.CAPath, clientCert: t.ClientCert, clientKey: t.ClientKey,
		serverName: t.ServerName, insecure: t.Insecure}
}

func parseEnvBool(dst *bool, name, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("could not parse %s", name)
	}
	*dst = b
	return nil
}

// parseRateEnv reads "rate" or "rate:burst" (a bare rate is also its
// burst), accepting exactly what vault/api accepts.
func parseRateEnv(e *vaultEnv, v string) error {
	var limit float64
	var burst int
	if _, err := fmt.Sscanf(v, "%f:%d", &limit, &burst); err != nil {
		if limit, err = strconv.ParseFloat(v, 64); err != nil {
			return errors.New("VAULT_RATE_LIMIT was provided but incorrectly formatted")
		}
		burst = int(limit)
	}
	e.rateLimit = &rateSetting{limit: rate.Limit(limit), burst: burst}
	return nil
}

// parseDurationSecond accepts what vault/api's VAULT_CLIENT_TIMEOUT parser
// (parseutil.ParseDurationSecond) accepts: whole seconds, whole days with a
// "d" suffix, or a Go duration.
func parseDurationSecond(v string) (time.Duration, error) {
	mul := func(n int64, unit time.Duration) (time.Duration, error) {
		d := time.Duration(n) * unit
		if n != 0 && d/time.Duration(n) != unit {
			return 0, errors.New("multiplication of durations resulted in overflow")
		}
		return d, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return mul(n, time.Second)
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil {
			return 0, err
		}
		return mul(n, 24*time.Hour)
	}
	return time.ParseDuration(v)
}

// parseEnvHeaders reads VAULT_HEADERS as api.NewClient does: a JSON object
// of string values, none named X-Vault-* (those are Vault's own).
func parseEnvHeaders(raw string) (http.Header, error) {
	if raw == "" {
		return nil, nil
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return nil, errors.New("could not unmarshal environment-supplied headers")
	}
	h := http.Header{}
	var forbidden []string
	for key, value := range fields {
		if strings.HasPrefix(key, "X-Vault-") {
			forbidden = append(forbidden, key)
			continue
		}
		s, ok := value.(string)
		if !ok {
			return nil, errors.New("environment-supplied headers include non-string values")
		}
		h.Add(key, s)
	}
	if len(forbidden) > 0 {
		return nil, fmt.Errorf("failed to setup Headers[%s]: Header starting by 'X-Vault-' are for internal usage only", strings.Join(forbidden, ", "))
	}
	return h, nil
}
