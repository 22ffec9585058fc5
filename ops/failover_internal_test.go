package ops

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// A server that echoes what it was sent never gets a key share, a DR
// operation token or the Vault token into an error's text.
func TestFailoverErrorsNeverContainSecrets(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		msg := "rejected " + r.Header.Get("X-Vault-Token")
		for _, v := range body {
			if s, ok := v.(string); ok {
				msg += " " + s
			}
		}
		b, _ := json.Marshal(map[string][]string{"errors": {msg}})
		respond(400, b)(w, r)
	}
	const share = "5c2e6b0c3f8a4d1e9b7a6c5d4e3f2a1b0c"
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/replication/dr/secondary/generate-operation-token/update": echo,
		"/v1/sys/replication/dr/secondary/operation-token/delete":          echo,
		"/v1/sys/replication/dr/secondary/promote":                         echo,
	})
	c := testClient(t, fv.URL, ClientOptions{})
	ctx := context.Background()
	_, err1 := c.UpdateDROperationToken(ctx, "nonce-1", share)
	_, err2 := c.RevokeDROperationToken(ctx, drOpToken)
	_, err3 := c.Promote(ctx, DR, PromoteRequest{DROperationToken: drOpToken})
	for _, err := range []error{err1, err2, err3} {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *Error: %v", err)
		}
		for _, text := range []string{err.Error(), e.Detail()} {
			for _, s := range []string{testToken, share, drOpToken} {
				if strings.Contains(text, s) {
					t.Errorf("%q leaks a secret", text)
				}
			}
		}
	}
}

// The generation status is top-level JSON; a field the server leaves out
// is unknown, never zero.
func TestParseTokenGeneration(t *testing.T) {
	fv := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/replication/dr/secondary/generate-operation-token/attempt": respond(200,
			[]byte(`{"nonce":"n-1","started":true,"complete":false,"encoded_token":"","otp":"","otp_length":28}`)),
	})
	c := testClient(t, fv.URL, ClientOptions{})
	g, err := c.DROperationTokenStatus(context.Background())
	if err != nil || g.HasProgress || g.Nonce != "n-1" || !g.Started || g.OTPLength != 28 {
		t.Errorf("%+v %v", g, err)
	}
	fv2 := newFakeVault(t, map[string]http.HandlerFunc{
		"/v1/sys/replication/dr/secondary/generate-operation-token/attempt": respond(200,
			[]byte(`{"nonce":"n-1","started":true,"progress":1,"required":1,"complete":true,"encoded_token":""}`)),
	})
	if _, err := testClient(t, fv2.URL, ClientOptions{}).DROperationTokenStatus(context.Background()); ClassOf(err) != ErrMalformed {
		t.Errorf("complete without a token: %v", err)
	}
	fv3 := newFakeVault(t, map[string]http.HandlerFunc{
		"POST /v1/sys/replication/dr/secondary/generate-operation-token/attempt": respond(200,
			[]byte(`{"nonce":"n-1","started":true,"progress":0,"required":3,"complete":false,"otp":"","otp_length":0}`)),
	})
	if _, err := testClient(t, fv3.URL, ClientOptions{}).StartDROperationToken(context.Background()); ClassOf(err) != ErrMalformed {
		t.Errorf("started without an OTP: %v", err)
	}
}
