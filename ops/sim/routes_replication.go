package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Replication endpoints: status, primary, secondary and cluster-wide
// (https://developer.hashicorp.com/vault/api-docs/system/replication and the
// -performance and -dr pages). Texts no public source states end in
// "(simulated)".

func handleReplicationStatus(q *request) response {
	if q.c.ce {
		// "This path, though an enterprise path, has always been handled in OSS."
		return q.status(map[string]any{"mode": modeDisabled})
	}
	return q.status(q.l.replicationStatus(q.c, q.now))
}

func handleTypeStatus(q *request, t replType) response {
	return q.status(q.l.typeStatus(q.c, t, q.now))
}

// status is the envelope of the unauthenticated status paths: a real CE
// 1.17.6 answers sys/replication/status with mount_type "" (no mount
// serves the request), where other sys/ paths say "system". That the
// per-type status paths of Enterprise do the same is inferred: they are
// unauthenticated the same way.
func (q *request) status(data map[string]any) response {
	return jsonResponse(http.StatusOK, envelope{RequestID: q.l.ids.uuid(), MountType: "", Data: data})
}

func badRequest(format string, a ...any) response {
	return errResp(http.StatusBadRequest, fmt.Sprintf(format, a...)+" (simulated)")
}

// roleChange starts the brief outage every enable, demote, promote and
// disable causes.
func (q *request) roleChange() {
	q.c.unavailableUntil = q.now.Add(roleChangeOutage)
	q.c.write(q.now, &mutation{op: opLocalInternal})
}

func handleEnablePrimary(q *request, t replType) response {
	r := q.c.role(t)
	switch {
	case r.isPrimary() || (r.mode == modeBootstrapping && r.bootTo == modePrimary):
		return badRequest("cluster is already a %s primary", t.label())
	case r.isSecondary() || r.mode == modeBootstrapping:
		return badRequest("cluster is a %s secondary; it must be promoted to become a primary", t.label())
	}
	*r = *newRole(t)
	r.mode, r.bootTo, r.bootUntil = modeBootstrapping, modePrimary, q.now.Add(bootstrapTime)
	r.clusterID = q.l.ids.uuid()
	r.primaryClusterAddr = q.str("primary_cluster_addr")
	r.state = stateRunning
	q.roleChange()
	return q.logical(nil, warnEnablePrimary)
}

func handleDemote(q *request, t replType) response {
	c := q.c
	r := c.role(t)
	if !r.isPrimary() {
		return badRequest("cluster is not a %s primary", t.label())
	}
	r.mode, r.state = modeSecondary, stateIdle
	r.upstream, r.secondaryID, r.knownPrimaryAddrs = "", "", nil
	r.connected, r.connState, r.phase = false, connIdle, phaseStream
	r.known, r.peers = nil, map[string]*peerRecord{}
	r.lastRemoteWAL, r.lastStart = 0, q.now
	if t == drType {
		// A demoted DR primary is a DR secondary: its performance role is set
		// aside (its performance secondaries lose their primary) until it is
		// promoted again.
		if c.perf.enabled() {
			c.shadowPerf = cloneRole(c.perf)
		}
		c.perf = newRole(perfType)
	}
	q.roleChange()
	return q.logical(nil, warnDemote)
}

func handleDisablePrimary(q *request, t replType) response {
	r := q.c.role(t)
	if !r.isPrimary() && !(r.mode == modeBootstrapping && r.bootTo == modePrimary) {
		return badRequest("cluster is not a %s primary", t.label())
	}
	// Re-enabling later creates a new cluster ID: old secondaries cannot
	// reconnect without a new token (and a wipe).
	*r = *newRole(t)
	q.roleChange()
	return q.logical(nil, warnDisable)
}

// signingKey returns the key the cluster signs activation tokens with.
func (c *cluster) signingKey() error {
	if c.key != nil {
		return nil
	}
	k, err := newSigningKey()
	if err != nil {
		return err
	}
	c.key = k
	return nil
}

