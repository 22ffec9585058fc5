package ops

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	activationJWT = "eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3NvciI6IiIsImFkZHIiOiJodHRwczovL3ZhdWx0LXByaW1hcnk6ODIwMCIsImV4cCI6MTcyMDAwMTgwMCwiaWF0IjoxNzIwMDAwMDAwLCJqdGkiOiJodnMuLi4iLCJuYmYiOjE3MTk5OTk5OTUsInR5cGUiOiJ3cmFwcGluZyJ9.SIG"
	drOpToken     = "dRoPeRaTiOnToKeN-1234567890"
)

func TestWrites(t *testing.T) {
	ctx := context.Background()
	warning := func(file string) string {
		var env struct{ Warnings []string }
		if err := json.Unmarshal(fixture(t, file), &env); err != nil {
			t.Fatal(err)
		}
		return env.Warnings[0]
	}
	tests := []struct {
		name     string
		call     func(c *Client) (WriteResult, error)
		path     string
		body     map[string]any
		response string // fixture; "" = 204 No Content
		warnings []string
	}{
		{"enable performance primary",
			func(c *Client) (WriteResult, error) {
				return c.EnablePrimary(ctx, Performance, EnablePrimaryRequest{PrimaryClusterAddr: "https://lb.example:8201"})
			},
			"/v1/sys/replication/performance/primary/enable", map[string]any{"primary_cluster_addr": "https://lb.example:8201"},
			"write_enable_primary.json", []string{warning("write_enable_primary.json")}},
		{"enable DR primary without an address",
			func(c *Client) (WriteResult, error) { return c.EnablePrimary(ctx, DR, EnablePrimaryRequest{}) },
			"/v1/sys/replication/dr/primary/enable", map[string]any{}, "write_enable_primary.json", []string{warning("write_enable_primary.json")}},
		{"demote DR primary",
			func(c *Client) (WriteResult, error) { return c.DemotePrimary(ctx, DR) },
			"/v1/sys/replication/dr/primary/demote", map[string]any{}, "write_demote.json", []string{warning("write_demote.json")}},
		{"disable performance primary",
			func(c *Client) (WriteResult, error) { return c.DisablePrimary(ctx, Performance) },
			"/v1/sys/replication/performance/primary/disable", map[string]any{}, "write_disable.json", []string{warning("write_disable.json")}},
		{"revoke secondary",
			func(c *Client) (WriteResult, error) { return c.RevokeSecondary(ctx, Performance, "us-east-1") },
			"/v1/sys/replication/performance/primary/revoke-secondary", map[string]any{"id": "us-east-1"}, "", nil},
		{"enable performance secondary",
			func(c *Client) (WriteResult, error) {
				return c.EnableSecondary(ctx, Performance, EnableSecondaryRequest{Token: activationJWT, PrimaryAPIAddr: "https://vault-primary:8200", CAFile: "/etc/vault/ca.pem"})
			},
			"/v1/sys/replication/performance/secondary/enable",
			map[string]any{"token": activationJWT, "primary_api_addr": "https://vault-primary:8200", "ca_file": "/etc/vault/ca.pem"},
			"write_enable_secondary.json", []string{warning("write_enable_secondary.json")}},
		{"enable DR secondary with every TLS file",
			func(c *Client) (WriteResult, error) {
				return c.EnableSecondary(ctx, DR, EnableSecondaryRequest{Token: activationJWT, CAPath: "/etc/vault/cas", ClientCertFile: "/c.pem", ClientKeyFile: "/k.pem"})
			},
			"/v1/sys/replication/dr/secondary/enable",
			map[string]any{"token": activationJWT, "ca_path": "/etc/vault/cas", "client_cert_file": "/c.pem", "client_key_file": "/k.pem"},
			"write_enable_secondary.json", []string{warning("write_enable_secondary.json")}},
		{"promote performance secondary",
			func(c *Client) (WriteResult, error) {
				return c.Promote(ctx, Performance, PromoteRequest{PrimaryClusterAddr: "https://b:8201", Force: true, DROperationToken: "ignored-for-performance"})
			},
			"/v1/sys/replication/performance/secondary/promote", map[string]any{"primary_cluster_addr": "https://b:8201", "force": true},
			"write_promote.json", []string{warning("write_promote.json")}},
		{"promote DR secondary",
			func(c *Client) (WriteResult, error) {
				return c.Promote(ctx, DR, PromoteRequest{DROperationToken: drOpToken})
			},
			"/v1/sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": drOpToken},
			"write_promote.json", []string{warning("write_promote.json")}},
		{"disable performance secondary",
			func(c *Client) (WriteResult, error) { return c.DisableSecondary(ctx, Performance, DRTokenRequest{}) },
			"/v1/sys/replication/performance/secondary/disable", map[string]any{}, "write_disable.json", []string{warning("write_disable.json")}},
		{"disable DR secondary",
			func(c *Client) (WriteResult, error) {
				return c.DisableSecondary(ctx, DR, DRTokenRequest{DROperationToken: drOpToken})
			},
			"/v1/sys/replication/dr/secondary/disable", map[string]any{"dr_operation_token": drOpToken}, "write_disable.json", []string{warning("write_disable.json")}},
		{"update performance primary by addresses",
			func(c *Client) (WriteResult, error) {
				return c.UpdatePrimary(ctx, Performance, UpdatePrimaryRequest{UpdatePrimaryAddrs: []string{"https://p1:8201", "https://p2:8201"}})
			},
			"/v1/sys/replication/performance/secondary/update-primary",
			map[string]any{"update_primary_addrs": []any{"https://p1:8201", "https://p2:8201"}}, "", nil},
		{"update DR primary with a token",
			func(c *Client) (WriteResult, error) {
				return c.UpdatePrimary(ctx, DR, UpdatePrimaryRequest{Token: activationJWT, PrimaryAPIAddr: "https://p:8200", CAFile: "/ca.pem", DROperationToken: drOpToken})
			},
			"/v1/sys/replication/dr/secondary/update-primary",
			map[string]any{"token": activationJWT, "primary_api_addr": "https://p:8200", "ca_file": "/ca.pem", "dr_operation_token": drOpToken}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
			if tt.response != "" {
				h = respond(200, fixture(t, tt.response))
			}
			fv := newFakeVault(t, map[string]http.HandlerFunc{tt.path: h})
			res, err := tt.call(testClient(t, fv.URL, ClientOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Warnings, tt.warnings) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warnings)
			}
			reqs := fv.recorded()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost && r.Method != http.MethodPut {
				t.Errorf("method %s", r.Method)
			}
			if r.Header.Get("X-Vault-Namespace") != "" {
				t.Errorf("namespace sent on a replication write")
			}
			if !reflect.DeepEqual(r.Body, tt.body) && !(len(tt.body) == 0 && len(r.Body) == 0) {
				t.Errorf("body %v, want %v", r.Body, tt.body)
			}
		})
	}
}

