package ops

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeVault is an httptest server with one handler per "METHOD /path" and a
// record of every request it received.
type fakeVault struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	routes   map[string]http.HandlerFunc
}

type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   map[string]any
}

func newFakeVault(t testing.TB, routes map[string]http.HandlerFunc) *fakeVault {
	t.Helper()
	fv := &fakeVault{routes: routes}
	fv.Server = httptest.NewServer(http.HandlerFunc(fv.serve(t)))
	t.Cleanup(fv.Close)
	return fv
}

func (fv *fakeVault) serve(t testing.TB) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()}
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			if err := json.Unmarshal(b, &rec.Body); err != nil {
				t.Errorf("request body is not JSON: %q", b)
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(b)) // for handlers that read it too
		fv.mu.Lock()
		fv.requests = append(fv.requests, rec)
		h, ok := fv.routes[r.Method+" "+r.URL.Path]
		if !ok {
			h, ok = fv.routes[r.URL.Path]
		}
		fv.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":["unsupported path"]}`)
			return
		}
		h(w, r)
	}
}

// count is how many requests reached path.
func (fv *fakeVault) count(path string) int {
	fv.mu.Lock()
	defer fv.mu.Unlock()
	n := 0
	for _, r := range fv.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}

func (fv *fakeVault) recorded() []recorded {
	fv.mu.Lock()
	defer fv.mu.Unlock()
	return append([]recorded(nil), fv.requests...)
}

// respond answers with a status and a body.
func respond(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// failOnAnyRequest is a server for read-only tests: reaching it is a bug.
func failOnAnyRequest(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("read-only client sent %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testClient builds a Client for addr with a fixed token.
func testClient(t testing.TB, addr string, opts ClientOptions, mutate ...func(*ClusterConfig)) *Client {
	t.Helper()
	cfg := ClusterConfig{Name: "us-east-2", Address: addr, Token: TokenSource{Inline: testToken}}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testToken looks like a real service token so that the pattern-based
// sanitiser would catch it too; tests check the exact value never leaks.
const testToken = "hvs.CAESIJtestTOKENvalueNEVERtoLEAKxyz123"
