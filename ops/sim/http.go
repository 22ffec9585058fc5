package sim

// The request pipeline of a simulated cluster: faults in front of Vault
// (stop, hang, latency, bursts, injected bodies), then routing, body, seal,
// outage, namespace, DR-secondary and token checks, CE stubs, then the
// handler. The model is read and changed under the lab's lock; responses are
// written after it is released.

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// request is one API call being handled, under the lab's lock.
type request struct {
	l       *Lab
	c       *cluster
	hr      *http.Request
	path    string // after /v1/, without leading or trailing slashes
	op      string // read, list, update, delete, head
	body    map[string]any
	bodyErr error
	now     time.Time // lab time
	params  map[string]string
	token   *tokenEntry // the caller's, once authorize has checked it
	caps    []string    // token's capabilities on the request's ACL path, set with it
}

type handlerFunc func(q *request) response

// route describes one API path: how it authenticates and where it answers.
type route struct {
	pattern  string
	unauth   bool // no Vault token (status endpoints, DR-operation-token endpoints)
	sudo     bool // the token needs sudo (secondary-token, reindex, sys/auth/*)
	rootNS   bool // restricted endpoint: root namespace only
	drOK     bool // answered on a DR secondary (status, unseal, DR-operation-token paths)
	ent      bool // Enterprise-only: 404 enterprise-only feature in CE mode
	sealedOK bool // answered while sealed
	alwaysUp bool // answered during the brief outages around role changes
	raw      bool // served by Vault's HTTP layer, outside the namespaced router
	drToken  bool // authorised by dr_operation_token in the body (DR secondary writes)
	// ceAbsent: Community Edition has no such path, not even a stub (it is
	// missing from entStubPaths in vault/logical_system_helpers.go), so CE
	// answers as for any unknown sys path: a token first, then 404
	// "unsupported path", as a real CE 1.17.6 does.
	ceAbsent bool
	ops      map[string]handlerFunc
}

func (rt *route) match(path string) (map[string]string, bool) {
	ps, xs := strings.Split(rt.pattern, "/"), strings.Split(path, "/")
	params := map[string]string{}
	for i, seg := range ps {
		if strings.HasPrefix(seg, "*") {
			if i >= len(xs) || strings.Join(xs[i:], "/") == "" {
				return nil, false
			}
			params[seg[1:]] = strings.Join(xs[i:], "/")
			return params, true
		}
		if i >= len(xs) {
			return nil, false
		}
		if strings.HasPrefix(seg, ":") {
			if xs[i] == "" {
				return nil, false
			}
			params[seg[1:]] = xs[i]
			continue
		}
		if seg != xs[i] {
			return nil, false
		}
	}
	return params, len(xs) == len(ps)
}

// clusterHandler serves one cluster's Vault API.
type clusterHandler struct {
	l *Lab
	c *cluster
}

// maxCountedPaths bounds RequestCounts, so a client probing random paths
// cannot grow it without limit.
const maxCountedPaths = 1024

// maxRequestBody mirrors Vault's DefaultMaxRequestSize (32 MiB).
const maxRequestBody = 32 << 20

