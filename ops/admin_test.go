package ops

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

func TestCapabilities(t *testing.T) {
	// The docs' shape: per-path keys (and "capabilities" for a single path),
	// at the top level and under data.
	multi := `{"request_id":"r","data":{"sys/replication/performance/primary/enable":["update"],"sys/replication/performance/primary/secondary-token":["sudo","update"]},
	  "sys/replication/performance/primary/enable":["update"],"sys/replication/performance/primary/secondary-token":["sudo","update"]}`
	single := `{"capabilities":["deny"]}`
	var n int
	fv := newFakeVault(t, map[string]http.HandlerFunc{"/v1/sys/capabilities-self": func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			respond(200, []byte(multi))(w, r)
			return
		}
		respond(200, []byte(single))(w, r)
	}})
	c := testClient(t, fv.URL, ClientOptions{ReadOnly: true}, func(cc *ClusterConfig) { cc.Namespace = "team-a" })
	got, err := c.Capabilities(context.Background(), "sys/replication/performance/primary/enable",
		"sys/replication/performance/primary/secondary-token", "sys/unknown")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"sys/replication/performance/primary/enable":          {"update"},
		"sys/replication/performance/primary/secondary-token": {"sudo", "update"},
		"sys/unknown": nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%v", got)
	}
	got, err = c.Capabilities(context.Background(), "sys/replication/dr/primary/enable")
	if err != nil || !reflect.DeepEqual(got["sys/replication/dr/primary/enable"], []string{"deny"}) {
		t.Errorf("single path: %v %v", got, err)
	}
	r := fv.recorded()[0]
	if r.Method != http.MethodPost || r.Header.Get("X-Vault-Namespace") != "" || r.Header.Get("X-Vault-Token") != testToken {
		t.Errorf("request %+v", r)
	}
	if !reflect.DeepEqual(r.Body["paths"], []any{"sys/replication/performance/primary/enable",
		"sys/replication/performance/primary/secondary-token", "sys/unknown"}) {
		t.Errorf("paths %v", r.Body)
	}
}

func TestListAuthAndMounts(t *testing.T) {
	auth := `{"request_id":"x","data":{
	  "userpass/":{"type":"userpass","description":"operators","accessor":"auth_userpass_1","local":false},
	  "token/":{"type":"token","description":"token based credentials","accessor":"auth_token_2","local":false}},
	  "userpass/":{"type":"userpass"},"token/":{"type":"token"}}`
	mounts := `{"secret/":{"type":"kv","description":"","accessor":"kv_1","local":true},"request_id":"y"}`
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/auth":   respond(200, []byte(auth)),
		"/v1/sys/mounts": respond(200, []byte(mounts)),
	})
	c := testClient(t, fv.URL, ClientOptions{}, func(cc *ClusterConfig) { cc.Namespace = "team-a" })
	got, err := c.ListAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Mount{
		{Path: "token/", Type: "token", Description: "token based credentials", Accessor: "auth_token_2"},
		{Path: "userpass/", Type: "userpass", Description: "operators", Accessor: "auth_userpass_1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
	// No data envelope: the top-level keys, minus the envelope's own.
	m, err := c.ListMounts(context.Background())
	if err != nil || !reflect.DeepEqual(m, []Mount{{Path: "secret/", Type: "kv", Accessor: "kv_1", Local: true}}) {
		t.Errorf("%+v %v", m, err)
	}
	for _, r := range fv.recorded() {
		if r.Header.Get("X-Vault-Namespace") != "team-a" {
			t.Errorf("%s without the cluster's namespace", r.Path)
		}
	}
}

func TestEnableDisableAuth(t *testing.T) {
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"POST /v1/sys/auth/vaultrepl-canary":   func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) },
		"DELETE /v1/sys/auth/vaultrepl-canary": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) },
	})
	c := testClient(t, fv.URL, ClientOptions{})
	if err := c.EnableAuth(context.Background(), "vaultrepl-canary/", "userpass", "propagation check"); err != nil {
		t.Fatal(err)
	}
	if err := c.DisableAuth(context.Background(), "vaultrepl-canary"); err != nil {
		t.Fatal(err)
	}
	reqs := fv.recorded()
	if len(reqs) != 2 || !reflect.DeepEqual(reqs[0].Body, map[string]any{"type": "userpass", "description": "propagation check"}) ||
		reqs[1].Method != http.MethodDelete {
		t.Errorf("%+v", reqs)
	}
}

func TestLoginUserpassAndWithToken(t *testing.T) {
	const newToken = "hvs.CAESIfreshTokenAfterActivation0123456"
	login := `{"request_id":"l","data":{},"auth":{"client_token":"` + newToken + `","accessor":"a","policies":["default"],"lease_duration":2764800,"renewable":true}}`
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/auth/userpass/login/operator": respond(200, []byte(login)),
		"/v1/sys/auth":                     respond(200, []byte(`{"data":{}}`)),
	})
	c := testClient(t, fv.URL, ClientOptions{ReadOnly: true}) // login is allowed read-only
	tok, err := c.LoginUserpass(context.Background(), "userpass/", "operator", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if tok != newToken {
		t.Errorf("token %q", tok)
	}
	r := fv.recorded()[0]
	if r.Header.Get("X-Vault-Token") != "" || !reflect.DeepEqual(r.Body, map[string]any{"password": "s3cret-pass"}) {
		t.Errorf("login request %+v", r)
	}
	c2, err := c.WithToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Name() != c.Name() || c2.Address() != c.Address() || !c2.ReadOnly() || !c2.HasToken() {
		t.Errorf("settings not kept")
	}
	if _, err := c2.ListAuth(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAuth(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := fv.recorded()
	if got := reqs[1].Header.Get("X-Vault-Token"); got != newToken {
		t.Errorf("new client sent %q", got)
	}
	if got := reqs[2].Header.Get("X-Vault-Token"); got != testToken {
		t.Errorf("old client changed: sent %q", got)
	}
	if c2.Config().Token.Inline != "" {
		t.Errorf("Config() exposes the token")
	}
}

func TestLoginWithoutClientToken(t *testing.T) {
	fv := newFakeVault(t, map[string]http.HandlerFunc{"/v1/auth/userpass/login/operator": respond(200, []byte(`{"auth":null}`))})
	_, err := testClient(t, fv.URL, ClientOptions{}).LoginUserpass(context.Background(), "userpass", "operator", "x")
	checkClass(t, "LoginUserpass", err, ErrMalformed)
}
