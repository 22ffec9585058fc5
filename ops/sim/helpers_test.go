package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// t0 is the manual clock's start in every test.
var t0 = time.Date(2024, 3, 4, 15, 5, 0, 0, time.UTC)

// startLab starts a lab on ephemeral loopback ports with a manual clock.
func startLab(t *testing.T, topology string) *Lab {
	t.Helper()
	return startLabOpts(t, Options{Topology: topology})
}

// startLabOpts is startLab with options; Seed and Clock default to 42 and a
// manual clock at t0.
func startLabOpts(t *testing.T, o Options) *Lab {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 42
	}
	if o.Clock == nil {
		o.Clock = NewManualClock(t0)
	}
	l, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	if err := l.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func info(t *testing.T, l *Lab, name string) ClusterInfo {
	t.Helper()
	for _, c := range l.Clusters() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cluster %q", name)
	return ClusterInfo{}
}

// client returns an official Vault API client for a cluster, configured like
// the CLI except that it never retries (a manual clock would not move between
// retries) and its idle connections are closed at the end of the test.
func client(t *testing.T, addr, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	tr := &http.Transport{Proxy: nil}
	cfg.HttpClient = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(token)
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

// rootClient is a client for a lab cluster with the root token the lab issued.
func rootClient(t *testing.T, l *Lab, name string) *api.Client {
	ci := info(t, l, name)
	return client(t, ci.Addr, ci.Token)
}

// do sends a request and returns the status, headers and raw body; err is the
// transport error (a cut connection), not a test failure.
func do(t *testing.T, method, url, token, body string) (int, http.Header, []byte, error) {
	t.Helper()
	var hdr http.Header
	if token != "" {
		hdr = http.Header{"X-Vault-Token": {token}}
	}
	return send(t, method, url, hdr, body)
}

// send is do with any request headers.
func send(t *testing.T, method, url string, hdr http.Header, body string) (int, http.Header, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b, nil
}

// raw sends a request and returns the status and the decoded JSON body (with
// numbers kept as json.Number so tests can tell numbers from strings).
func raw(t *testing.T, method, url, token string, body string) (int, map[string]any, http.Header) {
	t.Helper()
	code, hdr, b, err := do(t, method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if len(b) == 0 {
		return code, nil, hdr
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, url, err, b)
	}
	return code, m, hdr
}

// respErr asserts err is an *api.ResponseError with the status and one error
// message equal to want.
func respErr(t *testing.T, err error, status int, want string) {
	t.Helper()
	var re *api.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("want *api.ResponseError %d %q, got %v", status, want, err)
	}
	if re.StatusCode != status {
		t.Errorf("status = %d, want %d (errors %q)", re.StatusCode, status, re.Errors)
	}
	if len(re.Errors) != 1 || re.Errors[0] != want {
		t.Errorf("errors = %q, want [%q]", re.Errors, want)
	}
}

// advanceUntil advances the lab in one-second steps until cond holds.
func advanceUntil(t *testing.T, l *Lab, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for waited := time.Duration(0); ; waited += time.Second {
		if cond() {
			return
		}
		if waited >= limit {
			t.Fatalf("after %v of simulated time: %s never happened", limit, what)
		}
		l.Advance(time.Second)
	}
}

func perfStatus(t *testing.T, c *api.Client) *api.ReplicationStatusGenericResponse {
	t.Helper()
	s, err := c.Sys().ReplicationPerformanceStatusWithContext(context.Background())
	if err != nil {
		t.Fatalf("performance status: %v", err)
	}
	return s
}

func drStatus(t *testing.T, c *api.Client) *api.ReplicationStatusGenericResponse {
	t.Helper()
	s, err := c.Sys().ReplicationDRStatusWithContext(context.Background())
	if err != nil {
		t.Fatalf("DR status: %v", err)
	}
	return s
}
