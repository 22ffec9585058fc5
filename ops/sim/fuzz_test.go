package sim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzClusterHandler throws arbitrary methods, paths, bodies and tokens at a
// cluster: every answer must be a well-formed HTTP response whose body, when
// there is one, is JSON — never a panic (which would also leave the lab's lock
// held) and never a hang.
func FuzzClusterHandler(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"GET", "sys/health?standbyok=true&activecode=200", ""},
		{"HEAD", "sys/health", ""},
		{"GET", "sys/replication/status", ""},
		{"PUT", "sys/replication/performance/primary/enable", "null"},
		{"POST", "sys/replication/dr/primary/secondary-token", `{"id":"x","ttl":"5m"}`},
		{"PUT", "sys/replication/performance/secondary/enable", `{"token":"a.b.c","primary_api_addr":"http://127.0.0.1:1"}`},
		{"PUT", "sys/replication/dr/secondary/generate-operation-token/attempt", `{}`},
		{"PUT", "sys/generate-root/update", `{"key":"AAAA","nonce":"n"}`},
		{"PUT", "sys/policies/acl/p", `{"policy":"path \"x/*\" { capabilities = [\"read\"] } /* c */"}`},
		{"POST", "sys/auth/approle", `{"type":"approle","local":"true"}`},
		{"DELETE", "sys/mounts/secret", ""},
		{"LIST", "auth/userpass/users", ""},
		{"PUT", "auth/userpass/login/operator", `{"password":1}`},
		{"POST", "sys/capabilities-self", `{"paths":["a","b"]}`},
		{"PUT", "sys/replication/performance/primary/paths-filter/x", `{"paths":"secret/,auth/userpass"}`},
		{"PUT", "sys/wrapping/unwrap", `{"token":"eyJhbGciOiJFUzUxMiJ9.e30.AA"}`},
		{"PUT", "sys/seal", ""},
		{"PUT", "sys/unseal", `{"reset":true}`},
		{"GET", "auth/token/lookup-self", ""},
		{"PUT", "sys/replication/reindex", `{"diff":true}`},
	}
	for _, s := range seeds {
		for tok := range uint8(3) {
			f.Add(s.method, s.path, s.body, tok)
		}
	}
	l, err := New(Options{Topology: "global", Seed: 11, Clock: NewManualClock(t0)})
	if err != nil {
		f.Fatal(err)
	}
	l.unwrapTimeout = 200 * time.Millisecond
	defer l.Close()
	tokens := []string{"", l.Clusters()[0].Token, "hvs.bogus"} // none, us-east-2's root, unknown
	methods := []string{"GET", "HEAD", "PUT", "POST", "DELETE", "LIST", "PATCH"}
	f.Fuzz(func(t *testing.T, method, path, body string, tok uint8) {
		if !slices.Contains(methods, method) {
			method = methods[len(method)%len(methods)]
		}
		for _, r := range path {
			if r < 0x21 || r > 0x7e || r == '#' {
				return // not a request line an HTTP client can send
			}
		}
		if _, err := url.ParseRequestURI("/v1/" + strings.TrimPrefix(path, "/")); err != nil {
			return
		}
		l.Advance(time.Second)
		for _, name := range []string{"us-east-2", "us-east-1", "us-east-2-dr"} {
			req := httptest.NewRequest(method, "/v1/"+strings.TrimPrefix(path, "/"), strings.NewReader(body))
			req.Header.Set("X-Vault-Token", tokens[int(tok)%len(tokens)])
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			aborted := false
			go func() {
				defer close(done)
				// A handler that cuts the connection panics with
				// http.ErrAbortHandler, which net/http recovers.
				defer func() {
					if r := recover(); r != nil {
						if r != http.ErrAbortHandler {
							panic(r)
						}
						aborted = true
					}
				}()
				l.Handler(name).ServeHTTP(rec, req)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second): // a hang detector, not a budget
				buf := make([]byte, 1<<20)
				t.Fatalf("%s %q %q on %s hangs:\n%s", method, path, body, name, buf[:runtime.Stack(buf, true)])
			}
			if aborted {
				continue
			}
			// Any status net/http can send: sys/health overrides reach 999.
			if rec.Code < 100 || rec.Code > 999 {
				t.Fatalf("%s %s on %s: status %d", method, path, name, rec.Code)
			}
			if b := rec.Body.Bytes(); len(b) > 0 && !json.Valid(b) {
				t.Fatalf("%s %s on %s: body is not JSON: %q", method, path, name, b)
			}
		}
	})
}
