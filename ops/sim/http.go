package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Verbatim texts from the reference (and from Vault CE where noted).
const (
	errPermissionDenied = "permission denied"
	errInvalidToken     = "invalid token"
	errSealed           = "Vault is sealed"                                // consts.ErrSealed
	errDRSecondary      = "path disabled in replication DR secondary mode" // reference §8.2
	errEnterpriseOnly   = "enterprise-only feature"                        // reference §10
	errInvalidWrapping  = "wrapping token is not valid or does not exist"  // consts.ErrInvalidWrappingToken
	errUnsupportedOp    = "unsupported operation"                          // logical.ErrUnsupportedOperation
	errUnsupportedPath  = "unsupported path"                               // logical.ErrUnsupportedPath
	errRateLimited      = "rate limit quota exceeded"                      // quotas.ErrRateLimitQuotaExceeded
	errUnavailable      = "Vault is unavailable while replication is reconfigured; it will resume service shortly (simulated)"
	errInitialSync      = "Vault is unavailable until the secondary's setup tasks and initial sync complete (simulated)"
	errReindexing       = "Vault is unavailable while the merkle trees are reindexed (simulated)"
	errRootNamespace    = "this endpoint can only be called in the root namespace (simulated)"
)

// Warnings returned by replication role changes (reference §3–§6, verbatim).
const (
	warnEnablePrimary   = "This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly."
	warnDemote          = "This cluster is being demoted to a replication secondary. Vault will be unavailable for a brief period and will resume service shortly."
	warnDisable         = "This cluster is having replication disabled. Vault will be unavailable for a brief period and will resume service shortly."
	warnEnableSecondary = "Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete."
	warnPromote         = "This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly."
)

// multiError formats messages the way hashicorp/go-multierror does, which is
// how several Vault errors reach the wire as a single string.
func multiError(msgs ...string) string {
	points := make([]string, len(msgs))
	for i, m := range msgs {
		points[i] = "* " + m
	}
	if len(msgs) == 1 {
		return fmt.Sprintf("1 error occurred:\n\t%s\n\n", points[0])
	}
	return fmt.Sprintf("%d errors occurred:\n\t%s\n\n", len(msgs), strings.Join(points, "\n\t"))
}

// response is what a handler decided; the HTTP layer writes it after the lab's
// lock is released.
type response struct {
	status     int
	header     http.Header
	body       []byte
	stream     func(io.Writer) error // body too large to hold (the huge-body fault)
	length     int64                 // Content-Length for stream
	truncateAt int                   // >0: send only this many bytes, then cut the connection
	abort      bool                  // cut the connection without a response
}

type wrapInfo struct {
	Token           string `json:"token"`
	Accessor        string `json:"accessor"`
	TTL             int    `json:"ttl"`
	CreationTime    string `json:"creation_time"`
	CreationPath    string `json:"creation_path"`
	WrappedAccessor string `json:"wrapped_accessor,omitempty"`
}

type authBlock struct {
	ClientToken    string            `json:"client_token"`
	Accessor       string            `json:"accessor"`
	Policies       []string          `json:"policies"`
	TokenPolicies  []string          `json:"token_policies"`
	Metadata       map[string]string `json:"metadata"`
	LeaseDuration  int               `json:"lease_duration"`
	Renewable      bool              `json:"renewable"`
	EntityID       string            `json:"entity_id"`
	TokenType      string            `json:"token_type"`
	Orphan         bool              `json:"orphan"`
	MFARequirement any               `json:"mfa_requirement"`
	NumUses        int               `json:"num_uses"`
}

// envelope is Vault's logical response (reference §1.3), field for field.
type envelope struct {
	RequestID     string     `json:"request_id"`
	LeaseID       string     `json:"lease_id"`
	Renewable     bool       `json:"renewable"`
	LeaseDuration int        `json:"lease_duration"`
	Data          any        `json:"data"`
	WrapInfo      *wrapInfo  `json:"wrap_info"`
	Warnings      []string   `json:"warnings"`
	Auth          *authBlock `json:"auth"`
	MountType     string     `json:"mount_type"`
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	return response{status: status, body: append(b, '\n')}
}

func errResp(status int, msgs ...string) response {
	if msgs == nil {
		msgs = []string{}
	}
	return jsonResponse(status, map[string][]string{"errors": msgs})
}

func noContent() response { return response{status: http.StatusNoContent} }

// logical returns a 200 envelope with mount_type "system".
func (q *request) logical(data map[string]any, warnings ...string) response {
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "system", Warnings: warnings}
	if data != nil {
		env.Data = data
	}
	return jsonResponse(http.StatusOK, env)
}

