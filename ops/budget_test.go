package ops

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stream50MB answers with status and 50 MB of JSON-looking padding, without
// a Content-Length: only the reader's limit stops it.
func stream50MB(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		chunk := []byte(`{"errors":["` + strings.Repeat("A", 32<<10))
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
				return
			}
		}
	}
}

// countingTransport records, per response, how many body bytes its
// callers read, whether they read to the end and whether they closed it.
type countingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	resp []bodyUse // in arrival order
}

type bodyUse struct {
	read        int64
	eof, closed bool
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	t.mu.Lock()
	t.resp = append(t.resp, bodyUse{})
	i := len(t.resp) - 1
	t.mu.Unlock()
	resp.Body = &countingBody{ReadCloser: resp.Body, t: t, i: i}
	return resp, nil
}

// CloseIdleConnections reaches the pool below, as limitTransport's does.
func (t *countingTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// uses returns the records of the responses since the last call.
func (t *countingTransport) uses() []bodyUse {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.resp
	t.resp = nil
	return out
}

type countingBody struct {
	io.ReadCloser
	t *countingTransport
	i int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.t.mu.Lock()
	if b.i < len(b.t.resp) {
		b.t.resp[b.i].read += int64(n)
		b.t.resp[b.i].eof = b.t.resp[b.i].eof || err == io.EOF
	}
	b.t.mu.Unlock()
	return n, err
}

func (b *countingBody) Close() error {
	b.t.mu.Lock()
	if b.i < len(b.t.resp) {
		b.t.resp[b.i].closed = true
	}
	b.t.mu.Unlock()
	return b.ReadCloser.Close()
}

// countBodies puts a countingTransport under c's body limit, so that it
// sees what the limit lets through to the client. Called before the
// client's first request.
func countBodies(t testing.TB, c *Client) *countingTransport {
	t.Helper()
	tr := c.http.Transport
	if g, ok := tr.(*originGuard); ok {
		tr = g.next // the origin guard sits above the body limit
	}
	lt, ok := tr.(*limitTransport)
	if !ok {
		t.Fatalf("the client's transport is %T, not the body limit", tr)
	}
	ct := &countingTransport{base: lt.base}
	lt.base = ct
	return ct
}

// A 50 MB body, on a success and on an error status (whose body is read
// for its error messages), fails as too large after reading at most the
// limit and one byte from the connection: what a read holds in memory is
// bounded by the limit, not by the body. The bytes are counted where the
// body leaves the connection, so the bound is exact; the memory it costs
// is a figure of BenchmarkStatusHugeBody.
func TestStatusHugeBodyReadIsBounded(t *testing.T) {
	const limit = 1 << 20
	for _, status := range []int{200, 500} {
		fv := statusServer(t, stream50MB(status), stream50MB(status))
		c := testClient(t, fv.URL, ClientOptions{MaxBodyBytes: limit, Timeout: time.Minute})
		ct := countBodies(t, c)
		snap, err := c.Status(context.Background())
		checkClass(t, "Status", err, ErrTooLarge)
		checkClass(t, "HealthErr", snap.HealthErr, ErrTooLarge)
		uses := ct.uses()
		if len(uses) != 2 {
			t.Fatalf("status %d: %d responses, want health and replication status", status, len(uses))
		}
		// Past the limit every further Read probes one byte and fails; the
		// callers above make a few of those (io.ReadAll, then the close).
		for i, u := range uses {
			if u.read > limit+16 || !u.closed {
				t.Errorf("status %d, response %d: read %d bytes of a 50 MB body (limit %d), closed %v", status, i, u.read, limit, u.closed)
			}
		}
	}
}

// BenchmarkStatusHugeBody reports what reading two 50 MB bodies against a
// 1 MiB limit allocates (B/op), on a success and on an error status.
func BenchmarkStatusHugeBody(b *testing.B) {
	const limit = 1 << 20
	for _, status := range []int{200, 500} {
		b.Run(strconv.Itoa(status), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stream50MB(status)(w, r) }))
			b.Cleanup(srv.Close)
			c := testClient(b, srv.URL, ClientOptions{MaxBodyBytes: limit, Timeout: time.Minute})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Status(context.Background()); ClassOf(err) != ErrTooLarge {
					b.Fatalf("%v", err)
				}
			}
		})
	}
}

// connCounter tracks a server's connections by state.
type connCounter struct {
	mu     sync.Mutex
	opened int
	open   map[net.Conn]bool
}