// primaryAndID is the start of the primary's endpoints about one secondary:
// the cluster must be a primary of type t, and "id" is required.
func (q *request) primaryAndID(t replType) (*role, string, response, bool) {
	r := q.c.role(t)
	if !r.isPrimary() {
		return nil, "", badRequest("cluster is not a %s primary", t.label()), false
	}
	id := strings.TrimSpace(q.str("id"))
	if id == "" {
		return nil, "", badRequest(`missing required parameter "id"`), false
	}
	return r, id, response{}, true
}

// handleSecondaryToken issues an activation token: a response-wrapped JWT, or
// with secondary_public_key an encrypted token in data.token.
func handleSecondaryToken(q *request, t replType) response {
	c := q.c
	r, id, resp, ok := q.primaryAndID(t)
	if !ok {
		return resp
	}
	if r.knows(id) {
		return badRequest("a secondary with id %q is already known; revoke it or choose another id", id)
	}
	ttl, err := q.duration("ttl", defaultTokenTTL)
	if err != nil || ttl <= 0 {
		return badRequest("invalid ttl %q", q.str("ttl"))
	}
	if err := c.signingKey(); err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	created := c.clock(q.now)
	wt := &wrapToken{jti: q.l.ids.token(), accessor: q.l.ids.accessor(), id: id, typ: t,
		clusterID: r.clusterID, created: created, ttl: ttl}
	// Once the token exists, the id is known whether or not it is ever used.
	issued := func() {
		c.wraps[wt.jti] = wt
		r.known = append(r.known, id)
		c.write(q.now, &mutation{op: opLocalInternal})
	}
	if pub := q.str("secondary_public_key"); pub != "" {
		tok, err := q.l.sealActivation(c, r, wt, pub)
		if err != nil {
			return badRequest("invalid secondary_public_key: %v", err)
		}
		issued()
		return q.logical(map[string]any{"token": tok})
	}
	jwt, err := signJWT(c.key, jwtClaims{
		Accessor: "", Addr: c.apiAddr, Exp: created.Add(ttl).Unix(), Iat: created.Unix(),
		JTI: wt.jti, Nbf: created.Add(-5 * time.Second).Unix(), Type: "wrapping",
	})
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	issued()
	// A wrapped response replaces the whole body: only wrap_info is filled,
	// request_id is empty and warnings are dropped (respondLogical in Vault's
	// http/logical.go).
	return jsonResponse(http.StatusOK, envelope{WrapInfo: &wrapInfo{
		Token: jwt, Accessor: wt.accessor, TTL: int(ttl.Seconds()),
		CreationTime: created.Format(time.RFC3339Nano), CreationPath: q.path,
	}})
}

func handleRevokeSecondary(q *request, t replType) response {
	c := q.c
	r, id, resp, ok := q.primaryAndID(t)
	if !ok {
		return resp
	}
	if !r.knows(id) {
		return badRequest("no secondary with id %q is known", id)
	}
	r.known = slices.DeleteFunc(r.known, func(k string) bool { return k == id })
	delete(r.peers, id)
	delete(r.filters, id)
	for _, w := range c.wraps {
		if w.id == id && w.typ == t {
			w.revoked = true
		}
	}
	c.write(q.now, &mutation{op: opLocalInternal})
	return noContent()
}

// paths filters are stored and served per secondary ID. The lab does not
// apply them to the data it replicates (see the package doc).
func (q *request) filterRole() (*role, response, bool) {
	r := q.c.perf
	if !r.isPrimary() {
		return nil, badRequest("cluster is not a performance primary"), false
	}
	return r, response{}, true
}

func handleReadPathsFilter(q *request) response {
	r, resp, ok := q.filterRole()
	if !ok {
		return resp
	}
	f, found := r.filters[q.params["id"]]
	if !found {
		return errResp(http.StatusNotFound)
	}
	return q.logical(map[string]any{"mode": f.mode, "paths": slices.Clone(f.paths)})
}

