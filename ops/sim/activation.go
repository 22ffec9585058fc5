package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Activation: a secondary turns an activation token into replication
// credentials. As in Vault, it does so by calling sys/wrapping/unwrap on the
// primary's API address (the token's addr claim, or primary_api_addr) over real
// HTTP, so a stopped, partitioned, hung or mistyped primary fails activation
// the way it does in life. The public-key flow (secondary_public_key) carries
// the credentials inside the token instead and needs no call.

// activationData is what unwrapping an activation token yields. The field
// names of Vault's real payload are not public [I]; these are the lab's.
type activationData struct {
	ClusterID          string   `json:"cluster_id"`
	ID                 string   `json:"id"`
	PrimaryClusterAddr string   `json:"primary_cluster_addr"`
	KnownPrimaryAddrs  []string `json:"known_primary_cluster_addrs"`
	ReplicationType    string   `json:"replication_type"`
	PrimaryAPIAddr     string   `json:"primary_api_addr"`
}

func (w *wrapToken) valid(now time.Time) bool {
	return !w.used && !w.revoked && now.Before(w.created.Add(w.ttl))
}

func (l *Lab) activationFor(p *cluster, w *wrapToken) activationData {
	r := p.role(w.typ)
	addr := r.primaryClusterAddr
	if addr == "" {
		addr = p.nodeAddrs[0]
	}
	return activationData{ClusterID: w.clusterID, ID: w.id, PrimaryClusterAddr: addr,
		KnownPrimaryAddrs: append([]string{}, p.nodeAddrs...), ReplicationType: w.typ.String(), PrimaryAPIAddr: p.apiAddr}
}

// handleUnwrap is sys/wrapping/unwrap on the primary. As Vault documents it,
// the caller either presents the wrapping token itself as X-Vault-Token, or
// its own token (which needs update on sys/wrapping/unwrap, as the default
// policy grants) with the wrapping token in the body; with no token at all it
// is denied like any authenticated path. As in Vault's
// validateWrappingToken (vault/wrapping.go, 1.17), a JWT this cluster did not
// sign, or cannot parse, is a 403 "error validating wrapping token: …"; a
// token it signed that is used, revoked or expired, and anything that is not
// a JWT, is "wrapping token is not valid or does not exist" (400). A
// successful unwrap consumes the token.
func handleUnwrap(q *request) response {
	c := q.c
	hdr, tok := clientToken(q.hr), strings.TrimSpace(q.str("token"))
	switch {
	case hdr == "":
		return errResp(http.StatusForbidden, errPermissionDenied)
	case tok == "":
		tok = hdr
	default:
		t := c.lookupToken(hdr, q.now)
		if t == nil {
			return errResp(http.StatusForbidden, c.invalidTokenError())
		}
		caps := c.capabilitiesOf(t, q.path)
		if !slices.Contains(caps, capRoot) && !slices.Contains(caps, capUpdate) {
			return errResp(http.StatusForbidden, errPermissionDenied)
		}
	}
	invalid := errResp(http.StatusBadRequest, errInvalidWrapping)
	if !looksLikeJWT(tok) {
		// Vault looks a non-JWT token up in its token store; no lab token is
		// a wrapping token there.
		return invalid
	}
	var claims jwtClaims
	var err error
	if c.key == nil {
		// Vault always has a wrapping key; the lab makes it on first use,
		// so a cluster without one has signed nothing this could be.
		if claims, err = parseJWT(tok); err == nil {
			err = errJWTSignature
		}
	} else {
		claims, err = verifyJWT(&c.key.PublicKey, tok)
	}
	if err != nil {
		return errResp(http.StatusForbidden, wrappingJWTError(err))
	}
	if claims.Type != "wrapping" {
		return errResp(http.StatusForbidden, errValidatingWrapping+"unexpected type claim")
	}
	w := c.wraps[claims.JTI]
	now := c.clock(q.now)
	if w == nil || !w.valid(now) || now.Unix() < claims.Nbf {
		return invalid
	}
	r := c.role(w.typ)
	if !r.isPrimary() || r.clusterID != w.clusterID {
		// The replication set the token belongs to is gone (disabled).
		return invalid
	}
	w.used = true
	a := q.l.activationFor(c, w)
	b, _ := json.Marshal(a)
	var data map[string]any
	_ = json.Unmarshal(b, &data)
	return q.logical(data)
}