func (cc *connCounter) track(c net.Conn, s http.ConnState) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	switch s {
	case http.StateNew:
		cc.opened++
		cc.open[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(cc.open, c)
	}
}

func (cc *connCounter) counts() (opened, open int) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.opened, len(cc.open)
}

// Every answer, good or bad, leaves its connection either back in the
// client's pool or closed, and the answers that can keep their connection
// do.
//
// Neither is counted in connections opened: whether net/http reuses a
// connection also depends on timing (it waits at most 50 ms for the
// request's write to be confirmed), so that count is a figure, not a
// property. What the client controls, and what is checked, is that every
// answer that can be reused is read to its end and closed before Status
// returns (net/http's condition for putting a connection back in the
// pool), and that once the client drops its idle connections the server
// has none left open: no answer kept its connection busy.
func TestStatusReleasesConnections(t *testing.T) {
	health, repl := fixture(t, "health_active.json"), fixture(t, "status_primary_both.json")
	redirect := func(w http.ResponseWriter, r *http.Request) { // a standby's redirect, followed once
		http.Redirect(w, r, r.URL.Path+"?redirected=1", http.StatusTemporaryRedirect)
	}
	// Answers the client reads to the end: the connection is reused.
	reused := []http.HandlerFunc{
		nil, // good
		respond(500, []byte(`{"errors":["internal error"]}`)),
		respond(404, nil),
		respond(200, []byte(`{"data":{"performance":`)),
		redirect,
	}
	// Answers that end their connection.
	ended := []http.HandlerFunc{
		func(w http.ResponseWriter, _ *http.Request) { // truncated
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"data":{`))
			panic(http.ErrAbortHandler)
		},
		func(w http.ResponseWriter, _ *http.Request) { // too large, declared
			w.Header().Set("Content-Length", "52428800")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"data":`))
		},
		stream50MB(200),
		stream50MB(503),
	}
	var mu sync.Mutex
	var current http.HandlerFunc
	handler := func(good []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			h := current
			mu.Unlock()
			if h == nil || r.URL.Query().Get("redirected") != "" {
				respond(200, good)(w, r)
				return
			}
			h(w, r)
		}
	}
	cc := &connCounter{open: map[net.Conn]bool{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathHealth {
			handler(health)(w, r)
		} else {
			handler(repl)(w, r)
		}
	}))
	srv.Config.ConnState = cc.track
	srv.Start()
	defer srv.Close()
	c := testClient(t, srv.URL, ClientOptions{MaxBodyBytes: 64 << 10, Timeout: 10 * time.Second})
	ct := countBodies(t, c)
	// want: "good" must read in full, "bad" must fail, "" either (a
	// redirect is exchange's to follow or to report).
	read := func(round int, h http.HandlerFunc, want string) {
		t.Helper()
		mu.Lock()
		current = h
		mu.Unlock()
		snap, err := c.Status(context.Background())
		switch {
		case want == "good" && (err != nil || snap.HealthErr != nil || snap.ReplicationErr != nil):
			t.Fatalf("round %d: a good answer failed: %v", round, err)
		case want == "bad" && err == nil:
			t.Fatalf("round %d: a bad answer read without an error", round)
		}
	}

	const rounds = 30
	for round := range rounds {
		for k, h := range reused {
			want := "bad"
			switch k {
			case 0:
				want = "good"
			case len(reused) - 1:
				want = ""
			}
			read(round, h, want)
			for _, u := range ct.uses() {
				if !u.eof || !u.closed {
					t.Fatalf("round %d, answer %d: body read to the end %v, closed %v: its connection cannot go back to the pool", round, k, u.eof, u.closed)
				}
			}
		}
	}
	opened, _ := cc.counts()
	t.Logf("%d connections opened for %d reads of answers read in full", opened, 2*rounds*len(reused))

	for round := range rounds {
		for _, h := range ended {
			read(round, h, "bad")
			read(round, nil, "good")
			for _, u := range ct.uses() {
				if !u.closed {
					t.Fatalf("round %d: a body was not closed", round)
				}
			}
		}
	}
	c.http.CloseIdleConnections()
	// The server notices closed connections asynchronously.
	deadline := time.Now().Add(10 * time.Second)
	for {
		opened, open := cc.counts()
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d connections still open 10s after the client dropped its idle ones: an answer kept its connection busy", open, opened)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
