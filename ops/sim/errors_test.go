package sim

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// Every error path a client can meet, with the documented status and text.

// primaryWithToken enables performance replication on vault-a and returns a
// fresh activation token for id.
func primaryWithToken(t *testing.T, l *Lab, id, ttl string) (*api.Client, string) {
	t.Helper()
	p := rootClient(t, l, "vault-a")
	if _, err := p.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil {
		t.Fatal(err)
	}
	l.Advance(3 * time.Second)
	return p, issueToken(t, p, id, ttl)
}

func issueToken(t *testing.T, p *api.Client, id, ttl string) string {
	t.Helper()
	body := map[string]any{"id": id}
	if ttl != "" {
		body["ttl"] = ttl
	}
	s, err := p.Logical().Write("sys/replication/performance/primary/secondary-token", body)
	if err != nil || s.WrapInfo == nil {
		t.Fatalf("secondary-token %s: %v %v", id, s, err)
	}
	return s.WrapInfo.Token
}

func enableSecondary(c *api.Client, token string, extra ...string) error {
	body := map[string]any{"token": token}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	_, err := c.Logical().Write("sys/replication/performance/secondary/enable", body)
	return err
}

var unwrap400 = multiError(`error response unwrapping secondary token; status code is 400, message is "400 Bad Request"`)

// unwrap403 is the primary refusing a JWT it did not sign (Vault 1.17's
// validateWrappingToken fails the signature check: 403).
var unwrap403 = multiError(`error response unwrapping secondary token; status code is 403, message is "403 Forbidden"`)

