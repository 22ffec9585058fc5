package sim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// The API surface of a simulated cluster. Flags follow Vault's
// vault/logical_system.go (PathsSpecial: which paths are unauthenticated or
// need sudo), what a DR secondary still answers (status, unseal and the
// DR-operation-token endpoints of
// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr) and
// vault/logical_system_helpers.go (what Community Edition stubs out).

// routeTable is built on first use: every vaultrepl process links this
// package, and only the lab and the demo serve requests.
var routeTable = sync.OnceValue(buildRoutes)

func ops(kv ...any) map[string]handlerFunc {
	m := map[string]handlerFunc{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(handlerFunc)
	}
	return m
}

func buildRoutes() []*route {
	var rs []*route
	add := func(r route) { rs = append(rs, &r) }

	// Status and seal endpoints, answered in every state.
	add(route{pattern: "sys/health", unauth: true, raw: true, sealedOK: true, drOK: true, alwaysUp: true,
		ops: ops("read", handlerFunc(handleHealth), "head", handlerFunc(handleHealth))})
	add(route{pattern: "sys/seal-status", unauth: true, raw: true, sealedOK: true, drOK: true, alwaysUp: true,
		ops: ops("read", handlerFunc(handleSealStatus))})
	add(route{pattern: "sys/unseal", unauth: true, raw: true, sealedOK: true, drOK: true, alwaysUp: true,
		ops: ops("update", handlerFunc(handleUnseal))})
	add(route{pattern: "sys/seal", sudo: true, ops: ops("update", handlerFunc(handleSeal))})
	add(route{pattern: "sys/leader", unauth: true, raw: true, drOK: true, alwaysUp: true,
		ops: ops("read", handlerFunc(handleLeader))})
	add(route{pattern: "sys/license/status", ent: true, ops: ops("read", handlerFunc(handleLicenseStatus))})
	add(route{pattern: "sys/ha-status", ops: ops("read", handlerFunc(handleHAStatus))})
	add(route{pattern: "sys/key-status", ops: ops("read", handlerFunc(handleKeyStatus))})
	add(route{pattern: "sys/host-info", rootNS: true, ops: ops("read", handlerFunc(handleHostInfo))})
	add(route{pattern: "sys/version-history", ops: ops("list", handlerFunc(handleVersionHistory))})
	add(route{pattern: "sys/internal/ui/mounts", unauth: true, ops: ops("read", handlerFunc(handleUIMounts))})
	add(route{pattern: "sys/internal/ui/mounts/*path", unauth: true, ops: ops("read", handlerFunc(handleUIMount))})
	// Authorised in the handler: by a token, or on a DR secondary by a DR
	// operation token.
	add(route{pattern: "sys/storage/raft/configuration", unauth: true, drOK: true,
		ops: ops("read", handlerFunc(handleRaftConfiguration), "update", handlerFunc(handleRaftConfiguration))})
	add(route{pattern: "sys/license/features", unauth: true, ent: true, ceAbsent: true, ops: ops("read", handlerFunc(handleLicenseFeatures))})
	add(route{pattern: "sys/capabilities-self", ops: ops("update", handlerFunc(handleCapabilitiesSelf))})
	add(route{pattern: "sys/capabilities", ops: ops("update", handlerFunc(handleCapabilities))})
	add(route{pattern: "sys/wrapping/unwrap", unauth: true, ops: ops("update", handlerFunc(handleUnwrap))})
	add(route{pattern: "sys/decode-token", unauth: true, drOK: true, ops: ops("update", handlerFunc(handleDecodeToken))})
	add(route{pattern: "auth/token/lookup-self", ops: ops("read", handlerFunc(handleLookupSelf))})
	add(route{pattern: "auth/token/create", ops: ops("update", handleTokenCreate(false))})
	add(route{pattern: "auth/token/create-orphan", ops: ops("update", handleTokenCreate(true))})

	// Auth methods, secrets engines, policies, userpass.
	add(route{pattern: "sys/auth", ops: ops("read", handlerFunc(handleListAuth))})
	add(route{pattern: "sys/auth/*path", sudo: true,
		ops: ops("update", handlerFunc(handleEnableAuth), "delete", handlerFunc(handleDisableAuth))})
	add(route{pattern: "sys/mounts", ops: ops("read", handlerFunc(handleListMounts))})
	add(route{pattern: "sys/mounts/auth/*path", ops: ops("read", handlerFunc(handleReadAuthMount))})
	add(route{pattern: "sys/mounts/*path",
		ops: ops("read", handlerFunc(handleReadMount), "update", handlerFunc(handleEnableMount), "delete", handlerFunc(handleDisableMount))})
	// A list operation only (LIST, or GET with ?list=true): a plain GET is
	// an unsupported operation, as in Vault.
	add(route{pattern: "sys/policies/acl", ops: ops("list", handlerFunc(handleListPolicies))})
	add(route{pattern: "sys/policies/acl/:name",
		ops: ops("read", handlerFunc(handleReadPolicy), "update", handlerFunc(handleWritePolicy), "delete", handlerFunc(handleDeletePolicy))})
	add(route{pattern: "auth/:mount/login/:user", unauth: true, ops: ops("update", handlerFunc(handleUserpassLogin))})
	add(route{pattern: "auth/:mount/users", ops: ops("list", handlerFunc(handleListUsers))})
	add(route{pattern: "auth/:mount/users/:user",
		ops: ops("read", handlerFunc(handleReadUser), "update", handlerFunc(handleWriteUser), "delete", handlerFunc(handleDeleteUser))})

	// Replication status: unauthenticated, answered by DR secondaries.
	add(route{pattern: "sys/replication/status", unauth: true, rootNS: true, drOK: true, alwaysUp: true,
		ops: ops("read", handlerFunc(handleReplicationStatus))})
	for _, t := range []replType{perfType, drType} {
		add(route{pattern: "sys/replication/" + t.String() + "/status", unauth: true, rootNS: true, drOK: true, alwaysUp: true, ent: true,
			ops: ops("read", typed(t, handleTypeStatus))})
	}

	// Primary endpoints of the -performance and -dr API pages, plus the
	// legacy generic paths (sys/replication/primary/…, the pre-DR names, still
	// registered in vault/logical_system.go), which are the performance ones.
	for _, base := range []struct {
		prefix string
		t      replType
	}{{"sys/replication/performance/primary/", perfType}, {"sys/replication/dr/primary/", drType}, {"sys/replication/primary/", perfType}} {
		rep := func(p string, sudo bool, h handlerFunc) {
			add(route{pattern: base.prefix + p, rootNS: true, ent: true, sudo: sudo, ops: ops("update", h)})
		}
		rep("enable", false, typed(base.t, handleEnablePrimary))
		rep("demote", false, typed(base.t, handleDemote))
		rep("disable", false, typed(base.t, handleDisablePrimary))
		rep("secondary-token", true, typed(base.t, handleSecondaryToken))
		rep("revoke-secondary", false, typed(base.t, handleRevokeSecondary))
	}
	add(route{pattern: "sys/replication/performance/primary/paths-filter/:id", rootNS: true, ent: true,
		ops: ops("read", handlerFunc(handleReadPathsFilter), "update", handlerFunc(handleWritePathsFilter), "delete", handlerFunc(handleDeletePathsFilter))})
	add(route{pattern: "sys/replication/performance/primary/dynamic-filter/:id", rootNS: true, ent: true,
		ops: ops("read", handlerFunc(handleDynamicFilter))})
	add(route{pattern: "sys/replication/performance/secondary/dynamic-filter/:id", rootNS: true, ent: true,
		ops: ops("read", handlerFunc(handleDynamicFilter))})

	// Performance secondary endpoints (https://developer.hashicorp.com/vault/api-docs/system/replication/replication-performance)
	// and their legacy names.
	for _, prefix := range []string{"sys/replication/performance/secondary/", "sys/replication/secondary/"} {
		// promote, disable and update-primary answer during the initial sync:
		// they are how an operator gets out of one.
		sec := func(p string, up bool, h handlerFunc) {
			add(route{pattern: prefix + p, rootNS: true, ent: true, alwaysUp: up, ops: ops("update", h)})
		}
		sec("enable", false, typed(perfType, handleEnableSecondary))
		sec("promote", true, typed(perfType, handlePromote))
		sec("disable", true, typed(perfType, handleDisableSecondary))
		sec("update-primary", true, typed(perfType, handleUpdatePrimary))
		sec("generate-public-key", false, handlerFunc(handleGeneratePublicKey))
	}

	// DR secondary endpoints (https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr):
	// enable takes a token like any write; the
	// rest are unauthenticated, and those that change the cluster are
	// authorised by a dr_operation_token in the body instead.
	add(route{pattern: "sys/replication/dr/secondary/enable", rootNS: true, ent: true,
		ops: ops("update", typed(drType, handleEnableSecondary))})
	add(route{pattern: "sys/replication/dr/secondary/generate-public-key", rootNS: true, ent: true, drOK: true,
		ops: ops("update", handlerFunc(handleGeneratePublicKey))})
	drsec := func(p string, drToken bool, m map[string]handlerFunc) {
		add(route{pattern: "sys/replication/dr/secondary/" + p, unauth: true, rootNS: true, ent: true, drOK: true, alwaysUp: true,
			drToken: drToken, ops: m, ceAbsent: strings.HasPrefix(p, "generate-operation-token/")})
	}
	drsec("promote", true, ops("update", typed(drType, handlePromote)))
	drsec("disable", true, ops("update", typed(drType, handleDisableSecondary)))
	drsec("update-primary", true, ops("update", typed(drType, handleUpdatePrimary)))
	drsec("recover", false, ops("update", handlerFunc(handleDRRecover)))
	drsec("reindex", true, ops("update", handlerFunc(handleReindex)))
	drsec("merkle-check", true, ops("update", handlerFunc(handleMerkleCheck)))
	drsec("operation-token/delete", true, ops("update", handlerFunc(handleDeleteOperationToken)))
	drsec("generate-operation-token/attempt", false, ops("read", handlerFunc(opFlow.handleStatus),
		"update", handlerFunc(opFlow.handleStart), "delete", handlerFunc(opFlow.handleCancel)))
	drsec("generate-operation-token/update", false, ops("update", handlerFunc(opFlow.handleUpdate)))

	// A new root token from key shares: how an operator regains root on a
	// performance secondary whose tokens activation purged. Served by the HTTP
	// layer, so it answers during the initial sync.
	add(route{pattern: "sys/generate-root/attempt", unauth: true, raw: true, alwaysUp: true,
		ops: ops("read", handlerFunc(rootFlow.handleStatus), "update", handlerFunc(rootFlow.handleStart), "delete", handlerFunc(rootFlow.handleCancel))})
	add(route{pattern: "sys/generate-root/update", unauth: true, raw: true, alwaysUp: true,
		ops: ops("update", handlerFunc(rootFlow.handleUpdate))})

	// Cluster-wide endpoints (recover, merkle-check, reindex:
	// https://developer.hashicorp.com/vault/api-docs/system/replication).
	add(route{pattern: "sys/replication/recover", rootNS: true, ent: true, ops: ops("update", handlerFunc(handleRecover))})
	add(route{pattern: "sys/replication/merkle-check", rootNS: true, ent: true, ops: ops("update", handlerFunc(handleMerkleCheck))})
	for _, p := range []string{"sys/replication/reindex", "sys/replication/dr/reindex", "sys/replication/performance/reindex"} {
		add(route{pattern: p, rootNS: true, ent: true, sudo: true, ops: ops("update", handlerFunc(handleReindex))})
	}
	return rs
}