func TestSecondaryToken(t *testing.T) {
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/replication/performance/primary/secondary-token": respond(200, fixture(t, "secondary_token.json")),
		"/v1/sys/replication/dr/primary/secondary-token":          respond(200, fixture(t, "secondary_token_public_key.json")),
	})
	c := testClient(t, fv.URL, ClientOptions{})
	tok, err := c.SecondaryToken(context.Background(), Performance, SecondaryTokenRequest{ID: "us-east-1", TTL: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	want := ActivationToken{
		ID: "us-east-1", Token: activationJWT, Accessor: "0ZqVsAnGfKQ6L6RW9dAsWmYb", TTL: 30 * time.Minute,
		CreationTime: mustTime(t, "2024-07-03T10:00:00.123456789Z"),
		CreationPath: "sys/replication/performance/primary/secondary-token",
		IssuedAt:     time.Unix(1720000000, 0).UTC(), NotBefore: time.Unix(1719999995, 0).UTC(), Expires: time.Unix(1720001800, 0).UTC(),
		Addr: "https://vault-primary:8200", JTI: "hvs...",
	}
	if !reflect.DeepEqual(tok, want) {
		t.Errorf("got  %+v\nwant %+v", tok, want)
	}
	if b := fv.recorded()[0].Body; !reflect.DeepEqual(b, map[string]any{"id": "us-east-1", "ttl": "1800s"}) {
		t.Errorf("body %v", b)
	}

	enc, err := c.SecondaryToken(context.Background(), DR, SecondaryTokenRequest{ID: "dr", SecondaryPublicKey: "PUBKEY"})
	if err != nil {
		t.Fatal(err)
	}
	if !enc.Encrypted || enc.Token == "" || !enc.Expires.IsZero() || enc.ID != "dr" {
		t.Errorf("%+v", enc)
	}
	if b := fv.recorded()[1].Body; !reflect.DeepEqual(b, map[string]any{"id": "dr", "secondary_public_key": "PUBKEY"}) {
		t.Errorf("body %v", b)
	}
}

func TestSecondaryTokenNotAJWT(t *testing.T) {
	// The docs' stale sample: a UUID token and ttl 300. Expiry then comes
	// from creation_time + ttl.
	body := `{"request_id":"","data":null,"wrap_info":{"token":"fb79b9d3-d94e-9eb6-4919-c559311133d6","accessor":"a","ttl":300,"creation_time":"2016-09-28T14:41:00.56961496-04:00"}}`
	fv := newFakeVault(t, map[string]http.HandlerFunc{"/v1/sys/replication/dr/primary/secondary-token": respond(200, []byte(body))})
	tok, err := testClient(t, fv.URL, ClientOptions{}).SecondaryToken(context.Background(), DR, SecondaryTokenRequest{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := mustTime(t, "2016-09-28T14:46:00.56961496-04:00"); !tok.Expires.Equal(want) {
		t.Errorf("expires %v", tok.Expires)
	}
	if _, ok := fv.recorded()[0].Body["ttl"]; ok {
		t.Errorf("ttl sent although zero")
	}
}

func TestSecondaryTokenBadResponse(t *testing.T) {
	fv := newFakeVault(t, map[string]http.HandlerFunc{"/v1/sys/replication/dr/primary/secondary-token": respond(200, []byte(`{"data":null,"wrap_info":null}`))})
	_, err := testClient(t, fv.URL, ClientOptions{}).SecondaryToken(context.Background(), DR, SecondaryTokenRequest{ID: "x"})
	checkClass(t, "SecondaryToken", err, ErrMalformed)
	checkOpsError(t, err)
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		class  ErrorClass
	}{
		{"rejected", 400, `{"errors":["cluster is already a primary"]}`, ErrBadRequest},
		{"DR secondary", 400, `{"errors":["path disabled in replication DR secondary mode"]}`, ErrDRSecondary},
		{"community edition", 404, `{"errors":["enterprise-only feature"]}`, ErrCommunityEdition},
		{"no sudo", 403, `{"errors":["permission denied"]}`, ErrPermissionDenied},
		{"412 through a load balancer", 412, `{"errors":["required index state not present"]}`, ErrNotCaughtUp},
		{"unwrap failure", 400, `{"errors":["1 error occurred:\n\t* error response unwrapping secondary token; status code is 400, message is \"400 Bad Request\"\n\n"]}`, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fv := newFakeVault(t, map[string]http.HandlerFunc{"/v1/sys/replication/performance/primary/enable": respond(tt.status, []byte(tt.body))})
			_, err := testClient(t, fv.URL, ClientOptions{}).EnablePrimary(context.Background(), Performance, EnablePrimaryRequest{})
			checkClass(t, "EnablePrimary", err, tt.class)
			checkOpsError(t, err)
			var e *Error
			if errors.As(err, &e) && (e.Op != "enable performance primary" || e.StatusCode != tt.status || len(e.Messages) == 0) {
				t.Errorf("%+v", e)
			}
		})
	}
}

// Writes are never retried: a 503 is one request.
func TestWritesAreNotRetried(t *testing.T) {
	t.Setenv("VAULT_MAX_RETRIES", "3")
	path := "/v1/sys/replication/dr/secondary/promote"
	fv := newFakeVault(t, map[string]http.HandlerFunc{path: respond(503, []byte(`{"errors":["replication is still catching up, try again later or provide the \"force\" argument"]}`))})
	_, err := testClient(t, fv.URL, ClientOptions{}).Promote(context.Background(), DR, PromoteRequest{DROperationToken: drOpToken})
	checkClass(t, "Promote", err, ErrServer)
	if n := fv.count(path); n != 1 {
		t.Errorf("%d requests", n)
	}
	if strings.Contains(err.Error(), drOpToken) {
		t.Errorf("token in error")
	}
}

// Refusals for missing parameters send nothing.
func TestWritesValidateLocally(t *testing.T) {
	srv := failOnAnyRequest(t)
	c := testClient(t, srv.URL, ClientOptions{})
	ctx := context.Background()
	calls := map[string]func() error{
		"secondary token without id": func() error { _, err := c.SecondaryToken(ctx, Performance, SecondaryTokenRequest{}); return err },
		"negative ttl": func() error {
			_, err := c.SecondaryToken(ctx, Performance, SecondaryTokenRequest{ID: "a", TTL: -time.Second})
			return err
		},
		"enable secondary without token": func() error { _, err := c.EnableSecondary(ctx, DR, EnableSecondaryRequest{}); return err },
		"DR promote without token":       func() error { _, err := c.Promote(ctx, DR, PromoteRequest{}); return err },
		"revoke without id":              func() error { _, err := c.RevokeSecondary(ctx, DR, " "); return err },
		"update primary with both": func() error {
			_, err := c.UpdatePrimary(ctx, Performance, UpdatePrimaryRequest{Token: "t", UpdatePrimaryAddrs: []string{"a"}})
			return err
		},
		"DR update primary without token": func() error { _, err := c.UpdatePrimary(ctx, DR, UpdatePrimaryRequest{Token: "t"}); return err },
		"enable auth with ../":            func() error { return c.EnableAuth(ctx, "../sys/x", "userpass", "") },
		"enable auth without type":        func() error { return c.EnableAuth(ctx, "canary", "", "") },
		"disable auth with empty path":    func() error { return c.DisableAuth(ctx, "/") },
		"login with slash in user": func() error {
			_, err := c.LoginUserpass(ctx, "userpass", "a/b", "pw")
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if ClassOf(err) != ErrBadRequest || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	srv := failOnAnyRequest(t)
	ctx := context.Background()
	for _, variant := range []struct {
		name string
		opts ClientOptions
		mut  func(*ClusterConfig)
	}{
		{"global read-only", ClientOptions{ReadOnly: true}, func(*ClusterConfig) {}},
		{"cluster read-only", ClientOptions{}, func(c *ClusterConfig) { c.ReadOnly = true }},
	} {
		t.Run(variant.name, func(t *testing.T) {
			c := testClient(t, srv.URL, variant.opts, variant.mut)
			if !c.ReadOnly() {
				t.Fatal("ReadOnly() false")
			}
			calls := map[string]func() error{
				"EnablePrimary":   func() error { _, err := c.EnablePrimary(ctx, Performance, EnablePrimaryRequest{}); return err },
				"SecondaryToken":  func() error { _, err := c.SecondaryToken(ctx, DR, SecondaryTokenRequest{ID: "x"}); return err },
				"SecondaryToken0": func() error { _, err := c.SecondaryToken(ctx, DR, SecondaryTokenRequest{}); return err },
				"EnableSecondary": func() error {
					_, err := c.EnableSecondary(ctx, Performance, EnableSecondaryRequest{Token: activationJWT})
					return err
				},
				"DemotePrimary":    func() error { _, err := c.DemotePrimary(ctx, DR); return err },
				"DisablePrimary":   func() error { _, err := c.DisablePrimary(ctx, DR); return err },
				"DisableSecondary": func() error { _, err := c.DisableSecondary(ctx, DR, DRTokenRequest{}); return err },
				"Promote":          func() error { _, err := c.Promote(ctx, DR, PromoteRequest{}); return err },
				"RevokeSecondary":  func() error { _, err := c.RevokeSecondary(ctx, Performance, "x"); return err },
				"UpdatePrimary":    func() error { _, err := c.UpdatePrimary(ctx, Performance, UpdatePrimaryRequest{}); return err },
				"EnableAuth":       func() error { return c.EnableAuth(ctx, "canary", "userpass", "") },
				"DisableAuth":      func() error { return c.DisableAuth(ctx, "canary") },
			}
			for name, call := range calls {
				err := call()
				var e *Error
				if !errors.As(err, &e) || e.Class != ErrReadOnly || e.Op == "" || e.Cluster != "us-east-2" {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
}

// Vault's messages may echo what was sent; tokens never reach error text.
func TestWriteErrorsNeverContainTokens(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		msg := "bad token " + r.Header.Get("X-Vault-Token")
		for _, v := range body {
			if s, ok := v.(string); ok {
				msg += " " + s
			}
		}
		b, _ := json.Marshal(map[string][]string{"errors": {msg}})
		respond(400, b)(w, r)
	}
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/replication/dr/secondary/enable":         echo,
		"/v1/sys/replication/dr/secondary/update-primary": echo,
		"/v1/auth/userpass/login/operator":                echo,
	})
	c := testClient(t, fv.URL, ClientOptions{})
	ctx := context.Background()
	secrets := []string{testToken, activationJWT, drOpToken, "pa55w0rd-secret"}
	_, err1 := c.EnableSecondary(ctx, DR, EnableSecondaryRequest{Token: activationJWT})
	_, err2 := c.UpdatePrimary(ctx, DR, UpdatePrimaryRequest{Token: activationJWT, DROperationToken: drOpToken})
	_, err3 := c.LoginUserpass(ctx, "userpass", "operator", "pa55w0rd-secret")
	for _, err := range []error{err1, err2, err3} {
		if err == nil {
			t.Fatal("no error")
		}
		var e *Error
		errors.As(err, &e)
		for _, text := range []string{err.Error(), e.Detail(), strings.Join(e.Messages, " ")} {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%q leaks a secret", text)
				}
			}
			if !strings.Contains(text, redacted) {
				t.Errorf("%q: nothing redacted", text)
			}
		}
	}
}