func TestActivationTokenFailures(t *testing.T) {
	l := startLab(t, "fresh")
	p, tok := primaryWithToken(t, l, "vault-b", "")
	b, c := rootClient(t, l, "vault-b"), rootClient(t, l, "vault-c")
	aAddr := info(t, l, "vault-a").Addr

	t.Run("stopped primary", func(t *testing.T) {
		if err := l.Stop("vault-a"); err != nil {
			t.Fatal(err)
		}
		port := strings.TrimPrefix(aAddr, "http://127.0.0.1:")
		want := multiError(fmt.Sprintf(`error unwrapping secondary token: Post "%s/v1/sys/wrapping/unwrap": dial tcp 127.0.0.1:%s: connect: connection refused (simulated)`, aAddr, port))
		respErr(t, enableSecondary(b, tok), 500, want)
		if err := l.Restart("vault-a"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("partitioned primary", func(t *testing.T) {
		if err := l.Partition("vault-a", "vault-b"); err != nil {
			t.Fatal(err)
		}
		port := strings.TrimPrefix(aAddr, "http://127.0.0.1:")
		want := multiError(fmt.Sprintf(`error unwrapping secondary token: Post "%s/v1/sys/wrapping/unwrap": dial tcp 127.0.0.1:%s: i/o timeout (simulated)`, aAddr, port))
		respErr(t, enableSecondary(b, tok), 500, want)
		if err := l.Heal("vault-a", "vault-b"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong primary_api_addr", func(t *testing.T) {
		want := multiError(`error unwrapping secondary token: Post "http://127.0.0.1:1/v1/sys/wrapping/unwrap": dial tcp 127.0.0.1:1: connect: connection refused (simulated)`)
		respErr(t, enableSecondary(b, tok, "primary_api_addr", "http://127.0.0.1:1"), 500, want)
	})
	t.Run("token from another primary", func(t *testing.T) {
		// vault-d is a primary too, but it did not sign vault-a's token.
		d := rootClient(t, l, "vault-d")
		if _, err := d.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil {
			t.Fatal(err)
		}
		l.Advance(3 * time.Second)
		respErr(t, enableSecondary(b, tok, "primary_api_addr", info(t, l, "vault-d").Addr), 500, unwrap403)
		// A JWT signed by a key vault-a never had, claiming vault-a's address.
		key, err := newSigningKey()
		if err != nil {
			t.Fatal(err)
		}
		now := l.Now().Unix()
		forged, err := signJWT(key, jwtClaims{Addr: aAddr, Iat: now, Nbf: now - 5, Exp: now + 1800, JTI: "hvs.forged", Type: "wrapping"})
		if err != nil {
			t.Fatal(err)
		}
		respErr(t, enableSecondary(b, forged), 500, unwrap403)
	})
	t.Run("not a token", func(t *testing.T) {
		respErr(t, enableSecondary(b, "not-a-jwt"), 400, "the activation token could not be parsed: token is malformed (simulated)")
	})
	t.Run("wrong replication type", func(t *testing.T) {
		perfTok := issueToken(t, p, "typed", "")
		_, err := c.Logical().Write("sys/replication/dr/secondary/enable", map[string]any{"token": perfTok})
		respErr(t, err, 400, "the activation token is for performance replication, not DR (simulated)")
	})

	// The token survived every failed attempt above (nothing consumed it), so
	// it activates vault-b now, exactly once.
	if err := enableSecondary(b, tok); err != nil {
		t.Fatalf("activation after the failures: %v", err)
	}
	t.Run("reused", func(t *testing.T) {
		respErr(t, enableSecondary(c, tok), 500, unwrap400)
	})
	t.Run("expired", func(t *testing.T) {
		short := issueToken(t, p, "short-lived", "1m")
		l.Advance(61 * time.Second)
		respErr(t, enableSecondary(c, short), 500, unwrap400)
	})
	t.Run("revoked", func(t *testing.T) {
		rt := issueToken(t, p, "revoked", "")
		if got := perfStatus(t, p).KnownSecondaries; !slices.Contains(got, "revoked") {
			t.Fatalf("known_secondaries = %q", got)
		}
		resp, err := p.Logical().Write("sys/replication/performance/primary/revoke-secondary", map[string]any{"id": "revoked"})
		if err != nil || resp != nil {
			t.Fatalf("revoke-secondary: %v %v", resp, err)
		}
		if got := perfStatus(t, p).KnownSecondaries; slices.Contains(got, "revoked") {
			t.Errorf("revoked id still known: %q", got)
		}
		respErr(t, enableSecondary(c, rt), 500, unwrap400)
	})
	t.Run("unwrap endpoint itself", func(t *testing.T) {
		code, body, _ := raw(t, "PUT", aAddr+"/v1/sys/wrapping/unwrap", info(t, l, "vault-a").Token, `{"token":"bogus"}`)
		if code != 400 || !jsonEqual(body, map[string]any{"errors": []string{errInvalidWrapping}}) {
			t.Errorf("unwrap of a bogus token: %d %v", code, body)
		}
		code, body, _ = raw(t, "PUT", aAddr+"/v1/sys/wrapping/unwrap", "bogus", "")
		if code != 400 || !jsonEqual(body, map[string]any{"errors": []string{errInvalidWrapping}}) {
			t.Errorf("unwrap with a bogus token as X-Vault-Token: %d %v", code, body)
		}
		// vault unwrap on a cluster that did not sign the token: Vault fails
		// the JWT's signature check before it looks the token up.
		d := rootClient(t, l, "vault-d")
		if _, err := d.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil && !strings.Contains(err.Error(), "already") {
			t.Fatal(err)
		}
		foreign := issueToken(t, d, "foreign", "")
		signatureErr := "error validating wrapping token: wrapping token signature could not be validated: go-jose/go-jose: error in cryptographic primitive"
		for _, hdr := range []string{foreign, info(t, l, "vault-a").Token} {
			body := `{"token":"` + foreign + `"}`
			if hdr == foreign {
				body = ""
			}
			code, got, _ := raw(t, "PUT", aAddr+"/v1/sys/wrapping/unwrap", hdr, body)
			if code != 403 || !jsonEqual(got, map[string]any{"errors": []string{signatureErr}}) {
				t.Errorf("unwrap of another cluster's token (in the body: %v): %d %v", body != "", code, got)
			}
		}
		// A JWT that does not say it is a wrapping token.
		l.mu.Lock()
		aKey := l.byName["vault-a"].key
		l.mu.Unlock()
		typed, err := signJWT(aKey, jwtClaims{JTI: "x", Type: "batch", Exp: l.Now().Unix() + 60})
		if err != nil {
			t.Fatal(err)
		}
		code, body, _ = raw(t, "PUT", aAddr+"/v1/sys/wrapping/unwrap", typed, "")
		if code != 403 || !jsonEqual(body, map[string]any{"errors": []string{"error validating wrapping token: unexpected type claim"}}) {
			t.Errorf("unwrap of a JWT of another type: %d %v", code, body)
		}
		// Without any token the path is denied, as every authenticated path.
		code, body, _ = raw(t, "PUT", aAddr+"/v1/sys/wrapping/unwrap", "", `{"token":"bogus"}`)
		if code != 403 || !jsonEqual(body, map[string]any{"errors": []string{errPermissionDenied}}) {
			t.Errorf("anonymous unwrap: %d %v", code, body)
		}
	})
}

func TestSecondaryTokenRules(t *testing.T) {
	l := startLab(t, "fresh")
	p := rootClient(t, l, "vault-a")
	_, err := p.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": "x"})
	respErr(t, err, 400, "cluster is not a performance primary (simulated)")
	_, tok := primaryWithToken(t, l, "dup", "")
	if tok == "" {
		t.Fatal("no token")
	}
	_, err = p.Logical().Write("sys/replication/performance/primary/enable", nil)
	respErr(t, err, 400, "cluster is already a performance primary (simulated)")
	_, err = p.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": "dup"})
	respErr(t, err, 400, `a secondary with id "dup" is already known; revoke it or choose another id (simulated)`)
	_, err = p.Logical().Write("sys/replication/performance/primary/secondary-token", nil)
	respErr(t, err, 400, `missing required parameter "id" (simulated)`)
	_, err = p.Logical().Write("sys/replication/performance/primary/revoke-secondary", map[string]any{"id": "nobody"})
	respErr(t, err, 400, `no secondary with id "nobody" is known (simulated)`)

	// Missing sudo: a policy with update but no sudo on secondary-token.
	if err := p.Sys().PutPolicy("no-sudo", `path "sys/replication/*" { capabilities = ["create", "read", "update"] }`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Logical().Write("auth/userpass/users/junior", map[string]any{"password": "pw", "token_policies": "no-sudo"}); err != nil {
		t.Fatal(err)
	}
	login, err := client(t, info(t, l, "vault-a").Addr, "").Logical().Write("auth/userpass/login/junior", map[string]any{"password": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	junior := client(t, info(t, l, "vault-a").Addr, login.Auth.ClientToken)
	_, err = junior.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": "j"})
	respErr(t, err, 403, errPermissionDenied)
	if _, err := junior.Logical().Read("sys/replication/performance/status"); err != nil {
		t.Errorf("status needs no token: %v", err)
	}
	_, err = junior.Sys().ListAuth()
	respErr(t, err, 403, errPermissionDenied)
	caps, err := junior.Sys().CapabilitiesSelf("sys/replication/performance/primary/secondary-token")
	if err != nil || !slices.Equal(caps, []string{"create", "read", "update"}) {
		t.Errorf("junior's capabilities: %q %v", caps, err)
	}
	_, err = client(t, info(t, l, "vault-a").Addr, "").Logical().Write("auth/userpass/login/junior", map[string]any{"password": "wrong"})
	respErr(t, err, 400, "invalid username or password")
}

func TestPermissionDenied(t *testing.T) {
	l := startLab(t, "fresh")
	addr := info(t, l, "vault-a").Addr
	_, err := client(t, addr, "").Sys().ListAuth()
	respErr(t, err, 403, errPermissionDenied)
	_, err = client(t, addr, "hvs.nonsense").Sys().ListAuth()
	respErr(t, err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	// A pre-1.17 personality says only "permission denied" for a bad token.
	if err := l.SetVersion("vault-a", "1.16.3+ent"); err != nil {
		t.Fatal(err)
	}
	_, err = client(t, addr, "hvs.nonsense").Sys().ListAuth()
	respErr(t, err, 403, errPermissionDenied)
	h, err := client(t, addr, "").Sys().Health()
	if err != nil || h.Version != "1.16.3+ent" {
		t.Errorf("health after SetVersion: %+v %v", h, err)
	}
	// Bearer tokens are accepted like X-Vault-Token.
	req, _ := http.NewRequest("GET", addr+"/v1/sys/auth", nil)
	req.Header.Set("Authorization", "Bearer "+info(t, l, "vault-a").Token)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("bearer token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

func TestCommunityEdition(t *testing.T) {
	l := startLab(t, "fresh")
	if err := l.SetCommunityEdition("vault-d", true); err != nil {
		t.Fatal(err)
	}
	ci := info(t, l, "vault-d")
	c := client(t, ci.Addr, ci.Token)
	code, body, _ := raw(t, "GET", ci.Addr+"/v1/sys/replication/status", "", "")
	if code != 200 || !jsonEqual(body["data"], map[string]any{"mode": "disabled"}) {
		t.Errorf("CE replication/status: %d %v", code, body)
	}
	rs, err := c.Sys().ReplicationStatus()
	if err != nil || rs.Performance.Mode != "" || rs.DR.Mode != "" {
		t.Errorf("CE Sys().ReplicationStatus: %+v %v", rs, err)
	}
	_, err = c.Sys().ReplicationPerformanceStatusWithContext(context.Background())
	respErr(t, err, 404, errEnterpriseOnly)
	_, err = c.Sys().ReplicationDRStatusWithContext(context.Background())
	respErr(t, err, 404, errEnterpriseOnly)
	_, err = c.Logical().Write("sys/replication/performance/primary/enable", nil)
	respErr(t, err, 404, errEnterpriseOnly)
	_, err = c.Logical().Write("sys/replication/reindex", nil)
	respErr(t, err, 404, errEnterpriseOnly)
	_, err = c.Logical().Write("sys/replication/no/such/path", nil)
	respErr(t, err, 404, errEnterpriseOnly)
	// Logical().Read swallows a 404 with no data: the CLI prints nothing.
	if s, err := c.Logical().Read("sys/license/status"); s != nil || err != nil {
		t.Errorf("CE license via Logical().Read: %v %v", s, err)
	}
	code, body, _ = raw(t, "GET", ci.Addr+"/v1/sys/license/status", ci.Token, "")
	if code != 404 || !jsonEqual(body, map[string]any{"errors": []string{errEnterpriseOnly}}) {
		t.Errorf("CE license/status: %d %v", code, body)
	}
	h, err := c.Sys().Health()
	if err != nil || h.Enterprise || h.Version != "1.17.6" || h.ReplicationDRMode != "disabled" || h.ReplicationPerformanceMode != "disabled" {
		t.Errorf("CE health: %+v %v", h, err)
	}
	if _, _, hb := raw(t, "GET", ci.Addr+"/v1/sys/health", "", ""); hb == nil {
		t.Fatal("no headers")
	}
	_, body, _ = raw(t, "GET", ci.Addr+"/v1/sys/health", "", "")
	if _, has := body["license"]; has {
		t.Errorf("CE health carries a licence: %v", body)
	}
	// Back to Enterprise.
	if err := l.SetCommunityEdition("vault-d", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sys().ReplicationPerformanceStatusWithContext(context.Background()); err != nil {
		t.Errorf("Enterprise again: %v", err)
	}
}

func TestSealedAndUnseal(t *testing.T) {
	l := startLab(t, "global")
	ci := info(t, l, "us-east-1")
	c := client(t, ci.Addr, ci.Token)
	if err := l.Seal("us-east-1"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Sys().ReplicationStatus()
	respErr(t, err, 503, errSealed)
	_, err = c.Sys().ListAuth()
	respErr(t, err, 503, errSealed)
	_, err = c.Sys().Leader()
	respErr(t, err, 503, errSealed)
	if code, _, _ := raw(t, "GET", ci.Addr+"/v1/sys/health", "", ""); code != 503 {
		t.Errorf("sealed health = %d", code)
	}
	h, err := c.Sys().Health()
	if err != nil || !h.Sealed || h.ClusterID != "" {
		t.Errorf("sealed Sys().Health: %+v %v", h, err)
	}
	ss, err := c.Sys().SealStatus()
	if err != nil || !ss.Sealed || ss.T != 1 || ss.Type != "shamir" {
		t.Errorf("seal-status: %+v %v", ss, err)
	}
	// The primary notices its secondary is gone.
	l.Advance(2 * time.Second)
	for _, s := range perfStatus(t, rootClient(t, l, "us-east-2")).Secondaries {
		if s.NodeID == "us-east-1" && s.ConnectionStatus != "disconnected" {
			t.Errorf("primary still sees the sealed secondary connected")
		}
	}
	// Vault's own checks, verbatim; only a well-formed wrong key is simulated.
	for key, want := range map[string]string{
		"":                         "'key' must be specified in request body as JSON, or 'reset' set to true",
		"not base64!":              "'key' must be a valid hex or base64 string",
		"AAAA":                     "invalid key: key is shorter than minimum 16 bytes",
		strings.Repeat("00", 32):   "invalid unseal key (simulated)",
		strings.Repeat("////", 12): "invalid key: key is longer than maximum 33 bytes",
	} {
		_, err = c.Logical().Write("sys/unseal", map[string]any{"key": key})
		respErr(t, err, 400, want)
	}
	ss, err = c.Sys().Unseal(l.UnsealKey())
	if err != nil || ss.Sealed {
		t.Fatalf("unseal: %+v %v", ss, err)
	}
	advanceUntil(t, l, 30*time.Second, "secondary reconnected", func() bool {
		st := perfStatus(t, c)
		return st.State == "stream-wals" && len(st.Primaries) == 1 && st.Primaries[0].ConnectionStatus == "connected"
	})
}

func TestHealthCodes(t *testing.T) {
	l := startLab(t, "global")
	dr := info(t, l, "us-east-2-dr").Addr
	cases := []struct {
		url  string
		want int
	}{
		{dr + "/v1/sys/health", 472},
		{dr + "/v1/sys/health?drsecondarycode=200", 200},
		{dr + "/v1/sys/health?uninitcode=299&sealedcode=299&standbycode=299&drsecondarycode=299&performancestandbycode=299&removedcode=299&haunhealthycode=299", 299},
		{info(t, l, "us-east-2").Addr + "/v1/sys/health", 200},
		{info(t, l, "us-east-2").Addr + "/v1/sys/health?activecode=201&standbyok=true&perfstandbyok=true", 201},
		{info(t, l, "us-east-1").Addr + "/v1/sys/health", 200},
	}
	for _, tc := range cases {
		if code, body, _ := raw(t, "GET", tc.url, "", ""); code != tc.want || body["initialized"] != true {
			t.Errorf("GET %s = %d, want %d (%v)", tc.url, code, tc.want, body)
		}
		if code, body, _ := raw(t, "HEAD", tc.url, "", ""); code != tc.want || body != nil {
			t.Errorf("HEAD %s = %d %v, want %d and no body", tc.url, code, body, tc.want)
		}
	}
	// A parameter that does not parse: 400 with an empty errors list (Vault's
	// handler drops the parse error).
	for _, q := range []string{"activecode=abc", "removedcode=", "standbyok=maybe", "perfstandbyok=2"} {
		code, body, _ := raw(t, "GET", dr+"/v1/sys/health?"+q, "", "")
		if code != 400 || !jsonEqual(body, map[string]any{"errors": []string{}}) {
			t.Errorf("bad parameter %s: %d %v", q, code, body)
		}
	}
	if err := l.Seal("us-east-2-dr"); err != nil {
		t.Fatal(err)
	}
	for url, want := range map[string]int{dr + "/v1/sys/health": 503, dr + "/v1/sys/health?sealedcode=299": 299} {
		if code, _, _ := raw(t, "GET", url, "", ""); code != want {
			t.Errorf("sealed GET %s = %d, want %d", url, code, want)
		}
	}
}

func TestRequestShapes(t *testing.T) {
	l := startLab(t, "fresh")
	ci := info(t, l, "vault-a")
	// Namespaces: restricted endpoints refuse a child namespace; health ignores it.
	req := func(path, ns string) (int, map[string]any) {
		r, _ := http.NewRequest("GET", ci.Addr+path, nil)
		r.Header.Set("X-Vault-Namespace", ns)
		r.Header.Set("X-Vault-Token", ci.Token)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, _ := req("/v1/sys/replication/status", "team-a/"); code != 400 {
		t.Errorf("replication status in a namespace = %d, want 400", code)
	}
	if code, _ := req("/v1/sys/replication/status", "root"); code != 200 {
		t.Errorf("replication status in the root namespace = %d", code)
	}
	if code, _ := req("/v1/sys/health", "team-a/"); code != 200 {
		t.Errorf("health with a namespace = %d", code)
	}
	code, body, _ := raw(t, "DELETE", ci.Addr+"/v1/sys/replication/status", "", "")
	if code != 405 || !jsonEqual(body, map[string]any{"errors": []string{errUnsupportedOp}}) {
		t.Errorf("DELETE status: %d %v", code, body)
	}
	code, body, _ = raw(t, "GET", ci.Addr+"/v1/nothing/here", ci.Token, "")
	if code != 404 || !jsonEqual(body, map[string]any{"errors": []string{`no handler for route "nothing/here". route entry not found.`}}) {
		t.Errorf("unknown path: %d %v", code, body)
	}
	code, _, _ = raw(t, "GET", ci.Addr+"/v1/nothing/here", "", "")
	if code != 403 {
		t.Errorf("unknown path without a token = %d, want 403", code)
	}
	code, body, _ = raw(t, "PUT", ci.Addr+"/v1/sys/replication/performance/primary/enable", ci.Token, "{not json")
	if code != 400 || !strings.HasPrefix(fmt.Sprint(body["errors"]), "[failed to parse JSON input:") {
		t.Errorf("bad JSON: %d %v", code, body)
	}
	// POST and PUT are the same update operation.
	for _, m := range []string{"POST", "PUT"} {
		code, _, _ := raw(t, m, ci.Addr+"/v1/sys/capabilities-self", ci.Token, `{"paths":["sys/auth"]}`)
		if code != 200 {
			t.Errorf("%s capabilities-self = %d", m, code)
		}
	}
	// capabilities-self: one key per path plus "capabilities", in data and at the top.
	code, body, _ = raw(t, "POST", ci.Addr+"/v1/sys/capabilities-self", ci.Token, `{"paths":["sys/replication/status"]}`)
	d, _ := body["data"].(map[string]any)
	if code != 200 || !jsonEqual(d["capabilities"], []string{"root"}) || !jsonEqual(d["sys/replication/status"], []string{"root"}) ||
		!jsonEqual(body["capabilities"], []string{"root"}) {
		t.Errorf("capabilities-self shape: %d %v", code, body)
	}
	// Legacy generic paths are the performance ones.
	p := client(t, ci.Addr, ci.Token)
	s, err := p.Logical().Write("sys/replication/primary/enable", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnEnablePrimary}) {
		t.Fatalf("legacy enable: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	if perfStatus(t, p).Mode != "primary" {
		t.Errorf("legacy enable did not enable performance replication")
	}
}

func TestPathsFilter(t *testing.T) {
	l := startLab(t, "fresh")
	p, _ := primaryWithToken(t, l, "vault-b", "")
	path := "sys/replication/performance/primary/paths-filter/vault-b"
	if s, err := p.Logical().Read(path); s != nil || err != nil {
		t.Errorf("no filter yet: want (nil, nil) from a 404, got %v %v", s, err)
	}
	if code, _, _ := raw(t, "GET", info(t, l, "vault-a").Addr+"/v1/"+path, info(t, l, "vault-a").Token, ""); code != 404 {
		t.Errorf("GET without a filter = %d, want 404", code)
	}
	if _, err := p.Logical().Write(path, map[string]any{"mode": "deny", "paths": []string{"secret/", "auth/userpass"}}); err != nil {
		t.Fatal(err)
	}
	s, err := p.Logical().Read(path)
	if err != nil || s == nil || s.Data["mode"] != "deny" || !jsonEqual(s.Data["paths"], []string{"secret/", "auth/userpass/"}) {
		t.Errorf("filter: %v %v", s, err)
	}
	_, err = p.Logical().Write(path, map[string]any{"mode": "allow", "paths": []string{"nope/"}})
	respErr(t, err, 400, `cannot filter "nope/": no such mount (simulated)`)
	if _, err := p.Logical().Delete(path); err != nil {
		t.Fatal(err)
	}
	if s, err := p.Logical().Read(path); s != nil || err != nil {
		t.Errorf("after delete: %v %v", s, err)
	}
}
