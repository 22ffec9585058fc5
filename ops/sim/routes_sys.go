package sim

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// buildDate is the build date the simulated servers report.
const buildDate = "2024-09-24T19:48:40Z"

// licenseFeatures are the features of the lab's (simulated) licence; the two
// replication features are the ones the web UI gates on.
var licenseFeatures = []string{
	"HSM", "Performance Replication", "DR Replication", "MFA", "Sentinel", "Seal Wrapping",
	"Control Groups", "Performance Standby", "Namespaces", "KMIP", "Entropy Augmentation",
	"Transform Secrets Engine", "Lease Count Quotas", "Key Management Secrets Engine",
	"Automated Snapshots", "Key Management Transparent Data Encryption",
}

// healthMode is the replication mode sys/health reports for a type.
func (c *cluster) healthMode(t replType) string {
	if c.sealed {
		// A sealed Vault has not loaded its replication state: its health
		// says "unknown" for both types (consts.ReplicationUnknown).
		return "unknown"
	}
	if c.ce {
		return modeDisabled
	}
	if t == perfType && c.drSecondary() {
		return modeDisabled
	}
	return c.role(t).mode
}

// handleHealth implements sys/health with Vault's status codes and query
// overrides (http/sys_health.go; https://developer.hashicorp.com/vault/api-docs/system/health).
// The clusters have a single
// active node, so the standby codes never apply, but every parameter is still
// parsed as Vault parses it: a parameter that is present and does not parse
// (standbyok=maybe, activecode=, activecode=abc) is a 400 whose errors list
// is empty, because Vault's handler drops the error text. A code Go's HTTP
// server cannot send (below 100, above 999) makes Vault's WriteHeader panic,
// which cuts the connection; writeResponse does the same.
func handleHealth(q *request) response {
	c := q.c
	qs := q.hr.URL.Query()
	for _, name := range []string{"standbyok", "perfstandbyok"} {
		// Vault parses these with parseutil.ParseBool, a weak decode that
		// reads an empty value as false: a real 1.17.6 accepts ?standbyok=.
		if v, ok := qs[name]; ok && v[0] != "" {
			if _, err := strconv.ParseBool(v[0]); err != nil {
				return errResp(http.StatusBadRequest)
			}
		}
	}
	codes := map[string]int{
		"activecode": 200, "standbycode": 429, "drsecondarycode": 472, "performancestandbycode": 473,
		"uninitcode": 501, "sealedcode": 503, "haunhealthycode": 474, "removedcode": 530,
	}
	for name := range codes {
		if v, ok := qs[name]; ok {
			n, err := strconv.Atoi(v[0])
			if err != nil {
				return errResp(http.StatusBadRequest)
			}
			codes[name] = n
		}
	}
	// Order of checks as in Vault: uninitialised, removed, sealed, HA
	// unhealthy, DR secondary, performance standby, standby, active.
	status := codes["activecode"]
	switch {
	case c.sealed:
		status = codes["sealedcode"]
	case c.drSecondary() && !c.ce:
		status = codes["drsecondarycode"]
	}
	body := map[string]any{
		"initialized":                       true,
		"sealed":                            c.sealed,
		"standby":                           c.sealed, // a sealed node is not active
		"performance_standby":               false,
		"replication_performance_mode":      c.healthMode(perfType),
		"replication_dr_mode":               c.healthMode(drType),
		"server_time_utc":                   c.clock(q.now).Unix(),
		"version":                           c.displayVersion(),
		"enterprise":                        !c.ce,
		"echo_duration_ms":                  0,
		"clock_skew_ms":                     0,
		"replication_primary_canary_age_ms": 0,
	}
	if !c.sealed {
		body["cluster_name"] = c.name
		body["cluster_id"] = c.coreID
		// Community Edition has no WAL: its last_wal is 0, and omitted.
		if c.log.last > 0 && !c.ce {
			body["last_wal"] = c.log.last
		}
	}
	if !c.ce {
		body["license"] = map[string]any{"state": "autoloaded", "expiry_time": q.l.licenseExpiry().Format(time.RFC3339), "terminated": false}
	}
	// Fields added over the versions (enterprise, echo_duration_ms and
	// clock_skew_ms in 1.16, the canary age in 1.17): a personality that
	// predates them leaves them out.
	c.dropBefore(body, 1, 16, "enterprise", "echo_duration_ms", "clock_skew_ms")
	c.dropBefore(body, 1, 17, peerFields117...)
	return jsonResponse(status, body)
}

// licenseExpiry is a year after the lab was built.
func (l *Lab) licenseExpiry() time.Time {
	return l.bootTime.AddDate(1, 0, 0).UTC().Truncate(24 * time.Hour).Add(24*time.Hour - time.Second)
}

func sealStatus(q *request) map[string]any {
	c := q.c
	m := map[string]any{
		"type": "shamir", "initialized": true, "sealed": c.sealed, "t": 1, "n": 1, "progress": 0, "nonce": "",
		"version": c.displayVersion(), "build_date": buildDate, "migration": false,
		"recovery_seal": false, "storage_type": "raft",
	}
	if !c.sealed {
		m["cluster_name"] = c.name
		m["cluster_id"] = c.coreID
	}
	return m
}

