package sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Wire-level fidelity: status codes, bodies and headers exactly as Vault
// sends them (http/logical.go, sdk/logical/response_util.go,
// http/sys_health.go, vault/logical_system_helpers.go), checked on the raw bytes
// where JSON types or empty bodies matter.

// wantError checks an error response: the status, Content-Type
// application/json and a body that is exactly {"errors":[msgs…]}.
func wantError(t *testing.T, what string, code int, hdr http.Header, body []byte, status int, msgs ...string) {
	t.Helper()
	if msgs == nil {
		msgs = []string{}
	}
	want, _ := json.Marshal(map[string][]string{"errors": msgs})
	if code != status || hdr.Get("Content-Type") != "application/json" || strings.TrimSpace(string(body)) != string(want) {
		t.Errorf("%s: %d %q %s, want %d application/json %s", what, code, hdr.Get("Content-Type"), body, status, want)
	}
}

// envelopeKeys are the keys of every logical response (logical.HTTPResponse
// in Vault's sdk/logical/translate_response.go).
var envelopeKeys = []string{"auth", "data", "lease_duration", "lease_id", "mount_type", "renewable", "request_id", "warnings", "wrap_info"}

// TestEnvelopeOnEverySuccess sweeps the lab's logical endpoints: every 200
// carries the whole envelope with a UUID request_id, and every write that
// returns nothing is a 204 with an empty body and no Content-Type.
func TestEnvelopeOnEverySuccess(t *testing.T) {
	l := startLab(t, "global")
	pri, dr := info(t, l, "us-east-2"), info(t, l, "us-east-2-dr")
	cases := []struct {
		addr, method, path, token, body string
		status                          int
		mountType                       string
		injected                        bool // data keys also at the top level
	}{
		{pri.Addr, "GET", "sys/replication/status", "", "", 200, "", false},
		{pri.Addr, "GET", "sys/replication/performance/status", "", "", 200, "", false},
		{dr.Addr, "GET", "sys/replication/dr/status", "", "", 200, "", false},
		{pri.Addr, "GET", "sys/auth", pri.Token, "", 200, "system", true},
		{pri.Addr, "GET", "sys/mounts", pri.Token, "", 200, "system", true},
		{pri.Addr, "GET", "sys/mounts/secret", pri.Token, "", 200, "system", false},
		{pri.Addr, "GET", "sys/mounts/auth/userpass", pri.Token, "", 200, "system", false},
		{pri.Addr, "LIST", "sys/policies/acl", pri.Token, "", 200, "system", false},
		{pri.Addr, "GET", "sys/policies/acl?list=true", pri.Token, "", 200, "system", false},
		{pri.Addr, "GET", "sys/policies/acl/default", pri.Token, "", 200, "system", false},
		{pri.Addr, "GET", "sys/license/status", pri.Token, "", 200, "system", false},
		{pri.Addr, "POST", "sys/capabilities-self", pri.Token, `{"paths":["sys/auth"]}`, 200, "system", true},
		{pri.Addr, "PUT", "sys/capabilities-self", pri.Token, `{"paths":["sys/auth"]}`, 200, "system", true},
		{pri.Addr, "GET", "auth/token/lookup-self", pri.Token, "", 200, "token", false},
		{pri.Addr, "LIST", "auth/userpass/users", pri.Token, "", 200, "system", false},
		{pri.Addr, "GET", "sys/replication/performance/primary/dynamic-filter/us-east-1", pri.Token, "", 200, "system", false},
		{pri.Addr, "POST", "sys/replication/merkle-check", pri.Token, "", 200, "system", false},
		{pri.Addr, "PUT", "sys/replication/recover", pri.Token, "", 200, "system", false},
		// Writes that return nothing.
		{pri.Addr, "PUT", "sys/policies/acl/p1", pri.Token, `{"policy":"path \"x\" { capabilities = [\"read\"] }"}`, 204, "", false},
		{pri.Addr, "POST", "sys/policies/acl/p2", pri.Token, `{"policy":"path \"x\" { capabilities = [\"read\"] }"}`, 204, "", false},
		{pri.Addr, "DELETE", "sys/policies/acl/p2", pri.Token, "", 204, "", false},
		{pri.Addr, "POST", "sys/auth/approle", pri.Token, `{"type":"approle"}`, 204, "", false},
		{pri.Addr, "POST", "sys/mounts/transit", pri.Token, `{"type":"transit"}`, 204, "", false},
		{pri.Addr, "PUT", "sys/replication/performance/primary/paths-filter/us-east-1", pri.Token, `{"mode":"deny","paths":["transit/"]}`, 204, "", false},
		{pri.Addr, "DELETE", "sys/replication/performance/primary/paths-filter/us-east-1", pri.Token, "", 204, "", false},
	}
	for _, tc := range cases {
		what := tc.method + " " + tc.path
		code, hdr, body, err := do(t, tc.method, tc.addr+"/v1/"+tc.path, tc.token, tc.body)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", what, code, tc.status, body)
			continue
		}
		if code == 204 {
			if len(body) != 0 || hdr.Get("Content-Type") != "" {
				t.Errorf("%s: 204 with body %q, Content-Type %q", what, body, hdr.Get("Content-Type"))
			}
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %v %q", what, err, hdr.Get("Content-Type"))
			continue
		}
		for _, k := range envelopeKeys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: envelope key %q missing", what, k)
			}
		}
		var env struct {
			RequestID string `json:"request_id"`
			MountType string `json:"mount_type"`
			Data      map[string]json.RawMessage
		}
		_ = json.Unmarshal(body, &env)
		if !uuidRE.MatchString(env.RequestID) || env.MountType != tc.mountType || string(m["wrap_info"]) != "null" ||
			string(m["lease_id"]) != `""` || string(m["lease_duration"]) != "0" || string(m["renewable"]) != "false" {
			t.Errorf("%s: envelope %s", what, body)
		}
		extra := 0
		for k := range m {
			if !slices.Contains(envelopeKeys, k) {
				extra++
				if _, inData := env.Data[k]; !tc.injected || !inData {
					t.Errorf("%s: unexpected top-level key %q", what, k)
				}
			}
		}
		if tc.injected && extra != len(env.Data) {
			t.Errorf("%s: %d of %d data keys injected at the top level", what, extra, len(env.Data))
		}
	}
}