// unwrapAt calls the primary's unwrap endpoint. It releases the lab's lock for
// the call (the primary's handler needs it) and takes it back before
// returning; callers must re-check anything they validated before.
func (q *request) unwrapAt(target, token string) (activationData, error) {
	l, c := q.l, q.c
	client, timeout, base := c.client, l.unwrapTimeout, l.ctx
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.syncLocked()
		q.now = l.now()
	}()
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	stop := context.AfterFunc(q.hr.Context(), cancel)
	defer stop()

	var a activationData
	u := strings.TrimRight(target, "/") + "/v1/sys/wrapping/unwrap"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("{}"))
	if err != nil {
		return a, fmt.Errorf("error unwrapping secondary token: %w", err)
	}
	req.Header.Set("X-Vault-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		// Only the error-response form below is a verified text (quoted in
		// hashicorp/vault issue #20421); what Vault says when it cannot reach
		// the primary is not.
		return a, fmt.Errorf("error unwrapping secondary token: %w (simulated)", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		// Verbatim shape of Vault's message (hashicorp/vault issue #20421).
		return a, fmt.Errorf("error response unwrapping secondary token; status code is %d, message is %q", resp.StatusCode, resp.Status)
	}
	var env struct {
		Data *activationData `json:"data"`
	}
	if err != nil || json.Unmarshal(body, &env) != nil || env.Data == nil || env.Data.ClusterID == "" {
		return a, errors.New("error decoding the unwrapped secondary token (simulated)")
	}
	return *env.Data, nil
}

// activate resolves an activation token into the primary it names and its
// credentials, for enable and update-primary.
func (q *request) activate(t replType, token, primaryAPIAddr string) (activationData, *cluster, response, bool) {
	l := q.l
	var a activationData
	claims, jwtErr := parseJWT(token)
	if jwtErr != nil && q.c.publicKey != nil && primaryAPIAddr == "" {
		a, err := l.openActivation(q.c, token, q.now)
		if err != nil {
			return a, nil, badRequest("%v", err), false
		}
		return l.resolveActivation(q, t, a)
	}
	target := primaryAPIAddr
	if target == "" {
		target = claims.Addr
	}
	if target == "" {
		if jwtErr != nil {
			return a, nil, badRequest("the activation token could not be parsed: %v", jwtErr), false
		}
		return a, nil, badRequest("the activation token has no primary API address; supply primary_api_addr"), false
	}
	a, err := q.unwrapAt(target, token)
	if err != nil {
		return a, nil, errResp(http.StatusInternalServerError, multiError(err.Error())), false
	}
	return l.resolveActivation(q, t, a)
}

func (l *Lab) resolveActivation(q *request, t replType, a activationData) (activationData, *cluster, response, bool) {
	if a.ReplicationType != t.String() {
		return a, nil, badRequest("the activation token is for %s replication, not %s", a.ReplicationType, t.label()), false
	}
	p := l.clusterByNodeAddr(a.PrimaryClusterAddr)
	if p == nil {
		for _, c := range l.clusters {
			if a.PrimaryAPIAddr != "" && c.apiAddr == a.PrimaryAPIAddr {
				p = c
			}
		}
	}
	if p == nil || p == q.c {
		return a, nil, errResp(http.StatusInternalServerError, multiError("the primary named by the activation token is not part of this lab (simulated)")), false
	}
	return a, p, response{}, true
}

func (l *Lab) clusterByNodeAddr(addr string) *cluster {
	for _, c := range l.clusters {
		for _, n := range c.nodeAddrs {
			if n == addr {
				return c
			}
		}
	}
	return nil
}

// enableConflict refuses to enable a secondary on a cluster whose role is
// already in use. The UI also blocks a DR secondary while performance
// replication is enabled; the lab's server enforces it [I].
func (q *request) enableConflict(t replType) (response, bool) {
	r := q.c.role(t)
	if r.enabled() {
		return badRequest("cluster is already a %s %s; disable it first", t.label(), r.mode), true
	}
	if t == drType && q.c.perf.enabled() {
		return badRequest("cannot enable a DR secondary while performance replication is enabled; disable it first"), true
	}
	return response{}, false
}