func handleSealStatus(q *request) response { return jsonResponse(http.StatusOK, sealStatus(q)) }

// isUnsealShare reports whether a decoded key share is the lab's key.
func (l *Lab) isUnsealShare(share []byte) bool {
	want, _ := base64.StdEncoding.DecodeString(l.unsealKey)
	return subtle.ConstantTimeCompare(share, want) == 1
}

// handleUnseal takes the lab's single key share (threshold 1). The checks
// and their texts are Vault's http/sys_seal.go; only a well-formed key that is
// not the lab's has a simulated text (Vault's comes from the barrier).
func handleUnseal(q *request) response {
	c := q.c
	reset, _ := q.boolean("reset")
	key := q.str("key")
	switch {
	case reset && !c.sealed:
		return errResp(http.StatusBadRequest, "vault is unsealed")
	case reset:
		return jsonResponse(http.StatusOK, sealStatus(q))
	case key == "":
		return errResp(http.StatusBadRequest, errGenKeyMissing+", or 'reset' set to true")
	}
	share, err := decodeKeyShare(key)
	switch {
	case err != nil:
		return errResp(http.StatusBadRequest, errGenKeyEncoding)
	case !c.sealed:
		return jsonResponse(http.StatusOK, sealStatus(q))
	}
	if resp, ok := checkShareLength(share); !ok {
		return resp
	}
	if !q.l.isUnsealShare(share) {
		return errResp(http.StatusBadRequest, "invalid unseal key (simulated)")
	}
	c.sealed = false
	c.activeAt = q.now
	return jsonResponse(http.StatusOK, sealStatus(q))
}

func handleSeal(q *request) response {
	q.c.sealed = true
	return noContent()
}

// handleLeader implements sys/leader for a three-node Raft cluster whose
// active node is the one being asked.
func handleLeader(q *request) response {
	c := q.c
	m := map[string]any{
		"ha_enabled":                          true,
		"is_self":                             true,
		"active_time":                         c.clock(c.activeAt).Format(time.RFC3339Nano),
		"leader_address":                      c.apiAddr,
		"leader_cluster_address":              c.nodeAddrs[0],
		"performance_standby":                 false,
		"performance_standby_last_remote_wal": 0,
		"raft_committed_index":                c.log.last + 37,
		"raft_applied_index":                  c.log.last + 37,
	}
	if c.log.last > 0 && !c.ce {
		m["last_wal"] = c.log.last
	}
	return jsonResponse(http.StatusOK, m)
}

// handleHAStatus is sys/ha-status (vault operator members) for the same
// three-node cluster: the node asked is the active one, the other two are
// standbys echoing to it. Field names and JSON types are Vault's
// HAStatusNode: unlike replication status, the millisecond fields are
// numbers here. The body carries nodes at the top level and under data.
func handleHAStatus(q *request) response {
	c := q.c
	now := c.clock(q.now)
	scheme, _, _ := strings.Cut(c.apiAddr, "://") // the standbys listen as the active node does
	nodes := make([]map[string]any, len(c.nodeAddrs))
	for i, clusterAddr := range c.nodeAddrs {
		host := nodeHost(c.name, i)
		n := map[string]any{
			"hostname": host, "api_address": scheme + "://" + host + ":8200", "cluster_address": clusterAddr,
			"active_node": i == 0, "last_echo": nil, "version": c.displayVersion(),
			"echo_duration_ms": 0, "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0,
			// A real 1.17.6 reports each node's upgrade_version (the same as
			// its version when no upgrade is in progress).
			"upgrade_version": c.displayVersion(),
		}
		if i == 0 {
			n["api_address"] = c.apiAddr
		} else {
			// Standbys echo to the active node every second or so.
			n["last_echo"] = now.Add(-time.Duration(300*i) * time.Millisecond).Format(time.RFC3339Nano)
			n["echo_duration_ms"] = 1
		}
		c.dropBefore(n, 1, 16, "echo_duration_ms", "clock_skew_ms")
		c.dropBefore(n, 1, 17, peerFields117...)
		// Older versions' answers were not recorded: inferred absent.
		c.dropBefore(n, 1, 17, "upgrade_version")
		nodes[i] = n
	}
	return q.injected(map[string]any{"nodes": nodes})
}

// raftConfigRoute is what a token is checked against on sys/storage/raft/
// configuration outside a DR secondary (no sudo needed).
var raftConfigRoute = &route{pattern: "sys/storage/raft/configuration"}