// TestListSemantics pins Vault's list operation: LIST or GET ?list=<bool>,
// a plain GET on a list-only path is an unsupported operation, the ACL is
// checked on the path with a trailing slash, and sys/policies/acl answers
// only "keys", with "root" appended after the stored policies.
func TestListSemantics(t *testing.T) {
	l := startLab(t, "fresh")
	a := info(t, l, "vault-a")
	if _, err := rootClient(t, l, "vault-a").Logical().Write("sys/policies/acl/aaa", map[string]any{"policy": `path "x" { capabilities = ["read"] }`}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"?list=true", "?list=1", "?list=t", "?list=TRUE"} {
		code, body, _ := raw(t, "GET", a.Addr+"/v1/sys/policies/acl"+q, a.Token, "")
		d, _ := body["data"].(map[string]any)
		if code != 200 || !jsonEqual(d, map[string]any{"keys": []string{"aaa", "default", operatorPolicyName, "root"}}) {
			t.Errorf("GET sys/policies/acl%s: %d %v", q, code, body)
		}
	}
	code, hdr, body, _ := do(t, "GET", a.Addr+"/v1/sys/policies/acl", a.Token, "")
	wantError(t, "plain GET of a list-only path", code, hdr, body, 405, errUnsupportedOp)
	code, hdr, body, _ = do(t, "GET", a.Addr+"/v1/sys/policies/acl?list=maybe", a.Token, "")
	wantError(t, "?list=maybe", code, hdr, body, 400)
	code, hdr, body, _ = do(t, "GET", a.Addr+"/v1/sys/policies/acl?list=false", a.Token, "")
	wantError(t, "?list=false is a read", code, hdr, body, 405, errUnsupportedOp)
	// Vault's own HTTP handlers ignore ?list=.
	if code, _, _, _ := do(t, "GET", a.Addr+"/v1/sys/health?list=true", "", ""); code != 200 {
		t.Errorf("health with ?list=true: %d", code)
	}

	// A policy granting list on "sys/policies/acl" does not cover the list
	// operation, which Vault checks on "sys/policies/acl/".
	p := rootClient(t, l, "vault-a")
	for name, rule := range map[string]string{"no-slash": `path "sys/policies/acl" { capabilities = ["list"] }`,
		"slash": `path "sys/policies/acl/" { capabilities = ["list"] }`} {
		if err := p.Sys().PutPolicy(name, rule); err != nil {
			t.Fatal(err)
		}
		code, _, _ := raw(t, "LIST", a.Addr+"/v1/sys/policies/acl", loginWith(t, l, "vault-a", name), "")
		if want := map[string]int{"no-slash": 403, "slash": 200}[name]; code != want {
			t.Errorf("LIST with policy %s: %d, want %d", name, code, want)
		}
	}
}