func handleWritePathsFilter(q *request) response {
	r, resp, ok := q.filterRole()
	if !ok {
		return resp
	}
	id := q.params["id"]
	if !r.knows(id) {
		return badRequest("no secondary with id %q is known", id)
	}
	mode := q.str("mode")
	if mode == "" {
		mode = "allow"
	}
	if mode != "allow" && mode != "deny" {
		return badRequest(`mode must be "allow" or "deny"`)
	}
	var paths []string
	for _, p := range q.strings("paths") {
		p = strings.Trim(p, "/") + "/"
		mount := p
		if strings.HasPrefix(p, "auth/") {
			mount = strings.TrimPrefix(p, "auth/")
			if q.c.data.auth[mount] == nil {
				return badRequest("cannot filter %q: no such mount", p)
			}
		} else if q.c.data.mounts[mount] == nil {
			return badRequest("cannot filter %q: no such mount", p)
		}
		paths = append(paths, p)
	}
	r.filters[id] = pathsFilter{mode: mode, paths: paths}
	q.c.write(q.now, &mutation{op: opLocalInternal})
	return noContent()
}

func handleDeletePathsFilter(q *request) response {
	r, resp, ok := q.filterRole()
	if !ok {
		return resp
	}
	delete(r.filters, q.params["id"])
	return noContent()
}

// handleDynamicFilter answers with empty lists: the lab has no namespaces, so
// nothing is ever filtered dynamically [I].
func handleDynamicFilter(q *request) response {
	r := q.c.perf
	id := q.params["id"]
	if !(r.isPrimary() && r.knows(id)) && !(r.isSecondary() && r.secondaryID == id) {
		return errResp(http.StatusNotFound)
	}
	return q.logical(map[string]any{"dynamic_filtered_mounts": []string{}, "dynamic_filtered_namespaces": []string{}})
}

// checkDROperationToken authorises the DR-secondary endpoints that take a
// dr_operation_token instead of a Vault token (promote, update-primary,
// disable, reindex, merkle-check and operation-token/delete, per
// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr): the routes
// marked drToken, before their handler runs.
func (q *request) checkDROperationToken() (response, bool) {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp, false
	}
	tok := strings.TrimSpace(q.str("dr_operation_token"))
	if tok == "" {
		return badRequest(`missing required parameter "dr_operation_token"`), false
	}
	if q.c.drOpTokens[tok] {
		return response{}, true
	}
	// A batch DR operation token (PromoteDRSecondaryWithBatchToken in Vault's
	// sdk/helper/testcluster/replication.go): a batch token created on
	// the primary, which DR replication carried here, whose policy allows
	// update on this path.
	if t := q.c.lookupToken(tok, q.now); t != nil && t.Type == tokenTypeBatch &&
		slices.Contains(q.c.capabilitiesOf(t, q.path), capUpdate) {
		return response{}, true
	}
	return badRequest("invalid DR operation token"), false
}