func (h *clusterHandler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	l := h.l
	adm, ok := h.admit(hr)
	if !ok {
		// Closed lab, or a stopped cluster mounted with Handler (a started
		// lab closes the stopped cluster's listener instead).
		panic(http.ErrAbortHandler)
	}
	defer l.inflight.Done()
	if adm.hang != nil {
		// A hung server: wait until the client gives up, the hang is lifted or
		// the lab closes. Nothing is written, so clients see a timeout.
		select {
		case <-adm.hang:
		case <-hr.Context().Done():
			panic(http.ErrAbortHandler)
		case <-l.closing:
			panic(http.ErrAbortHandler)
		}
	}
	if adm.delay > 0 {
		t := time.NewTimer(adm.delay)
		select {
		case <-t.C:
		case <-hr.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		case <-l.closing:
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	raw, readErr := io.ReadAll(io.LimitReader(hr.Body, maxRequestBody+1))
	writeResponse(w, hr, h.respond(hr, raw, readErr))
}

// admission is what the first look at a request decided.
type admission struct {
	delay time.Duration
	hang  chan struct{}
}

// admit counts the request and reads the faults that act before Vault sees
// it. Like respond, it unlocks with defer: net/http recovers handler panics,
// and a lock left held would wedge every cluster of the lab.
func (h *clusterHandler) admit(hr *http.Request) (admission, bool) {
	l, c := h.l, h.c
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || c.stopped {
		return admission{}, false
	}
	l.inflight.Add(1)
	if _, seen := c.requests[hr.URL.Path]; seen || len(c.requests) < maxCountedPaths {
		c.requests[hr.URL.Path]++
	}
	l.syncLocked()
	adm := admission{delay: l.responseDelay(c)}
	if c.faults.hang {
		adm.hang = c.faults.hangRelease
		select {
		case l.parked <- c.name:
		default:
		}
	}
	return adm, true
}

// respond runs the request through the model under the lab's lock.
func (h *clusterHandler) respond(hr *http.Request, raw []byte, readErr error) response {
	l := h.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncLocked()
	var resp response
	switch {
	case readErr != nil:
		resp = errResp(http.StatusBadRequest, readErr.Error())
	case len(raw) > maxRequestBody:
		resp = errResp(http.StatusRequestEntityTooLarge, "http: request body too large")
	default:
		resp = l.handle(h.c, hr, raw)
	}
	// The Date header is the cluster's clock, as sys/health's
	// server_time_utc is: under --speed or a skew both say the same time,
	// so a client anchoring ages on either gets one answer (net/http
	// writes its own Date only when the handler set none).
	if resp.header == nil {
		resp.header = http.Header{}
	}
	resp.header.Set("Date", h.c.clock(l.now()).UTC().Format(http.TimeFormat))
	return resp
}

// responseDelay is the cluster's injected latency plus the lab-wide latency,
// jittered ±10%.
func (l *Lab) responseDelay(c *cluster) time.Duration {
	d := l.opts.Latency + c.faults.latency
	if d <= 0 {
		return 0
	}
	return time.Duration(float64(d) * (0.9 + 0.2*l.ids.float()))
}

func writeResponse(w http.ResponseWriter, hr *http.Request, resp response) {
	// A status outside 100–999 (a sys/health override) makes net/http's
	// WriteHeader panic in Vault, and the client sees the connection close.
	if resp.abort || resp.status < 100 || resp.status > 999 {
		panic(http.ErrAbortHandler)
	}
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Cache-Control", "no-store")
	if resp.status != http.StatusNoContent && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	switch {
	case resp.stream != nil:
		h.Set("Content-Length", strconv.FormatInt(resp.length, 10))
		w.WriteHeader(resp.status)
		if hr.Method != http.MethodHead {
			_ = resp.stream(w)
		}
	case resp.truncateAt > 0 && resp.truncateAt < len(resp.body):
		// Promise the whole body, send part of it, then cut the connection:
		// the client sees an unexpected EOF mid-body.
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body[:resp.truncateAt])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	default:
		w.WriteHeader(resp.status)
		if hr.Method != http.MethodHead && resp.status != http.StatusNoContent {
			_, _ = w.Write(resp.body)
		}
	}
}

// handle runs the request pipeline: injected faults, routing, body, seal,
// outage, namespace, DR-secondary and token checks, CE stubs, the DR
// operation token where a route takes one, then the handler.
func (l *Lab) handle(c *cluster, hr *http.Request, raw []byte) response {
	if resp, hit := l.injectedFault(c, hr); hit {
		return resp
	}
	q := &request{l: l, c: c, hr: hr, now: l.now()}
	if !strings.HasPrefix(hr.URL.Path, "/v1/") {
		return errResp(http.StatusNotFound)
	}
	q.path = strings.Trim(strings.TrimPrefix(hr.URL.Path, "/v1/"), "/")
	rt, params := l.findRoute(c, q.path)
	if c.ce && rt.ceAbsent {
		rt, params = unknownRoute, nil
	}
	q.params = params
	op, resp, ok := operation(hr, rt.raw)
	if !ok {
		return resp
	}
	q.op = op
	q.body, q.bodyErr = parseBody(raw)

	// Vault's HTTP layer parses the body of a write before the core sees the
	// request; other operations ignore it.
	if q.bodyErr != nil && (q.op == "update" || q.op == "patch") {
		return errResp(http.StatusBadRequest, "failed to parse JSON input: "+q.bodyErr.Error())
	}
	if c.sealed && !rt.sealedOK {
		return errResp(http.StatusServiceUnavailable, errSealed)
	}
	if !rt.alwaysUp && c.unavailable(q.now) {
		msg := errUnavailable
		switch {
		case c.perf.initialSync || c.dr.initialSync:
			msg = errInitialSync
		case !c.reindexUntil.IsZero():
			msg = errReindexing
		}
		return errResp(http.StatusServiceUnavailable, msg)
	}
	// Community Edition has no namespaces and ignores the header.
	if ns := strings.Trim(hr.Header.Get("X-Vault-Namespace"), "/"); ns != "" && ns != "root" && !rt.raw && !c.ce {
		if rt.rootNS {
			return errResp(http.StatusBadRequest, errRootNamespace)
		}
		return errResp(http.StatusNotFound, fmt.Sprintf("namespace %q does not exist in this lab (simulated)", ns+"/"))
	}
	if c.drSecondary() && !rt.drOK {
		return errResp(http.StatusBadRequest, errDRSecondary)
	}
	h := rt.ops[q.op]
	if h == nil && rt.raw {
		// Vault's own HTTP handlers (health, seal-status, leader, unseal,
		// generate-root) refuse other methods without a message.
		return errResp(http.StatusMethodNotAllowed)
	}
	if q.op == "head" && h == nil {
		return errResp(http.StatusMethodNotAllowed, errUnsupportedOp)
	}
	if !rt.unauth {
		if resp, ok := q.authorize(rt); !ok {
			return resp
		}
	}
	// CE's stubs are ordinary paths: the token is checked first, so an
	// anonymous write is 403 there too (entStubPaths in Vault's
	// vault/logical_system_helpers.go are registered like any path).
	if c.ce && rt.ent {
		return c.enterpriseStub()
	}
	if h == nil {
		return errResp(http.StatusMethodNotAllowed, errUnsupportedOp)
	}
	if rt.drToken {
		if resp, ok := q.checkDROperationToken(); !ok {
			return resp
		}
	}
	return h(q)
}

// injectedFault answers in Vault's place while a fault says so: a burst of
// errors, every other request of a flapping cluster, an injected body.
func (l *Lab) injectedFault(c *cluster, hr *http.Request) (response, bool) {
	switch f := &c.faults; {
	case f.failCount > 0:
		f.failCount--
		return errResp(f.failStatus, http.StatusText(f.failStatus)+" (simulated)"), true
	case f.flap && f.flapNext:
		f.flapNext = false
		return errResp(http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable)+" (simulated)"), true
	case f.flap:
		f.flapNext = true
	case f.injectCount > 0:
		f.injectCount--
		return l.injectedResponse(f.inject, hr), true
	}
	return response{}, false
}