// handleRaftConfiguration is sys/storage/raft/configuration (vault operator
// raft list-peers): the three Raft servers of the cluster, the one asked
// leading. A token is needed, except on a DR secondary, where Vault makes the
// path unauthenticated and takes a dr_operation_token instead, through an
// update (the CLI's -dr-token); a read there, token or not, is refused like
// any other path (NewSystemBackend in vault/logical_system.go).
func handleRaftConfiguration(q *request) response {
	c := q.c
	if c.drSecondary() {
		if q.op != "update" {
			return errResp(http.StatusBadRequest, errDRSecondary)
		}
		if resp, ok := q.checkDROperationToken(); !ok {
			return resp
		}
	} else if resp, ok := q.authorize(raftConfigRoute); !ok {
		return resp
	}
	servers := make([]map[string]any, len(c.nodeAddrs))
	for i, addr := range c.nodeAddrs {
		host := nodeHost(c.name, i)
		servers[i] = map[string]any{"node_id": host, "address": strings.TrimPrefix(addr, "https://"),
			"leader": i == 0, "protocol_version": "3", "voter": true}
	}
	// The configuration's index: the entry that last changed the membership,
	// early in the cluster's life.
	return q.logical(map[string]any{"config": map[string]any{"index": 12, "servers": servers}})
}

func (l *Lab) licenseBlock() map[string]any {
	start := l.bootTime.UTC().Truncate(24 * time.Hour)
	exp := l.licenseExpiry()
	return map[string]any{
		"expiration_time":           exp.Format(time.RFC3339),
		"features":                  slices.Clone(licenseFeatures),
		"license_id":                l.licenseID,
		"performance_standby_count": 9999,
		"start_time":                start.Format(time.RFC3339),
		"termination_time":          exp.AddDate(0, 0, 10).Format(time.RFC3339),
	}
}

func handleLicenseStatus(q *request) response {
	return q.logical(map[string]any{
		"autoloading_used":   true,
		"autoloaded":         q.l.licenseBlock(),
		"persisted_autoload": q.l.licenseBlock(),
	})
}

// handleLicenseFeatures answers sys/license/features; the web UI reads the
// features at the top level, so they are injected there as well [I].
func handleLicenseFeatures(q *request) response {
	return q.injected(map[string]any{"features": slices.Clone(licenseFeatures)})
}

// handleCapabilitiesSelf returns one key per path plus, for a single path,
// "capabilities" (kept by Vault for backwards compatibility), injected at the
// top level as well.
func handleCapabilitiesSelf(q *request) response {
	return q.capabilities(q.token)
}

// handleCapabilities is POST sys/capabilities: the capabilities of the
// token named in the body (a real 1.17.6 answers it like capabilities-self,
// data repeated at the top level). An unknown token is a 400 "invalid
// token", inferred from Vault's core (Core.Capabilities).
func handleCapabilities(q *request) response {
	t := q.c.lookupToken(q.str("token"), q.now)
	if t == nil {
		return errResp(http.StatusBadRequest, "invalid token")
	}
	return q.capabilities(t)
}

func (q *request) capabilities(t *tokenEntry) response {
	paths := q.strings("paths")
	if len(paths) == 0 {
		paths = q.strings("path")
	}
	if len(paths) == 0 {
		return errResp(http.StatusBadRequest, "paths must be supplied (simulated)")
	}
	data := map[string]any{}
	for _, p := range paths {
		data[p] = q.c.capabilitiesOf(t, strings.TrimPrefix(p, "/"))
	}
	if len(paths) == 1 {
		data["capabilities"] = data[paths[0]]
	}
	return q.injected(data)
}

// tokenType is a token's type as lookup-self reports it.
func tokenType(t *tokenEntry) string {
	if t.Type == "" {
		return tokenTypeService
	}
	return t.Type
}

// handleLookupSelf implements auth/token/lookup-self (the CLI calls it after
// `vault login <token>`).
func handleLookupSelf(q *request) response {
	t := q.token
	var expire any
	ttl := int64(0)
	if t.TTL > 0 {
		exp := t.Created.Add(t.TTL)
		expire = q.c.clock(exp).Format(time.RFC3339Nano)
		ttl = int64(exp.Sub(q.now).Seconds())
	}
	var meta any
	if len(t.Meta) > 0 {
		meta = t.Meta
	}
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "token", Data: map[string]any{
		"accessor":         t.Accessor,
		"creation_time":    t.Created.Unix(),
		"creation_ttl":     int64(t.TTL.Seconds()),
		"display_name":     t.DisplayName,
		"entity_id":        t.EntityID,
		"expire_time":      expire,
		"explicit_max_ttl": 0,
		"id":               t.ID,
		"issue_time":       q.c.clock(t.Created).Format(time.RFC3339Nano),
		"meta":             meta,
		"num_uses":         0,
		"orphan":           t.Orphan,
		"path":             t.Path,
		"policies":         slices.Clone(t.Policies),
		"renewable":        t.Renewable,
		"ttl":              ttl,
		"type":             tokenType(t),
	}}
	if t.Path == "auth/token/root" {
		// Vault's token store adds issue_time and renewable from the token's
		// lease (handleLookup in vault/token_store.go); a root token made by
		// init or generate-root has none, and a real 1.17.6 leaves both out.
		data := env.Data.(map[string]any)
		delete(data, "issue_time")
		delete(data, "renewable")
	}
	return jsonResponse(http.StatusOK, env)
}