// handleEnableSecondary activates a secondary: after a successful unwrap it
// purges the cluster's data (mounts, policies, tokens: its old root token
// stops working) and starts bootstrapping → connect → merkle-diff →
// merkle-sync → stream-wals, unavailable until the initial sync completes.
func handleEnableSecondary(q *request, t replType) response {
	if resp, bad := q.enableConflict(t); bad {
		return resp
	}
	token := strings.TrimSpace(q.str("token"))
	if token == "" {
		return badRequest(`missing required parameter "token"`)
	}
	a, p, resp, ok := q.activate(t, token, strings.TrimSpace(q.str("primary_api_addr")))
	if !ok {
		return resp
	}
	if resp, bad := q.enableConflict(t); bad {
		return resp
	}
	c, l := q.c, q.l
	c.data = baseStore(l.ids)
	l.dataReplaced(c, q.now)
	c.wraps = map[string]*wrapToken{}
	c.drAttempt, c.rootAttempt, c.drOpTokens = nil, nil, map[string]bool{}
	r := c.role(t)
	*r = *newRole(t)
	r.mode, r.bootTo, r.bootUntil = modeBootstrapping, modeSecondary, q.now.Add(bootstrapTime)
	r.clusterID, r.secondaryID, r.upstream = a.ClusterID, a.ID, p.name
	r.knownPrimaryAddrs = append([]string{}, a.KnownPrimaryAddrs...)
	r.primaryClusterAddr = a.PrimaryClusterAddr
	r.lastStart, r.initialSync, r.connState = q.now, true, connConnecting
	q.roleChange()
	return q.logical(nil, warnEnableSecondary)
}

// handleUpdatePrimary points a secondary at a (new) primary without a wipe:
// with a new activation token, with update_primary_addrs (the first that
// answers as a primary of this replication set wins), or with neither, which
// keeps the cluster a secondary that follows nobody.
func handleUpdatePrimary(q *request, t replType) response {
	c := q.c
	if !c.role(t).isSecondary() {
		return badRequest("cluster is not a %s secondary", t.label())
	}
	token := strings.TrimSpace(q.str("token"))
	addrs := q.strings("update_primary_addrs")
	if token != "" && len(addrs) > 0 {
		return badRequest(`"token" and "update_primary_addrs" are mutually exclusive`)
	}
	var p *cluster
	var a activationData
	switch {
	case token != "":
		var resp response
		var ok bool
		a, p, resp, ok = q.activate(t, token, strings.TrimSpace(q.str("primary_api_addr")))
		if !ok {
			return resp
		}
		if !c.role(t).isSecondary() {
			return badRequest("cluster is not a %s secondary", t.label())
		}
	case len(addrs) > 0:
		r := c.role(t)
		if r.secondaryID == "" {
			// A demoted primary holds no credentials for any primary: after a
			// failover it must use a new token (update-primary in
			// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr).
			return badRequest(`update_primary_addrs cannot be used by a cluster demoted from primary; supply a new activation token in "token"`)
		}
		for _, addr := range addrs {
			cand := q.l.clusterByNodeAddr(addr)
			if cand == nil || cand == c || !cand.up() || !q.l.reachable(c, cand) {
				continue
			}
			if pr := cand.role(t); pr.isPrimary() && pr.clusterID == r.clusterID {
				p = cand
				a = activationData{ClusterID: r.clusterID, ID: r.secondaryID, PrimaryClusterAddr: addr, KnownPrimaryAddrs: cand.nodeAddrs}
				break
			}
		}
		if p == nil {
			return badRequest("none of update_primary_addrs answered as a %s primary of this replication set", t.label())
		}
	}
	r := c.role(t)
	r.connected, r.phase, r.state = false, phaseConnecting, stateIdle
	r.lastStart = q.now
	if p == nil {
		r.upstream, r.connState, r.knownPrimaryAddrs = "", connIdle, nil
	} else {
		if p.name != r.upstream || a.ClusterID != r.clusterID {
			// WAL streams of different primaries are unrelated: resync.
			r.consistent = false
		}
		r.clusterID, r.secondaryID, r.upstream = a.ClusterID, a.ID, p.name
		r.knownPrimaryAddrs = append([]string{}, a.KnownPrimaryAddrs...)
		r.primaryClusterAddr = a.PrimaryClusterAddr
		r.connState, r.retryAt = connConnecting, q.now.Add(connectTime)
	}
	q.roleChange()
	return q.logical(nil, "This cluster's primary is being updated. Vault will be unavailable for a brief period and will resume service shortly. (simulated)")
}