// operation maps the method to a logical operation as Vault's
// http/logical.go does: ?list= is parsed with strconv.ParseBool and a bad
// value is a 400 without a message; a method Vault does not know is a 405
// without one. Vault's own HTTP handlers (raw routes) ignore ?list=.
func operation(hr *http.Request, raw bool) (string, response, bool) {
	switch hr.Method {
	case http.MethodGet:
		if v := hr.URL.Query().Get("list"); v != "" && !raw {
			list, err := strconv.ParseBool(v)
			if err != nil {
				return "", errResp(http.StatusBadRequest), false
			}
			if list {
				return "list", response{}, true
			}
		}
		return "read", response{}, true
	case "LIST":
		return "list", response{}, true
	case http.MethodHead:
		return "head", response{}, true
	case http.MethodPut, http.MethodPost:
		return "update", response{}, true
	case http.MethodDelete:
		return "delete", response{}, true
	case http.MethodPatch:
		return "patch", response{}, true // no lab path supports it: 405 unsupported operation
	}
	return "", errResp(http.StatusMethodNotAllowed), false
}

// enterpriseStub is what Community Edition answers on an Enterprise path
// (vault/logical_system_helpers.go): since 1.14 (hashicorp/vault PR #18870)
// a stub that says "enterprise-only feature"; before, no such path at all,
// which those versions reported as a one-item go-multierror (as quoted in
// hashicorp/vault issue #11539).
func (c *cluster) enterpriseStub() response {
	if !versionAtLeast(c.version, 1, 14) {
		return errResp(http.StatusNotFound, multiError(errUnsupportedPath))
	}
	return errResp(http.StatusNotFound, errEnterpriseOnly)
}