// loginWith creates a userpass user holding the given policy on a cluster
// (the lab serves no auth/token/create) and returns its token.
func loginWith(t *testing.T, l *Lab, cluster, policy string) string {
	t.Helper()
	ci := info(t, l, cluster)
	if _, err := client(t, ci.Addr, ci.Token).Logical().Write("auth/userpass/users/u-"+policy,
		map[string]any{"password": "pw", "token_policies": policy}); err != nil {
		t.Fatal(err)
	}
	s, err := client(t, ci.Addr, "").Logical().Write("auth/userpass/login/u-"+policy, map[string]any{"password": "pw"})
	if err != nil || s.Auth == nil {
		t.Fatalf("login: %v %v", s, err)
	}
	return s.Auth.ClientToken
}

// rfc3339Nano matches Go's time.RFC3339Nano (trailing zeros of the fraction
// dropped), which is how Vault formats wrap_info.creation_time.
var rfc3339Nano = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$`)

// TestWrappedActivationTokenOnTheWire checks the secondary-token response
// byte for byte where it matters: the whole body is the wrap envelope
// (respondLogical in http/logical.go), and the token is an ES512 JWT whose
// header and claims have Vault's names and JSON types (vault/wrapping.go).
func TestWrappedActivationTokenOnTheWire(t *testing.T) {
	l := startLab(t, "global")
	p := info(t, l, "us-east-2")
	for _, m := range []string{"PUT", "POST"} {
		code, hdr, body, err := do(t, m, p.Addr+"/v1/sys/replication/dr/primary/secondary-token", p.Token, `{"id":"dr-`+m+`","ttl":"10m"}`)
		if err != nil || code != 200 || hdr.Get("Content-Type") != "application/json" {
			t.Fatalf("%s secondary-token: %d %v %s", m, code, err, body)
		}
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"request_id": `""`, "lease_id": `""`, "renewable": "false", "lease_duration": "0",
			"data": "null", "warnings": "null", "auth": "null", "mount_type": `""`} {
			if string(env[k]) != want {
				t.Errorf("%s: %s = %s, want %s", m, k, env[k], want)
			}
		}
		var wi map[string]any
		dec := json.NewDecoder(strings.NewReader(string(env["wrap_info"])))
		dec.UseNumber()
		if err := dec.Decode(&wi); err != nil {
			t.Fatal(err)
		}
		checkKinds(t, "wrap_info", wi, map[string]string{"token": "string", "accessor": "string", "ttl": "number",
			"creation_time": "string", "creation_path": "string"})
		if len(wi) != 5 {
			t.Errorf("wrap_info has %d keys (wrapped_accessor must be left out when empty): %v", len(wi), wi)
		}
		if wi["ttl"] != json.Number("600") || wi["creation_path"] != "sys/replication/dr/primary/secondary-token" ||
			!rfc3339Nano.MatchString(wi["creation_time"].(string)) || wi["accessor"] == "" {
			t.Errorf("wrap_info values: %v", wi)
		}
		parts := strings.Split(wi["token"].(string), ".")
		if len(parts) != 3 {
			t.Fatalf("token is not a JWS: %v", wi["token"])
		}
		header, _ := base64.RawURLEncoding.DecodeString(parts[0])
		if string(header) != `{"alg":"ES512","typ":"JWT"}` {
			t.Errorf("JWT header = %s", header)
		}
		var claims map[string]any
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		dec = json.NewDecoder(strings.NewReader(string(payload)))
		dec.UseNumber()
		if err := dec.Decode(&claims); err != nil {
			t.Fatal(err)
		}
		checkKinds(t, "claims", claims, map[string]string{"accessor": "string", "addr": "string", "exp": "number",
			"iat": "number", "jti": "string", "nbf": "number", "type": "string"})
		iat, _ := claims["iat"].(json.Number).Int64()
		exp, _ := claims["exp"].(json.Number).Int64()
		nbf, _ := claims["nbf"].(json.Number).Int64()
		if len(claims) != 7 || claims["accessor"] != "" || claims["type"] != "wrapping" || claims["addr"] != p.Addr ||
			exp-iat != 600 || iat-nbf != 5 || iat != t0.Unix() || !strings.HasPrefix(claims["jti"].(string), "hvs.") {
			t.Errorf("claims = %v", claims)
		}
		if sig, _ := base64.RawURLEncoding.DecodeString(parts[2]); len(sig) != 132 {
			t.Errorf("ES512 signature is %d bytes, want 132 (R‖S, 66 each)", len(sig))
		}
	}
}

// TestRequestErrorsOnTheWire pins the HTTP layer's refusals, which carry an
// empty errors list in Vault, and the order of its checks.
func TestRequestErrorsOnTheWire(t *testing.T) {
	l := startLab(t, "global")
	p, dr := info(t, l, "us-east-2"), info(t, l, "us-east-2-dr")
	check := func(what, method, url, token, body string, status int, msgs ...string) {
		t.Helper()
		code, hdr, b, err := do(t, method, url, token, body)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		wantError(t, what, code, hdr, b, status, msgs...)
	}
	check("unknown method", "FOO", p.Addr+"/v1/sys/auth", p.Token, "", 405)
	check("PATCH where no path supports it", "PATCH", p.Addr+"/v1/sys/auth", p.Token, "{}", 405, errUnsupportedOp)
	for _, path := range []string{"sys/seal-status", "sys/leader", "sys/unseal", "sys/generate-root/update"} {
		check("raw handler, wrong method: "+path, "DELETE", p.Addr+"/v1/"+path, "", "", 405)
	}
	if code, _, _, _ := do(t, "HEAD", p.Addr+"/v1/sys/seal-status", "", ""); code != 405 {
		t.Errorf("HEAD on seal-status: %d, want 405", code)
	}
	// A write's body is parsed before anything else; a read's is ignored.
	check("bad JSON on a write", "PUT", dr.Addr+"/v1/sys/auth/x", "", "{", 400, "failed to parse JSON input: unexpected EOF")
	if code, _, _, _ := do(t, "GET", p.Addr+"/v1/sys/auth", p.Token, "{"); code != 200 {
		t.Errorf("GET with a garbage body: %d", code)
	}
	// Authentication: missing, invalid (1.17+ adds "invalid token",
	// vault/request_handling.go), wrong policy.
	check("missing token", "GET", p.Addr+"/v1/sys/auth", "", "", 403, errPermissionDenied)
	check("invalid token", "GET", p.Addr+"/v1/sys/auth", "hvs.bogus", "", 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	check("no sudo for secondary-token", "PUT", p.Addr+"/v1/sys/replication/performance/primary/secondary-token",
		loginWith(t, l, "us-east-2", "default"), `{"id":"x"}`, 403, errPermissionDenied)
	// DR secondary: 400 with the verbatim text, token or not.
	check("DR secondary, authenticated path", "GET", dr.Addr+"/v1/sys/auth", p.Token, "", 400, errDRSecondary)
	check("DR secondary, enable", "PUT", dr.Addr+"/v1/sys/replication/performance/primary/enable", p.Token, "", 400, errDRSecondary)
	check("DR op token endpoints need dr_operation_token", "PUT", dr.Addr+"/v1/sys/replication/dr/secondary/disable", "", "{}",
		400, `missing required parameter "dr_operation_token" (simulated)`)
}

// TestHealthParametersOnTheWire pins sys/health's parameter handling
// (http/sys_health.go).
func TestHealthParametersOnTheWire(t *testing.T) {
	l := startLab(t, "global")
	dr, p := info(t, l, "us-east-2-dr").Addr, info(t, l, "us-east-2").Addr
	for q, want := range map[string]int{
		"":                                    472,
		"?drsecondarycode=299":                299,
		"?drsecondarycode=299&activecode=201": 299,
		"?standbyok=true&perfstandbyok=1":     472,
		"?standbyok=&perfstandbyok=":          472, // empty is false, as a real 1.17.6 accepts it
		"?drsecondarycode=150":                200, // 1xx is informational: net/http sends it, then 200
	} {
		if code, _, _, err := do(t, "GET", dr+"/v1/sys/health"+q, "", ""); err != nil || code != want {
			t.Errorf("DR secondary health%s = %d %v, want %d", q, code, err, want)
		}
	}
	if code, _, _, _ := do(t, "GET", p+"/v1/sys/health?activecode=999", "", ""); code != 999 {
		t.Errorf("activecode=999 = %d", code)
	}
	for _, q := range []string{"activecode=0", "activecode=1000", "sealedcode=-1&activecode=-1"} {
		if code, _, _, err := do(t, "GET", p+"/v1/sys/health?"+q, "", ""); err == nil {
			t.Errorf("health?%s answered %d; Vault's WriteHeader panics and the connection is cut", q, code)
		}
	}
	for _, q := range []string{"activecode=abc", "uninitcode=", "standbyok=maybe", "perfstandbyok=2", "haunhealthycode=4x"} {
		code, hdr, body, err := do(t, "GET", p+"/v1/sys/health?"+q, "", "")
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, "health?"+q, code, hdr, body, 400)
	}
	// The body: numbers are numbers; a sealed node leaves out cluster_id,
	// cluster_name and last_wal.
	code, body, _ := raw(t, "GET", p+"/v1/sys/health", "", "")
	checkKinds(t, "health", body, map[string]string{"initialized": "bool", "sealed": "bool", "standby": "bool",
		"performance_standby": "bool", "replication_performance_mode": "string", "replication_dr_mode": "string",
		"server_time_utc": "number", "version": "string", "enterprise": "bool", "cluster_name": "string",
		"cluster_id": "string", "last_wal": "number", "license": "object", "echo_duration_ms": "number",
		"clock_skew_ms": "number", "replication_primary_canary_age_ms": "number"})
	if code != 200 {
		t.Errorf("health = %d", code)
	}
	if err := l.Seal("us-east-2"); err != nil {
		t.Fatal(err)
	}
	code, body, _ = raw(t, "GET", p+"/v1/sys/health", "", "")
	for _, k := range []string{"cluster_id", "cluster_name", "last_wal"} {
		if _, ok := body[k]; ok || code != 503 {
			t.Errorf("sealed health: %d, %q present: %v", code, k, body)
		}
	}
}

// doNS is a GET with an X-Vault-Namespace header.
func doNS(t *testing.T, url, ns string) (int, http.Header, []byte, error) {
	t.Helper()
	return send(t, "GET", url, http.Header{"X-Vault-Namespace": {ns}}, "")
}

// A Vault server writes every time in its one local zone: the heartbeats of
// replication status, sys/leader's active_time and an activation token's
// wrap_info.creation_time share an offset.
func TestOneTimeZonePerCluster(t *testing.T) {
	l := startLab(t, "global")
	pri := info(t, l, "us-east-2")
	offset := func(what, stamp string) string {
		t.Helper()
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			t.Fatalf("%s %q: %v", what, stamp, err)
		}
		return ts.Format("-07:00")
	}
	_, st, _ := raw(t, "GET", pri.Addr+"/v1/sys/replication/performance/status", "", "")
	hb := st["data"].(map[string]any)["secondaries"].([]any)[0].(map[string]any)["last_heartbeat"].(string)
	_, leader, _ := raw(t, "GET", pri.Addr+"/v1/sys/leader", "", "")
	_, tok, _ := raw(t, "PUT", pri.Addr+"/v1/sys/replication/performance/primary/secondary-token", pri.Token, `{"id":"zone-check"}`)
	want := offset("last_heartbeat", hb)
	for what, stamp := range map[string]string{
		"active_time":   leader["active_time"].(string),
		"creation_time": tok["wrap_info"].(map[string]any)["creation_time"].(string),
	} {
		if got := offset(what, stamp); got != want {
			t.Errorf("%s %s is in %s, the heartbeats in %s", what, stamp, got, want)
		}
	}
}

// sys/ha-status (vault operator members): three nodes, the one asked
// active with a null last_echo, two standbys; millisecond fields are JSON
// numbers here; nodes at the top level and under data; a token is needed and
// a DR secondary refuses it like any non-status path.
func TestHAStatus(t *testing.T) {
	l := startLab(t, "global")
	pri, dr := info(t, l, "us-east-2"), info(t, l, "us-east-2-dr")
	code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/ha-status", pri.Token, "")
	if code != 200 {
		t.Fatalf("ha-status: %d %v", code, body)
	}
	nodes, ok := body["data"].(map[string]any)["nodes"].([]any)
	if top, _ := body["nodes"].([]any); !ok || len(nodes) != 3 || len(top) != 3 {
		t.Fatalf("nodes: %v (top level %v)", nodes, body["nodes"])
	}
	for i, n := range nodes {
		node := n.(map[string]any)
		active := i == 0
		if node["active_node"] != active || (node["last_echo"] == nil) != active {
			t.Errorf("node %d: active_node %v, last_echo %v", i, node["active_node"], node["last_echo"])
		}
		for _, k := range []string{"echo_duration_ms", "clock_skew_ms", "replication_primary_canary_age_ms"} {
			if _, isNumber := node[k].(json.Number); !isNumber { // raw decodes with UseNumber
				t.Errorf("node %d: %s = %#v, want a JSON number", i, k, node[k])
			}
		}
		if node["version"] != "1.17.6+ent" || node["hostname"] == "" {
			t.Errorf("node %d: %v", i, node)
		}
	}
	if node := nodes[0].(map[string]any); node["api_address"] != pri.Addr {
		t.Errorf("the active node's api_address %v, want %s", node["api_address"], pri.Addr)
	}
	if code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/ha-status", "", ""); code != 403 {
		t.Errorf("ha-status without a token: %d %v", code, body)
	}
	code, body, _ = raw(t, "GET", dr.Addr+"/v1/sys/ha-status", dr.Token, "")
	if code != 400 || !jsonEqual(body, map[string]any{"errors": []string{"path disabled in replication DR secondary mode"}}) {
		t.Errorf("ha-status on a DR secondary: %d %v", code, body)
	}
}

// sys/internal/ui/mounts/<path>, which the vault kv commands read first: the
// mount serving the path, with its KV version, for a token with access to
// it; a 403 that does not say whether the mount exists otherwise.
func TestUIMounts(t *testing.T) {
	l := startLab(t, "global")
	pri := info(t, l, "us-east-2")
	code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/internal/ui/mounts/secret/app/db", pri.Token, "")
	if code != 200 {
		t.Fatalf("ui mounts: %d %v", code, body)
	}
	d := body["data"].(map[string]any)
	if d["path"] != "secret/" || d["type"] != "kv" || d["options"].(map[string]any)["version"] != "2" {
		t.Errorf("ui mounts of secret/app/db: %v", d)
	}
	if ttl := d["config"].(map[string]any)["default_lease_ttl"]; ttl != json.Number("2764800") {
		t.Errorf("default_lease_ttl %v, want Vault's default 2764800", ttl)
	}
	code, body, _ = raw(t, "GET", pri.Addr+"/v1/sys/internal/ui/mounts/auth/userpass/login/operator", pri.Token, "")
	if code != 200 || body["data"].(map[string]any)["path"] != "userpass/" {
		t.Errorf("ui mounts of an auth path: %d %v", code, body)
	}
	for _, tc := range []struct{ what, path, token string }{
		{"no mount", "nothing/here", pri.Token},
		{"no token", "secret/app", ""},
	} {
		code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/internal/ui/mounts/"+tc.path, tc.token, "")
		want := `preflight capability check returned 403, please ensure client's policies grant access to path "` + tc.path + `/"`
		if code != 403 || !jsonEqual(body, map[string]any{"errors": []string{want}}) {
			t.Errorf("%s: %d %v", tc.what, code, body)
		}
	}
}
