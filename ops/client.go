package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
	"golang.org/x/time/rate"
)

// Defaults for ClientOptions.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultWriteTimeout = 30 * time.Second // enabling replication makes Vault briefly unavailable
	DefaultMaxBodyBytes = 4 << 20
)

// ClientOptions tune a Client. The zero value gives the defaults.
type ClientOptions struct {
	// Timeout bounds each read request (default 5s). The caller's ctx may
	// end it sooner.
	Timeout time.Duration
	// WriteTimeout bounds each write (default 30s).
	WriteTimeout time.Duration
	// MaxBodyBytes limits every response body (default 4 MiB); a larger body
	// fails with ErrTooLarge without being read into memory.
	MaxBodyBytes int64
	// ReadOnly refuses every write with ErrReadOnly, sending nothing. The
	// cluster's own ReadOnly has the same effect.
	ReadOnly bool
	// Logger receives one debug record per request (method, path, status,
	// duration, class). Tokens and bodies are never logged. Nil discards.
	Logger *slog.Logger
	// OnWrite, when set, is called as a write is sent (with the cluster's
	// name and the operation) and returns what to call with its outcome
	// once the reply is read or it failed: a write already sent is not
	// undone by quitting, so the program can wait for it rather than exit
	// mid-request.
	OnWrite func(cluster, op string) (done func(error))
	// Now is the clock that stamps snapshots (default time.Now). It must be
	// the clock the caller judges with: a cluster's clock offset is its
	// server time minus this clock's time of the read, and the judge adds
	// that offset to its own "now" (so a lab under --speed is judged on the
	// lab's time while this machine's clock stamps the reads).
	Now func() time.Time

	// shared is the vault/api configuration NewClients reads once for a
	// set of clusters (see sharedAPIConfig); nil: each client reads its own.
	shared *sharedAPIConfig
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Client talks to one Vault cluster. It is safe for concurrent use and never
// changes after NewClient: vault/api warns that its setters race with
// requests in flight, so a new token means a new Client (WithToken).
//
// Every request goes out with vault/api's retries off. Reads fail fast and
// the caller (the poller) decides when to try again, so that its backoff never
// stacks with the library's 1–1.5 s waits and a poll never outlives its
// timeout; writes must never be repeated behind the operator's back.
type Client struct {
	cfg   ClusterConfig
	opts  ClientOptions
	token string
	// root serves sys/health, sys/replication/* and sys/capabilities-self:
	// replication endpoints are restricted to the root namespace. ns carries
	// the cluster's namespace for auth methods, mounts and login; it is root
	// itself when no namespace is configured.
	root *api.Client
	ns   *api.Client
	// origins are where requests may go: the address's origin and the
	// cluster's redirect_hosts (see originGuard).
	origins map[string]bool
	// issued are the activation tokens this process generated on the
	// cluster, shared with the clients WithToken derives: the judge tells
	// a token pending activation from one unused past its TTL with them.
	issued *issuedTokens
	// filterWrites counts the paths-filter writes sent, shared like issued.
	filterWrites *filterWrites
}

// NewClient builds the Client of one cluster: validates the address, resolves
// the token (running the token helper if configured) and sets up TLS. Errors
// are of class ErrConfig.
func NewClient(cfg ClusterConfig, opts ClientOptions) (*Client, error) {
	token, err := cfg.Token.Resolve(context.Background())
	if err != nil {
		return nil, &Error{Class: ErrConfig, Op: "read token", Cluster: cfg.Name,
			Messages: []string{redactSecrets(err.Error(), token)}, Err: err}
	}
	return newClient(cfg, opts, token)
}

func newClient(cfg ClusterConfig, opts ClientOptions, token string) (*Client, error) {
	opts = opts.withDefaults()
	if err := ValidateAddress(cfg.Address); err != nil {
		return nil, &Error{Class: ErrConfig, Op: "configure client", Cluster: cfg.Name, Messages: []string{err.Error()}}
	}
	c := &Client{cfg: cfg, opts: opts, token: token, issued: &issuedTokens{}, filterWrites: &filterWrites{}}
	var err error
	if c.origins, err = allowedOrigins(cfg); err != nil {
		return nil, &Error{Class: ErrConfig, Op: "configure client", Cluster: cfg.Name, Messages: []string{err.Error()}}
	}
	if c.root, err = c.newAPIClient(""); err != nil {
		return nil, err
	}
	c.ns = c.root
	if cfg.Namespace != "" {
		if c.ns, err = c.newAPIClient(cfg.Namespace); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// NewClients builds the Clients of several clusters, in order, as NewClient
// would one by one, but reads the VAULT_* environment once for all of them
// and lets every cluster without TLS settings of its own share one HTTP
// transport (one connection pool, a pool per host inside it). With
// VAULT_CACERT naming a bundle of a few hundred certificates, reading it
// per cluster made 32 clients take a quarter of a second. Each Client
// still has its own token, origin guard, body limit and redirect policy.
// The first error stops it.
func NewClients(cfgs []ClusterConfig, opts ClientOptions) ([]*Client, error) {
	opts.shared = &sharedAPIConfig{}
	clients := make([]*Client, 0, len(cfgs))
	for _, cfg := range cfgs {
		cl, err := NewClient(cfg, opts)
		if err != nil {
			return nil, err
		}
		clients = append(clients, cl)
	}
	return clients, nil
}

// sharedAPIConfig is api.DefaultConfig read once (on first use) for the
// clients of NewClients.
type sharedAPIConfig struct {
	once sync.Once
	conf *api.Config
}

// get is the shared configuration; its Error is the environment's error.
func (s *sharedAPIConfig) get() *api.Config {
	s.once.Do(func() {
		s.conf = api.DefaultConfig()
		if s.conf.Error == nil {
			// One pool for every cluster: cleanhttp's limit of 100 idle
			// connections in all would be shared by all the clusters
			// (evicting connections every poll beyond 50 clusters); the
			// per-host limit stays.
			if t, ok := s.conf.HttpClient.Transport.(*http.Transport); ok {
				t.MaxIdleConns = 0
			}
		}
	})
	return s.conf
}

// defaultConfig is api.DefaultConfig for this client: for a cluster with no
// TLS settings of its own, a copy of the shared configuration with its own
// http.Client (whose transport, with the environment's TLS and proxy, is
// the shared one) and its own rate limiter (VAULT_RATE_LIMIT is per
// client); otherwise a fresh api.DefaultConfig, which the cluster's TLS
// settings then change.
func (c *Client) defaultConfig() *api.Config {
	sh := c.opts.shared
	if sh == nil || !c.cfg.TLS.IsZero() {
		return api.DefaultConfig()
	}
	t := sh.get()
	if t.Error != nil {
		return &api.Config{Error: t.Error}
	}
	conf := &api.Config{
		Address:      t.Address,
		AgentAddress: t.AgentAddress,
		HttpClient: &http.Client{Transport: t.HttpClient.Transport, Timeout: t.HttpClient.Timeout,
			CheckRedirect: t.HttpClient.CheckRedirect},
		MinRetryWait:     t.MinRetryWait,
		MaxRetryWait:     t.MaxRetryWait,
		MaxRetries:       t.MaxRetries,
		Timeout:          t.Timeout,
		Backoff:          t.Backoff,
		CheckRetry:       t.CheckRetry,
		SRVLookup:        t.SRVLookup,
		DisableRedirects: t.DisableRedirects,
	}
	if t.Limiter != nil {
		conf.Limiter = rate.NewLimiter(t.Limiter.Limit(), t.Limiter.Burst())
	}
	return conf
}

// WithToken returns a new Client with the same settings and another token,
// e.g. after re-authenticating on a secondary whose old token the activation
// wiped. The receiver is unchanged.
func (c *Client) WithToken(token string) (*Client, error) {
	cfg := c.cfg
	cfg.Token = TokenSource{Inline: token}
	nc, err := newClient(cfg, c.opts, token)
	if nc != nil {
		nc.issued = c.issued
		nc.filterWrites = c.filterWrites
	}
	return nc, err
}

// Name is the configured cluster name.
func (c *Client) Name() string { return c.cfg.Name }

// Address is the cluster's API address.
func (c *Client) Address() string { return c.cfg.Address }

// ReadOnly reports whether writes are refused.
func (c *Client) ReadOnly() bool { return c.opts.ReadOnly || c.cfg.ReadOnly }

// Config returns the cluster configuration the client was built from, with
// the inline token removed.
func (c *Client) Config() ClusterConfig {
	cfg := c.cfg
	cfg.Token.Inline = ""
	return cfg
}

// HasToken reports whether requests carry a token.
func (c *Client) HasToken() bool { return c.token != "" }

// neverRetry replaces vault/api's retry policy: even VAULT_MAX_RETRIES in the
// environment cannot bring retries back.
func neverRetry(context.Context, *http.Response, error) (bool, error) { return false, nil }

// newAPIClient builds one vault/api client. api.DefaultConfig reads the
// VAULT_* environment (CA, client cert, skip-verify, proxy, rate limit); the
// cluster's settings are then applied on top.
func (c *Client) newAPIClient(namespace string) (*api.Client, error) {
	conf := c.defaultConfig()
	if conf.Error != nil {
		return nil, c.configErr("read VAULT_* environment", conf.Error)
	}
	conf.Address = c.cfg.Address
	conf.AgentAddress = "" // VAULT_AGENT_ADDR would send every cluster's requests to one agent
	// vault/api follows one 301, 302 or 307 to wherever it points and sends
	// the token there; exchange follows redirects itself, within the
	// cluster's allowed origins only.
	conf.DisableRedirects = true
	conf.MaxRetries = 0
	conf.CheckRetry = neverRetry
	conf.Timeout = 0 // every call carries its own deadline in ctx (see exchange)
	if t := c.cfg.TLS; !t.IsZero() {
		err := conf.ConfigureTLS(&api.TLSConfig{
			CACert: t.CACert, CAPath: t.CAPath, ClientCert: t.ClientCert, ClientKey: t.ClientKey,
			TLSServerName: t.ServerName, Insecure: t.Insecure,
		})
		if err != nil {
			return nil, c.configErr("configure TLS", err)
		}
	}
	// Wrapped after ConfigureTLS, which needs the bare *http.Transport.
	// The guard is outermost so that a request to a foreign origin, however
	// it came about, fails before anything is sent.
	conf.HttpClient.Transport = &originGuard{allowed: c.origins,
		next: &limitTransport{base: conf.HttpClient.Transport, max: c.opts.MaxBodyBytes}}
	conf.HttpClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ac, err := api.NewClient(conf)
	if err != nil {
		return nil, c.configErr("configure client", err)
	}
	// NewClient picks up VAULT_TOKEN and VAULT_NAMESPACE by itself; the
	// cluster's own settings replace them. This is construction, before any
	// request, so it is not the mutation vault/api warns about.
	ac.SetToken(c.token)
	if namespace == "" {
		ac.ClearNamespace()
	} else {
		ac.SetNamespace(namespace)
	}
	return ac, nil
}

func (c *Client) configErr(op string, err error) *Error {
	return &Error{Class: ErrConfig, Op: op, Cluster: c.cfg.Name,
		Messages: []string{redactSecrets(err.Error(), c.token)}, Err: err}
}

// request is one HTTP exchange with Vault.
type request struct {
	op      string // "read replication status": the Error's Op
	method  string
	path    string // without /v1/
	query   url.Values
	body    map[string]any
	write   bool     // WriteTimeout instead of Timeout
	ns      bool     // the cluster's namespace instead of root
	noToken bool     // send no X-Vault-Token (login)
	secrets []string // values in body to redact from any error
}

// reply is what came back: the status and the size-limited body.
type reply struct {
	status int
	body   []byte
	// date is the reply's HTTP Date header: the server's clock when it
	// answered, in whole seconds; zero when absent or unparsable.
	date time.Time
}

// ok reports a 2xx status.
func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

// do sends rq and returns the reply. A non-2xx status is returned as an
// *Error as well (with the reply, whose body some callers still want: a
// sys/health 503 carries health data).
func (c *Client) do(ctx context.Context, rq request) (_ reply, err error) {
	if rq.write && c.opts.OnWrite != nil {
		done := c.opts.OnWrite(c.cfg.Name, rq.op)
		defer func() { done(err) }()
	}
	start := time.Now()
	rep, err := c.exchange(ctx, rq)
	if err == nil && !rep.ok() {
		msgs := parseErrorBody(rep.body)
		err = c.fail(rq, classifyResponse(rep.status, msgs), rep.status, msgs, nil)
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "vault request",
		slog.String("cluster", c.cfg.Name), slog.String("method", rq.method), slog.String("path", rq.path),
		slog.Int("status", rep.status), slog.Duration("took", time.Since(start)),
		slog.String("class", classOrOK(err)))
	return rep, err
}

func classOrOK(err error) string {
	if err == nil {
		return "ok"
	}
	return ClassOf(err).String()
}

// exchange performs the HTTP request with its own deadline and reads the
// whole (limited) body, so that the deadline also covers the body and the
// connection is released before it returns. Only transport failures are
// errors here.
func (c *Client) exchange(ctx context.Context, rq request) (reply, error) {
	timeout := c.opts.Timeout
	if rq.write {
		timeout = c.opts.WriteTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ac := c.root
	if rq.ns {
		ac = c.ns
	}
	r := ac.NewRequest(rq.method, "/v1/"+rq.path)
	r.WrapTTL = "" // VAULT_WRAP_TTL would otherwise wrap every response
	if rq.noToken {
		r.ClientToken = ""
	}
	if rq.query != nil {
		r.Params = rq.query
	}
	if rq.body != nil {
		if err := r.SetJSONBody(rq.body); err != nil {
			return reply{}, c.fail(rq, ErrConfig, 0, []string{"encode request body"}, err)
		}
	}
	//lint:ignore SA1019 the one vault/api entry point that takes a prepared request (method, query, body, token) and returns the response whatever its status; Logical().Read* would turn a 404 into (nil, nil).
	resp, err := ac.RawRequestWithContext(ctx, r)
	if err == nil && resp != nil && followedRedirect(resp.StatusCode) {
		// One redirect is followed, as vault/api would (a standby sending
		// the request to the active node), but only within the allowed
		// origins: the request carries the token and maybe a secret body.
		target, rerr := c.redirectTarget(ctx, rq, resp.Response)
		resp.Body.Close()
		if rerr != nil {
			return reply{status: resp.StatusCode}, rerr
		}
		r.URL = target
		if err := r.ResetJSONBody(); err != nil {
			return reply{}, c.fail(rq, ErrConfig, 0, []string{"encode request body"}, err)
		}
		//lint:ignore SA1019 as above.
		resp, err = ac.RawRequestWithContext(ctx, r)
		if err == nil && resp != nil && followedRedirect(resp.StatusCode) {
			resp.Body.Close()
			return reply{status: resp.StatusCode}, c.fail(rq, ErrRedirectRefused, resp.StatusCode,
				[]string{"redirected a second time (to " + redirectShown(resp.Response) + "); vaultrepl follows one redirect"}, nil)
		}
	}
	var rep reply
	if resp != nil {
		defer resp.Body.Close()
		rep.status = resp.StatusCode
		if d, derr := http.ParseTime(resp.Header.Get("Date")); derr == nil {
			rep.date = d.UTC()
		}
		body, rerr := io.ReadAll(resp.Body)
		if rerr != nil {
			return rep, c.transportErr(rq, rep.status, rerr, timeout)
		}
		rep.body = body
	}
	var respErr *api.ResponseError
	switch {
	case err == nil || errors.As(err, &respErr) && resp != nil:
		return rep, nil
	default:
		return rep, c.transportErr(rq, rep.status, err, timeout)
	}
}

// followedRedirect reports a status whose Location a request may follow
// with its method and body unchanged. (A 303 asks for a GET instead, which
// Vault never sends; it is left as an unexpected status.)
func followedRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectTarget checks where a redirect leads and logs it: the target must
// be one of the allowed origins, and https must not become http.
func (c *Client) redirectTarget(ctx context.Context, rq request, resp *http.Response) (*url.URL, error) {
	status := resp.StatusCode
	loc, err := resp.Location()
	if err != nil {
		return nil, c.fail(rq, ErrMalformed, status, []string{fmt.Sprintf("a %d redirect without a usable Location", status)}, err)
	}
	shown := redirectShown(resp)
	var refusal string
	switch {
	case resp.Request != nil && resp.Request.URL.Scheme == "https" && loc.Scheme != "https":
		refusal = "https would become http"
	case !c.origins[originOf(loc)]:
		refusal = "not the cluster's address nor in its redirect_hosts"
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "vault redirect",
		slog.String("cluster", c.cfg.Name), slog.String("method", rq.method), slog.String("path", rq.path),
		slog.Int("status", status), slog.String("to", shown), slog.Bool("followed", refusal == ""),
		slog.String("refused", refusal))
	if refusal != "" {
		return nil, c.fail(rq, ErrRedirectRefused, status,
			[]string{fmt.Sprintf("%d to %s: %s; nothing was sent there", status, originOf(loc), refusal)}, nil)
	}
	return loc, nil
}

// redirectShown is the target of a redirect as it may be shown and logged:
// its origin and path, without a query (which could carry a secret), with
// secrets redacted and cleaned for the terminal.
func redirectShown(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return "(no usable Location)"
	}
	return cleanText(redactSecrets(truncate(originOf(loc)+loc.EscapedPath(), 200)))
}

// allowedOrigins are the origins a cluster's requests may go to.
func allowedOrigins(cfg ClusterConfig) (map[string]bool, error) {
	u, err := url.Parse(cfg.Address)
	if err != nil {
		return nil, err
	}
	origins := map[string]bool{originOf(u): true}
	for _, h := range cfg.RedirectHosts {
		o, err := RedirectOrigin(h, u.Scheme)
		if err != nil {
			return nil, err
		}
		origins[o] = true
	}
	return origins, nil
}

// originGuard refuses, without sending anything, every request whose
// origin is not allowed: the last line behind redirectTarget, for any
// redirect or address change that might slip past it.
type originGuard struct {
	allowed map[string]bool
	next    http.RoundTripper
}

// errForeignOrigin is what originGuard returns.
var errForeignOrigin = errors.New("request to an origin outside the cluster's address and redirect_hosts refused")

// RoundTrip implements http.RoundTripper.
func (g *originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !g.allowed[originOf(req.URL)] {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, fmt.Errorf("%w: %s", errForeignOrigin, originOf(req.URL))
	}
	return g.next.RoundTrip(req)
}

// CloseIdleConnections lets http.Client reach the pool under the guard.
func (g *originGuard) CloseIdleConnections() {
	if ci, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// transportErr classifies a failure that is not a Vault answer.
func (c *Client) transportErr(rq request, status int, err error, timeout time.Duration) *Error {
	var urlErr *url.Error
	cause := err
	if errors.As(err, &urlErr) {
		cause = urlErr.Err // the URL says nothing the Error does not already say
	}
	class := classifyTransport(err)
	if errors.Is(err, errForeignOrigin) {
		class = ErrRedirectRefused
	}
	msg := cause.Error()
	switch class {
	case ErrTimeout:
		msg = fmt.Sprintf("no complete response within %s", timeout)
	case ErrTooLarge:
		msg = fmt.Sprintf("body larger than %d bytes", c.opts.MaxBodyBytes)
	case ErrMalformed:
		if errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "the response was cut off (" + msg + ")"
		}
	}
	return c.fail(rq, class, status, []string{msg}, cause)
}

// fail builds the *Error of a request: every message has its secrets
// redacted and is cleaned for the terminal, since transport errors quote the
// server too (a certificate's names, a malformed status line).
func (c *Client) fail(rq request, class ErrorClass, status int, msgs []string, cause error) *Error {
	secrets := append([]string{c.token}, rq.secrets...)
	return &Error{Class: class, Op: rq.op, Cluster: c.cfg.Name, StatusCode: status,
		Messages: cleanAll(redactAll(msgs, secrets...)), Err: cause}
}

// withOp sets the Op and Cluster of an error made below the request layer
// (a parse error); an error that is not an *Error becomes ErrMalformed.
func (c *Client) withOp(err error, op string, status int) *Error {
	var e Error
	if pe := (*Error)(nil); errors.As(err, &pe) {
		e = *pe
	} else {
		e = Error{Class: ErrMalformed, Messages: []string{err.Error()}, Err: err}
	}
	e.Op, e.Cluster, e.StatusCode = op, c.cfg.Name, status
	e.Messages = cleanAll(redactAll(e.Messages, c.token))
	return &e
}

// limitTransport caps every response body. It sits under vault/api because
// vault/api itself copies whole error bodies into memory.
type limitTransport struct {
	base http.RoundTripper
	max  int64
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{rc: resp.Body, remaining: t.max, declaredTooBig: resp.ContentLength > t.max}
	if isRedirect(resp.StatusCode) {
		// vault/api follows a redirect (a standby pointing at the active
		// node) without closing the response that carried it, which keeps
		// that connection busy until the request's context ends. Its body
		// says nothing the Location header does not: read it (within the
		// limit) and close it now, so the connection goes back to the pool.
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// CloseIdleConnections lets http.Client and retryablehttp reach the base
// transport's pool.
func (t *limitTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// limitedBody fails with errBodyTooLarge once more than its limit would be
// read (at once when Content-Length already says so), rather than silently
// truncating, which would turn a huge body into a confusing JSON error.
type limitedBody struct {
	rc             io.ReadCloser
	remaining      int64
	declaredTooBig bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.declaredTooBig {
		return 0, errBodyTooLarge
	}
	if b.remaining <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.rc.Read(p)
	b.remaining -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