// typed binds a replication type to a handler shared by both types.
func typed(t replType, h func(*request, replType) response) handlerFunc {
	return func(q *request) response { return h(q, t) }
}

// unknownRoute answers paths the lab does not serve. It still requires a token
// (so an anonymous probe sees 403, as in Vault), and on a DR secondary it is
// one more disabled path.
var unknownRoute = &route{ops: ops("read", handlerFunc(handleUnknown), "list", handlerFunc(handleUnknown),
	"update", handlerFunc(handleUnknown), "delete", handlerFunc(handleUnknown))}

func (l *Lab) findRoute(c *cluster, path string) (*route, map[string]string) {
	for _, rt := range routeTable() {
		if p, ok := rt.match(path); ok {
			return rt, p
		}
	}
	if rt, p := c.kvRoute(path); rt != nil {
		return rt, p
	}
	if strings.HasPrefix(path, "sys/replication/") {
		// Every replication path is an Enterprise stub on CE.
		return &route{rootNS: true, ent: true, ops: unknownRoute.ops}, nil
	}
	return unknownRoute, nil
}

func handleUnknown(q *request) response {
	if strings.HasPrefix(q.path, "sys/") || strings.HasPrefix(q.path, "auth/") {
		if strings.HasPrefix(q.path, "sys/") || q.c.data.auth[strings.SplitN(strings.TrimPrefix(q.path, "auth/"), "/", 2)[0]+"/"] != nil {
			return errResp(http.StatusNotFound, multiError(errUnsupportedPath)) // as a real 1.17.6 answers GET sys/nonexistent-path
		}
	}
	mount := strings.SplitN(q.path, "/", 2)[0] + "/"
	if m := q.c.data.mounts[mount]; m != nil && !m.Builtin {
		return errResp(http.StatusNotFound, fmt.Sprintf("reading and writing secrets in %q is not simulated: the lab serves KV engines only (simulated)", mount))
	}
	return errResp(http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", q.path))
}
