package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

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

	// shared is the VAULT_* environment NewClients reads once for a set of
	// clusters, with their shared transport; nil: each client reads its own.
	shared *sharedVaultEnv
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
// changes after NewClient: a new token means a new Client (WithToken).
//
// Every request is sent once. Reads fail fast and the caller (the poller)
// decides when to try again, so that no library backoff stacks with its own
// and a poll never outlives its timeout; writes must never be repeated
// behind the operator's back.
type Client struct {
	cfg   ClusterConfig
	opts  ClientOptions
	token string
	// addr is the parsed address every request path is joined to.
	addr *url.URL
	http *http.Client
	env  *vaultEnv
	// root serves sys/health, sys/replication/* and sys/capabilities-self:
	// replication endpoints are restricted to the root namespace. ns carries
	// the cluster's namespace for auth methods, mounts and login; it is root
	// itself when no namespace is configured.
	root *endpoint
	ns   *endpoint
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
	if c.addr, err = url.Parse(cfg.Address); err != nil {
		return nil, c.configErr("configure client", err)
	}
	transport, err := c.transport()
	if err != nil {
		return nil, err
	}
	// The guard is outermost so that a request to a foreign origin, however
	// it came about, fails before anything is sent. Redirects come back to
	// exchange, which follows one within the allowed origins.
	c.http = &http.Client{
		Transport:     &originGuard{allowed: c.origins, next: &limitTransport{base: transport, max: c.opts.MaxBodyBytes}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.root = c.newEndpoint("")
	c.ns = c.root
	if cfg.Namespace != "" {
		c.ns = c.newEndpoint(cfg.Namespace)
	}
	return c, nil
}

// endpoint is the root namespace or the cluster's own: the headers its
// requests carry before the token and its VAULT_RATE_LIMIT limiter (one per
// namespace, as each had its own vault/api client).
type endpoint struct {
	header  http.Header
	limiter *rate.Limiter
}

// newEndpoint builds the headers in vault/api's order, which settles what
// a VAULT_HEADERS entry spelt in lower case ("x-vault-namespace") does:
// X-Vault-Request first (an entry adds a value), then VAULT_HEADERS, then
// the namespace replacing or removing any such entry.
func (c *Client) newEndpoint(namespace string) *endpoint {
	h := http.Header{"X-Vault-Request": {"true"}}
	for k, vs := range c.env.headers {
		h[k] = append(h[k], vs...)
	}
	if namespace != "" {
		h.Set("X-Vault-Namespace", namespace)
	} else {
		h.Del("X-Vault-Namespace")
	}
	return &endpoint{header: h, limiter: c.env.newLimiter()}
}

// transport reads the environment (or takes NewClients' reading) and gives
// the transport of this cluster: the shared one when the cluster has no TLS
// settings of its own, else its own with the cluster's TLS settings applied
// over the environment's.
func (c *Client) transport() (*http.Transport, error) {
	var shared *http.Transport
	var err error
	if sh := c.opts.shared; sh != nil {
		c.env, shared, err = sh.get()
	} else {
		c.env, err = readVaultEnv()
	}
	if err != nil {
		var ee *envError
		if errors.As(err, &ee) {
			return nil, c.configErr(ee.op, ee.err)
		}
		return nil, c.configErr("read VAULT_* environment", err)
	}
	if shared != nil && c.cfg.TLS.IsZero() {
		return shared, nil
	}
	t := c.env.newTransport()
	if !c.cfg.TLS.IsZero() {
		if err := applyTLS(t.TLSClientConfig, clusterTLS(c.cfg.TLS)); err != nil {
			return nil, c.configErr("configure TLS", err)
		}
	}
	return t, nil
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
	opts.shared = &sharedVaultEnv{}
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

	ep := c.root
	if rq.ns {
		ep = c.ns
	}
	var body []byte
	if rq.body != nil {
		var err error
		if body, err = json.Marshal(rq.body); err != nil {
			return reply{}, c.fail(rq, ErrConfig, 0, []string{"encode request body"}, err)
		}
	}
	resp, err := c.send(ctx, ep, rq, c.requestURL(rq.path), body)
	if err == nil && followedRedirect(resp.StatusCode) {
		// One redirect is followed (a standby sending the request to the
		// active node), but only within the allowed origins: the request
		// carries the token and maybe a secret body.
		target, rerr := c.redirectTarget(ctx, rq, resp)
		resp.Body.Close()
		if rerr != nil {
			return reply{status: resp.StatusCode}, rerr
		}
		resp, err = c.send(ctx, ep, rq, target, body)
		if err == nil && followedRedirect(resp.StatusCode) {
			resp.Body.Close()
			return reply{status: resp.StatusCode}, c.fail(rq, ErrRedirectRefused, resp.StatusCode,
				[]string{"redirected a second time (to " + redirectShown(resp) + "); vaultrepl follows one redirect"}, nil)
		}
	}
	if err != nil {
		return reply{}, c.transportErr(rq, 0, err, timeout)
	}
	defer resp.Body.Close()
	rep := reply{status: resp.StatusCode}
	if d, derr := http.ParseTime(resp.Header.Get("Date")); derr == nil {
		rep.date = d.UTC()
	}
	if rep.body, err = io.ReadAll(resp.Body); err != nil {
		return rep, c.transportErr(rq, rep.status, err, timeout)
	}
	return rep, nil
}

// requestURL is where a request for path (without /v1/) goes: the
// address's scheme and host (or, with VAULT_SRV_LOOKUP and no port in the
// address, the host its SRV record names, as vault/api looks it up), the
// address's path joined with /v1/path.
func (c *Client) requestURL(p string) *url.URL {
	host := c.addr.Host
	if c.env.srvLookup && c.addr.Port() == "" {
		if _, addrs, err := net.LookupSRV("http", "tcp", c.addr.Hostname()); err == nil && len(addrs) > 0 {
			host = addrs[0].Target + ":" + strconv.Itoa(int(addrs[0].Port))
		}
	}
	return &url.URL{Scheme: c.addr.Scheme, Host: host, Path: path.Join(c.addr.Path, "/v1/"+p)}
}

// errTokenNotPrintable is the error of a token that could not go in a
// header; nothing is sent.
var errTokenNotPrintable = errors.New("configured Vault token contains non-printable characters and cannot be used")

// send sends one request to u, as vault/api's RawRequestWithContext did:
// after the endpoint's rate limiter, with the query replacing u's, the Host
// header of the cluster's address (a redirect target's URL, an SRV
// target's host), the endpoint's headers (X-Vault-Request, the SSRF guard
// Vault Agent and proxies expect; VAULT_HEADERS; the namespace) and the
// token (replacing any X-Vault-Token in VAULT_HEADERS, as vault/api did).
// A body is JSON without a Content-Type, as vault/api sends it.
func (c *Client) send(ctx context.Context, ep *endpoint, rq request, u *url.URL, body []byte) (*http.Response, error) {
	if ep.limiter != nil {
		_ = ep.limiter.Wait(ctx) // a wait cut short by ctx leaves the deadline to fail the request
	}
	if strings.IndexFunc(c.token, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return nil, errTokenNotPrintable
	}
	target := *u
	target.RawQuery = rq.query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target.RequestURI(), rd)
	if err != nil {
		return nil, err
	}
	req.URL.User, req.URL.Scheme, req.URL.Host = target.User, target.Scheme, target.Host
	req.Host = c.addr.Host
	req.Header = ep.header.Clone()
	if c.token != "" && !rq.noToken {
		req.Header.Set("X-Vault-Token", c.token)
	}
	return c.http.Do(req)
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

// limitTransport caps every response body, below every reader of it (an
// error status's body is read whole for its messages).
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
		// A redirect's body (a standby pointing at the active node) says
		// nothing the Location header does not: read it (within the limit)
		// and close it now, so the connection goes back to the pool however
		// the caller ends the response (closing an unread body would drop
		// the connection).
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
