package sim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Auth methods, secrets engines, ACL policies and userpass: the replicated
// configuration the lab uses to make replication observable. Writes of
// replicated data on a performance secondary are forwarded to the primary and
// come back through the WAL stream, as in Vault.

var (
	authTypes   = []string{"userpass", "approle", "ldap", "github", "jwt", "oidc", "kubernetes", "cert", "aws", "azure", "gcp", "okta", "radius", "kerberos", "oci", "alicloud", "cf"}
	secretTypes = []string{"kv", "kv-v2", "pki", "transit", "database", "aws", "azure", "gcp", "ssh", "totp", "consul", "nomad", "rabbitmq", "ldap", "kmip", "transform", "keymgmt"}
)

// mountJSON is a mount as sys/mounts and sys/auth list it. Vault adds
// config.token_type to every auth method (the credential table), never to a
// secrets engine; "default-service" is what an auth method gets when enabled
// without one.
func (c *cluster) mountJSON(m *mountEntry, auth bool) map[string]any {
	cfg := map[string]any{"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0}
	if auth {
		cfg["token_type"] = "default-service"
	}
	if m.Passthrough != nil {
		cfg["passthrough_request_headers"] = slices.Clone(m.Passthrough)
	}
	running := "v" + trimEnt(c.version) + "+builtin.vault"
	if m.Type == "kv" {
		// The KV plugin is versioned apart from Vault; 1.17.6 ships v0.19.0.
		running = kvPluginVersion
	}
	var opts any
	if m.Options != nil {
		opts = maps.Clone(m.Options)
	}
	out := map[string]any{
		"accessor": m.Accessor, "config": cfg, "description": m.Description,
		"external_entropy_access": false, "local": m.Local, "options": opts,
		"plugin_version": "", "running_plugin_version": running,
		"running_sha256": "", "seal_wrap": m.SealWrap, "type": m.Type, "uuid": m.UUID,
	}
	if !m.Builtin {
		out["deprecation_status"] = "supported"
	}
	return out
}

// kvPluginVersion is running_plugin_version of a KV engine, as a real
// 1.17.6 reports it.
const kvPluginVersion = "v0.19.0+builtin"

func handleListAuth(q *request) response {
	data := map[string]any{}
	for k, m := range q.c.data.auth {
		data[k] = q.c.mountJSON(m, true)
	}
	return q.injected(data)
}

func handleListMounts(q *request) response {
	data := map[string]any{}
	for k, m := range q.c.data.mounts {
		data[k] = q.c.mountJSON(m, false)
	}
	return q.injected(data)
}

func mountPath(p string) string { return strings.Trim(p, "/") + "/" }

func handleReadAuthMount(q *request) response {
	m := q.c.data.auth[mountPath(q.params["path"])]
	if m == nil {
		return badRequest("no auth method mounted at %q", mountPath(q.params["path"]))
	}
	return q.logical(q.c.mountJSON(m, true))
}

func handleReadMount(q *request) response {
	m := q.c.data.mounts[mountPath(q.params["path"])]
	if m == nil {
		return badRequest("no secrets engine mounted at %q", mountPath(q.params["path"]))
	}
	return q.logical(q.c.mountJSON(m, false))
}

// replicate applies a write to the replicated configuration: on a performance
// secondary the change goes to the primary (and comes back through the WAL
// stream); local changes and everything elsewhere apply here.
func (q *request) replicate(m *mutation) (response, bool) {
	c := q.c
	if !c.perfSecondary() || !m.perf(c.data) {
		c.write(q.now, m)
		return response{}, true
	}
	p := q.l.primaryFor(c.perf)
	if p == nil || !c.perf.connected || !q.l.linkUp(c, c.perf, p) {
		return errResp(http.StatusInternalServerError,
			multiError("error forwarding the request to the performance primary: no connection to the primary (simulated)")), false
	}
	p.write(q.now, m)
	return response{}, true
}

func (q *request) enableMount(auth bool) response {
	c := q.c
	path := mountPath(q.params["path"])
	typ := q.str("type")
	if typ == "" {
		return errResp(http.StatusBadRequest, "backend type must be specified as a string")
	}
	table, known, prefix := c.data.mounts, secretTypes, ""
	if auth {
		table, known, prefix = c.data.auth, authTypes, "auth_"
	}
	version2 := typ == "kv-v2"
	if version2 {
		typ = "kv"
	}
	if !slices.Contains(known, typ) {
		return errResp(http.StatusBadRequest, "plugin not found in the catalog: "+typ)
	}
	if table[path] != nil || (!auth && (path == "sys/" || path == "auth/")) {
		return errResp(http.StatusBadRequest, "path is already in use at "+path)
	}
	local, err := q.boolean("local")
	if err != nil {
		return badRequest("%v", err)
	}
	sealWrap, _ := q.boolean("seal_wrap")
	m := &mountEntry{Path: path, Type: typ, Description: q.str("description"), Local: local, SealWrap: sealWrap,
		Accessor: prefix + strings.ReplaceAll(typ, "-", "_") + "_" + q.l.ids.hex(8), UUID: q.l.ids.uuid()}
	if o, ok := q.body["options"].(map[string]any); ok {
		m.Options = map[string]string{}
		for k, v := range o {
			m.Options[k] = fmt.Sprint(v)
		}
	}
	if version2 {
		// Vault enables "kv-v2" as type kv with options.version "2".
		if m.Options == nil {
			m.Options = map[string]string{}
		}
		m.Options["version"] = "2"
	}
	op := opMountEnable
	if auth {
		op = opAuthEnable
	}
	if resp, ok := q.replicate(&mutation{op: op, key: path, mount: m}); !ok {
		return resp
	}
	return noContent()
}

func (q *request) disableMount(auth bool) response {
	path := mountPath(q.params["path"])
	table, op := q.c.data.mounts, opMountDisable
	if auth {
		table, op = q.c.data.auth, opAuthDisable
	}
	m := table[path]
	if m == nil {
		return noContent()
	}
	if m.Builtin {
		return badRequest("cannot disable the built-in mount %q", path)
	}
	if resp, ok := q.replicate(&mutation{op: op, key: path}); !ok {
		return resp
	}
	return noContent()
}

func handleEnableAuth(q *request) response   { return q.enableMount(true) }
func handleDisableAuth(q *request) response  { return q.disableMount(true) }
func handleEnableMount(q *request) response  { return q.enableMount(false) }
func handleDisableMount(q *request) response { return q.disableMount(false) }

// handleListPolicies lists ACL policies as Vault does: the stored names in
// storage order (sorted), then "root" appended in the root namespace. Only
// the legacy sys/policy path adds a "policies" copy of "keys".
func handleListPolicies(q *request) response {
	keys := slices.Sorted(maps.Keys(q.c.data.policies))
	keys = append(keys, "root")
	return q.logical(map[string]any{"keys": keys})
}

func handleReadPolicy(q *request) response {
	name := strings.ToLower(q.params["name"])
	if name == "root" {
		return q.logical(map[string]any{"name": "root", "policy": ""})
	}
	text, ok := q.c.data.policies[name]
	if !ok {
		return errResp(http.StatusNotFound)
	}
	return q.logical(map[string]any{"name": name, "policy": text})
}

func handleWritePolicy(q *request) response {
	name := strings.ToLower(q.params["name"])
	if name == "root" {
		return badRequest("the root policy cannot be changed")
	}
	text := q.str("policy")
	if _, err := parsePolicy(text); err != nil || strings.TrimSpace(text) == "" {
		if err == nil {
			err = fmt.Errorf("the policy is empty")
		}
		return errResp(http.StatusBadRequest, "failed to parse policy: "+err.Error())
	}
	if resp, ok := q.replicate(&mutation{op: opPolicyPut, key: name, policy: text}); !ok {
		return resp
	}
	return noContent()
}

func handleDeletePolicy(q *request) response {
	name := strings.ToLower(q.params["name"])
	if name == "root" || name == "default" {
		return badRequest("the %s policy cannot be deleted", name)
	}
	if _, ok := q.c.data.policies[name]; !ok {
		return noContent()
	}
	if resp, ok := q.replicate(&mutation{op: opPolicyDelete, key: name}); !ok {
		return resp
	}
	return noContent()
}

// userpassMount returns the userpass auth method named in the path.
func (q *request) userpassMount() (string, response, bool) {
	mount := q.params["mount"] + "/"
	m := q.c.data.auth[mount]
	if m == nil {
		return "", errResp(http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", q.path)), false
	}
	if m.Type != "userpass" {
		return "", errResp(http.StatusNotFound, errUnsupportedPath), false
	}
	return mount, response{}, true
}

// handleUserpassLogin checks the password and issues a token local to this
// cluster (tokens never travel on performance replication).
func handleUserpassLogin(q *request) response {
	mount, resp, ok := q.userpassMount()
	if !ok {
		return resp
	}
	user := strings.ToLower(q.params["user"])
	u := q.c.data.users[userKey(mount, user)]
	if u == nil || u.PasswordHash != hashPassword(q.str("password")) {
		// Vault CE's userpass backend answers a bad login this way.
		return errResp(http.StatusBadRequest, "invalid username or password")
	}
	policies := append([]string{"default"}, u.Policies...)
	slices.Sort(policies)
	policies = slices.Compact(policies)
	t := &tokenEntry{ID: q.l.ids.serviceToken(), Accessor: q.l.ids.accessor(), Policies: policies,
		Path: "auth/" + mount + "login/" + user, DisplayName: strings.TrimSuffix(mount, "/") + "-" + user,
		Meta: map[string]string{"username": user}, EntityID: q.l.ids.uuid(), Created: q.now,
		TTL: loginTokenTTL, Renewable: true, Orphan: true}
	q.c.write(q.now, &mutation{op: opTokenCreate, key: t.ID, token: t})
	return jsonResponse(http.StatusOK, envelope{RequestID: q.l.ids.uuid(), MountType: "userpass", Auth: &authBlock{
		ClientToken: t.ID, Accessor: t.Accessor, Policies: slices.Clone(policies), TokenPolicies: slices.Clone(policies),
		Metadata: map[string]string{"username": user}, LeaseDuration: int(loginTokenTTL.Seconds()), Renewable: true,
		EntityID: t.EntityID, TokenType: "service", Orphan: true,
	}})
}

func handleListUsers(q *request) response {
	mount, resp, ok := q.userpassMount()
	if !ok {
		return resp
	}
	var keys []string
	for k := range q.c.data.users {
		if name, found := strings.CutPrefix(k, mount+"|"); found {
			keys = append(keys, name)
		}
	}
	if len(keys) == 0 {
		return errResp(http.StatusNotFound)
	}
	slices.Sort(keys)
	return q.logical(map[string]any{"keys": keys})
}

func handleReadUser(q *request) response {
	mount, resp, ok := q.userpassMount()
	if !ok {
		return resp
	}
	u := q.c.data.users[userKey(mount, q.params["user"])]
	if u == nil {
		return errResp(http.StatusNotFound)
	}
	return q.logical(map[string]any{
		"policies": slices.Clone(u.Policies), "token_policies": slices.Clone(u.Policies),
		"token_bound_cidrs": []string{}, "token_explicit_max_ttl": 0, "token_max_ttl": 0,
		"token_no_default_policy": false, "token_num_uses": 0, "token_period": 0, "token_ttl": 0, "token_type": "default",
	})
}

func handleWriteUser(q *request) response {
	mount, resp, ok := q.userpassMount()
	if !ok {
		return resp
	}
	key := userKey(mount, q.params["user"])
	prev := q.c.data.users[key]
	u := &userEntry{}
	if prev != nil {
		u = prev.clone()
	}
	if pw := q.str("password"); pw != "" {
		u.PasswordHash = hashPassword(pw)
	} else if prev == nil {
		return badRequest("missing password")
	}
	if q.has("token_policies") {
		u.Policies = q.strings("token_policies")
	} else if q.has("policies") {
		u.Policies = q.strings("policies")
	}
	if resp, ok := q.replicate(&mutation{op: opUserPut, key: key, user: u}); !ok {
		return resp
	}
	return noContent()
}

func handleDeleteUser(q *request) response {
	mount, resp, ok := q.userpassMount()
	if !ok {
		return resp
	}
	key := userKey(mount, q.params["user"])
	if q.c.data.users[key] == nil {
		return noContent()
	}
	if resp, ok := q.replicate(&mutation{op: opUserDelete, key: key}); !ok {
		return resp
	}
	return noContent()
}

// defaultLeaseTTLSeconds is Vault's default for default_lease_ttl and
// max_lease_ttl (32 days), which sys/internal/ui/mounts reports in place of a
// mount's 0.
const defaultLeaseTTLSeconds = 32 * 24 * 3600

// handleUIMounts is sys/internal/ui/mounts: the mounts the caller's token
// may use, as the web UI lists them (pathInternalUIMountsRead). No token is
// an empty listing; a token the cluster does not know is refused as on any
// path. mount_type is "", as a real 1.17.6 sends it.
func handleUIMounts(q *request) response {
	c := q.c
	auth, secret := map[string]any{}, map[string]any{}
	if id := clientToken(q.hr); id != "" {
		t := c.lookupToken(id, q.now)
		if t == nil {
			return errResp(http.StatusForbidden, c.invalidTokenError())
		}
		for p, m := range c.data.mounts {
			if c.hasMountAccess(t, p) {
				secret[p] = c.uiMountJSON(m, false)
			}
		}
		for p, m := range c.data.auth {
			if c.hasMountAccess(t, "auth/"+p) {
				auth[p] = c.uiMountJSON(m, true)
			}
		}
	}
	return q.status(map[string]any{"auth": auth, "secret": secret})
}

// uiMountJSON is a mount as the sys/internal/ui paths show it: the lease
// TTLs resolved to the system default instead of 0.
func (c *cluster) uiMountJSON(m *mountEntry, auth bool) map[string]any {
	data := c.mountJSON(m, auth)
	cfg := data["config"].(map[string]any)
	cfg["default_lease_ttl"], cfg["max_lease_ttl"] = defaultLeaseTTLSeconds, defaultLeaseTTLSeconds
	return data
}

// handleUIMount is sys/internal/ui/mounts/<path>: the mount that serves
// path, which the vault kv commands ask first to learn the KV version. As in
// Vault (pathInternalUIMountRead) the path is unauthenticated but answers
// only a token with some access to the mount; otherwise, and for a path no
// mount serves, it is a 403 that does not tell the two apart.
func handleUIMount(q *request) response {
	path := mountPath(q.params["path"])
	deny := errResp(http.StatusForbidden, fmt.Sprintf("preflight capability check returned 403, please ensure client's policies grant access to path %q", path))
	c := q.c
	var m *mountEntry
	full, auth := "", false
	for mp, e := range c.data.mounts {
		if strings.HasPrefix(path, mp) && len(mp) > len(full) {
			m, full, auth = e, mp, false
		}
	}
	for ap, e := range c.data.auth {
		if mp := "auth/" + ap; strings.HasPrefix(path, mp) && len(mp) > len(full) {
			m, full, auth = e, mp, true
		}
	}
	if m == nil {
		return deny
	}
	if t := c.lookupToken(clientToken(q.hr), q.now); t == nil || !c.hasMountAccess(t, full) {
		return deny
	}
	data := c.uiMountJSON(m, auth)
	data["path"] = m.Path
	// Unauthenticated like the listing, which a real 1.17.6 answers with
	// mount_type "": that this path does the same is inferred.
	return q.status(data)
}