func handlePromote(q *request, t replType) response {
	c := q.c
	r := c.role(t)
	if !r.isSecondary() {
		return badRequest("cluster is not a %s secondary", t.label())
	}
	force, err := q.boolean("force")
	if err != nil {
		return badRequest("%v", err)
	}
	if r.initialSync && !force {
		// Paraphrased from a comment in Vault's
		// sdk/helper/testcluster/replication.go, which retries these 503s.
		return errResp(http.StatusServiceUnavailable, `replication is still catching up, try again later or provide the "force" argument (simulated)`)
	}
	r.mode, r.state = modePrimary, stateRunning
	r.upstream, r.secondaryID, r.knownPrimaryAddrs = "", "", nil
	r.connected, r.initialSync = false, false
	r.known, r.peers = nil, map[string]*peerRecord{}
	r.primaryClusterAddr = q.str("primary_cluster_addr")
	if t == drType {
		// The promoted cluster takes over its old primary's performance role
		// ("Promote DR secondary" in https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr):
		// a performance primary's DR becomes the performance
		// primary; a performance secondary's DR reconnects to the same
		// performance primary with the same ID.
		c.perf = newRole(perfType)
		if s := c.shadowPerf; s != nil && s.enabled() {
			np := cloneRole(s)
			switch np.mode {
			case modePrimary:
				np.state = stateRunning
			case modeSecondary:
				np.connected, np.connState, np.retryAt = false, connConnecting, q.now.Add(connectTime)
				np.phase, np.consistent, np.state = phaseConnecting, false, stateIdle
				np.lastStart = q.now
			default:
				np = newRole(perfType)
			}
			c.perf = np
		}
		c.shadowPerf = nil
	}
	q.roleChange()
	return q.logical(nil, warnPromote)
}

func handleDisableSecondary(q *request, t replType) response {
	c := q.c
	r := c.role(t)
	if !r.isSecondary() && !(r.mode == modeBootstrapping && r.bootTo == modeSecondary) {
		return badRequest("cluster is not a %s secondary", t.label())
	}
	*r = *newRole(t)
	if t == drType {
		c.shadowPerf = nil
	}
	q.roleChange()
	return q.logical(nil, warnDisable)
}

func handleRecover(q *request) response {
	for _, r := range []*role{q.c.perf, q.c.dr} {
		if r.isSecondary() && !r.connected {
			r.retryAt = q.now
		}
	}
	return q.logical(nil, "Replication recovery has been started; connections are being re-established (simulated)")
}

func handleDRRecover(q *request) response {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp
	}
	return handleRecover(q)
}

// handleReindex rebuilds the merkle trees: a few simulated seconds with the
// reindex fields in the status, after which corruption is cleared.
func handleReindex(q *request) response {
	c := q.c
	if !c.perf.enabled() && !c.dr.enabled() {
		return badRequest("replication is not enabled on this cluster")
	}
	if !c.reindexUntil.IsZero() {
		return badRequest("a reindex is already in progress")
	}
	c.reindexStart, c.reindexUntil = q.now, q.now.Add(reindexTime)
	return q.logical(nil, "Reindexing the merkle trees has started; watch reindex_in_progress in the replication status (simulated)")
}

// handleMerkleCheck reports the corruption state in the documented shape
// (the merkle-check sample of https://developer.hashicorp.com/vault/api-docs/system/replication)
// and records the check time.
func handleMerkleCheck(q *request) response {
	c := q.c
	corrupted := false
	setID := ""
	for _, r := range []*role{c.perf, c.dr} {
		if r.enabled() {
			r.lastCorruptionCheck = q.now
			corrupted = corrupted || r.corrupted
			if setID == "" {
				setID = r.clusterID
			}
		}
	}
	tree := func(kind string, bad bool) map[string]any {
		var tuples any
		if bad {
			tuples = map[string]any{"5": map[string]any{"corrupted": true, "subpages": []int{28}}}
		}
		// The replicated tree's hash follows the replicated content, so it
		// is the same on clusters in sync and on every check until a write;
		// the local tree's is the cluster's own.
		salt := c.name
		if kind == "replicated" {
			salt = setID
		}
		return map[string]any{"corrupted_index_tuples_map": tuples, "corrupted_subtree_root": bad,
			"root_hash": treeHash(c.data, kind, salt, bad), "tree_type": kind}
	}
	return q.logical(map[string]any{"merkle_corruption_report": map[string]any{
		"corrupted_root":              corrupted,
		"corrupted_tree_map":          map[string]any{"1": tree("replicated", corrupted), "2": tree("local", false)},
		"last_corruption_check_epoch": c.clock(q.now).Format(time.RFC3339Nano),
	}})
}