// injected is a logical response whose data keys are also copied to the top
// level, as Vault does for sys/auth, sys/mounts, sys/capabilities* and a few
// other routes (http/handler.go injectDataIntoTopRoutes).
func (q *request) injected(data map[string]any) response {
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "system", Data: data}
	rest, err := json.Marshal(env)
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(data[k])
		if err != nil {
			return errResp(http.StatusInternalServerError, err.Error())
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
		buf.WriteByte(',')
	}
	buf.Write(rest[1:])
	buf.WriteByte('\n')
	return response{status: http.StatusOK, body: buf.Bytes()}
}

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
	token   *tokenEntry
}

type handlerFunc func(q *request) response

// route describes one API path: how it authenticates and where it answers.
type route struct {
	pattern  string
	unauth   bool // no Vault token (status endpoints, DR-operation-token endpoints)
	sudo     bool // the token needs sudo (secondary-token, reindex, sys/auth/*)
	rootNS   bool // restricted endpoint: root namespace only
	drOK     bool // answered on a DR secondary (reference §8.2)
	ent      bool // Enterprise-only: 404 enterprise-only feature in CE mode
	sealedOK bool // answered while sealed
	alwaysUp bool // answered during the brief outages around role changes
	raw      bool // served by Vault's HTTP layer, outside the namespaced router
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

// maxRequestBody mirrors Vault's DefaultMaxRequestSize (32 MiB).
const maxRequestBody = 32 << 20

func (h *clusterHandler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	l, c := h.l, h.c
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		panic(http.ErrAbortHandler)
	}
	l.inflight.Add(1)
	defer l.inflight.Done()
	c.requests[hr.URL.Path]++
	l.syncLocked()
	if c.stopped {
		// Only reachable through Handler: a started lab closes the listener.
		l.mu.Unlock()
		panic(http.ErrAbortHandler)
	}
	delay := l.responseDelay(c)
	var hang chan struct{}
	if c.faults.hang {
		hang = c.faults.hangRelease
		select {
		case l.parked <- c.name:
		default:
		}
	}
	l.mu.Unlock()

	if hang != nil {
		// A hung server: wait until the client gives up, the hang is lifted or
		// the lab closes. Nothing is written, so clients see a timeout.
		select {
		case <-hang:
		case <-hr.Context().Done():
			panic(http.ErrAbortHandler)
		case <-l.closing:
			panic(http.ErrAbortHandler)
		}
	}
	if delay > 0 {
		t := time.NewTimer(delay)
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

	l.mu.Lock()
	l.syncLocked()
	var resp response
	switch {
	case readErr != nil:
		resp = errResp(http.StatusBadRequest, readErr.Error())
	case len(raw) > maxRequestBody:
		resp = errResp(http.StatusRequestEntityTooLarge, "http: request body too large")
	default:
		resp = l.handle(c, hr, raw)
	}
	l.mu.Unlock()
	writeResponse(w, hr, resp)
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
	if resp.abort {
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

// handle runs the request pipeline: injected faults, routing, seal, CE,
// outage, namespace, DR-secondary and token checks, then the handler.
func (l *Lab) handle(c *cluster, hr *http.Request, raw []byte) response {
	if f := &c.faults; f.failCount > 0 {
		f.failCount--
		return errResp(f.failStatus, http.StatusText(f.failStatus)+" (simulated)")
	} else if f.flap && f.flapNext {
		f.flapNext = false
		return errResp(http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable)+" (simulated)")
	} else if f.flap {
		f.flapNext = true
	} else if f.injectCount > 0 {
		f.injectCount--
		return l.injectedResponse(f.inject, hr)
	}
	q := &request{l: l, c: c, hr: hr, now: l.now()}
	if !strings.HasPrefix(hr.URL.Path, "/v1/") {
		return errResp(http.StatusNotFound)
	}
	q.path = strings.Trim(strings.TrimPrefix(hr.URL.Path, "/v1/"), "/")
	switch hr.Method {
	case http.MethodGet:
		q.op = "read"
		if v := hr.URL.Query().Get("list"); v == "true" || v == "1" {
			q.op = "list"
		}
	case "LIST":
		q.op = "list"
	case http.MethodHead:
		q.op = "head"
	case http.MethodPut, http.MethodPost:
		q.op = "update"
	case http.MethodDelete:
		q.op = "delete"
	default:
		return errResp(http.StatusMethodNotAllowed, errUnsupportedOp)
	}
	q.body, q.bodyErr = parseBody(raw)

	rt, params := l.findRoute(q.path)
	q.params = params
	if c.sealed && !rt.sealedOK {
		return errResp(http.StatusServiceUnavailable, errSealed)
	}
	if c.ce && rt.ent {
		return errResp(http.StatusNotFound, errEnterpriseOnly)
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
	if ns := strings.Trim(hr.Header.Get("X-Vault-Namespace"), "/"); ns != "" && ns != "root" && !rt.raw {
		if rt.rootNS {
			return errResp(http.StatusBadRequest, errRootNamespace)
		}
		return errResp(http.StatusNotFound, fmt.Sprintf("namespace %q does not exist in this lab (simulated)", ns+"/"))
	}
	if c.drSecondary() && !rt.drOK {
		return errResp(http.StatusBadRequest, errDRSecondary)
	}
	if q.bodyErr != nil {
		return errResp(http.StatusBadRequest, "failed to parse JSON input: "+q.bodyErr.Error())
	}
	h := rt.ops[q.op]
	if q.op == "head" && h == nil {
		return errResp(http.StatusMethodNotAllowed, errUnsupportedOp)
	}
	if !rt.unauth {
		if resp, ok := q.authorize(rt); !ok {
			return resp
		}
	}
	if h == nil {
		return errResp(http.StatusMethodNotAllowed, errUnsupportedOp)
	}
	return h(q)
}

// parseBody decodes a JSON object body; an empty body or "null" is no data.
func parseBody(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// clientToken reads X-Vault-Token, or an Authorization: Bearer header.
func clientToken(hr *http.Request) string {
	if t := hr.Header.Get("X-Vault-Token"); t != "" {
		return strings.TrimSpace(t)
	}
	if a := hr.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(a, "Bearer "))
	}
	return ""
}

// lookupToken finds a live token in the cluster's token store.
func (c *cluster) lookupToken(id string, now time.Time) *tokenEntry {
	if id == "" {
		return nil
	}
	t := c.data.tokens[id]
	if t == nil || t.expired(now) {
		return nil
	}
	return t
}

// invalidTokenError is what this cluster's version says about a token it does
// not know: 1.17 and later add "invalid token" to "permission denied"
// (reference §1.5).
func (c *cluster) invalidTokenError() string {
	if versionAtLeast(c.version, 1, 17) {
		return multiError(errPermissionDenied, errInvalidToken)
	}
	return errPermissionDenied
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(trimEnt(v), ".", 3)
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return ma > major || (ma == major && mi >= minor)
}

// authorize checks the token and its policies against the route.
func (q *request) authorize(rt *route) (response, bool) {
	id := clientToken(q.hr)
	if id == "" {
		return errResp(http.StatusForbidden, errPermissionDenied), false
	}
	t := q.c.lookupToken(id, q.now)
	if t == nil {
		return errResp(http.StatusForbidden, q.c.invalidTokenError()), false
	}
	q.token = t
	caps := q.c.capabilitiesOf(t, q.aclPath())
	if slices.Contains(caps, capRoot) {
		return response{}, true
	}
	var need []string
	switch q.op {
	case "read", "head":
		need = []string{capRead}
	case "list":
		need = []string{capList}
	case "update":
		need = []string{capUpdate, capCreate}
	case "delete":
		need = []string{capDelete}
	}
	allowed := false
	for _, n := range need {
		allowed = allowed || slices.Contains(caps, n)
	}
	if !allowed || (rt.sudo && !slices.Contains(caps, capSudo)) {
		return errResp(http.StatusForbidden, errPermissionDenied), false
	}
	return response{}, true
}

// aclPath is the path policies are matched against.
func (q *request) aclPath() string { return q.path }

// capabilitiesOf evaluates a token's policies on path.
func (c *cluster) capabilitiesOf(t *tokenEntry, path string) []string {
	if slices.Contains(t.Policies, "root") {
		return []string{capRoot}
	}
	var acls []*acl
	for _, name := range t.Policies {
		text, ok := c.data.policies[name]
		if !ok {
			continue
		}
		if a, err := parsePolicy(text); err == nil {
			acls = append(acls, a)
		}
	}
	return capabilities(acls, path)
}

// Helpers for reading request parameters the way Vault's framework coerces
// them.

func (q *request) str(key string) string {
	switch v := q.body[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (q *request) has(key string) bool {
	_, ok := q.body[key]
	return ok
}

func (q *request) boolean(key string) (bool, error) {
	switch v := q.body[key].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		return strconv.ParseBool(v)
	case json.Number:
		return v.String() != "0", nil
	}
	return false, fmt.Errorf("cannot parse %q as a boolean", key)
}

func (q *request) strings(key string) []string {
	switch v := q.body[key].(type) {
	case string:
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// duration parses a TTL given as "30m", "1800" or 1800.
func (q *request) duration(key string, def time.Duration) (time.Duration, error) {
	s := q.str(key)
	if s == "" {
		return def, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("invalid duration " + strconv.Quote(s))
	}
	return d, nil
}
