package ops

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/vaultrepl/vaultrepl/ops/hostiletest"
)

// hostileClient is a client of srv with a token, so that writes are sent.
func hostileClient(t *testing.T, addr string, redirectHosts ...string) *Client {
	t.Helper()
	c, err := NewClient(ClusterConfig{Name: "evil", Address: addr, Token: TokenSource{Inline: "hvs.hostile-test-token"},
		RedirectHosts: redirectHosts}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Everything the status reads return, printed with %v (strings raw), holds
// no escape sequence or bidi control from the server.
func TestHostileStatusTextIsCleaned(t *testing.T) {
	for _, hostileModes := range []bool{false, true} {
		srv := hostiletest.NewServer(t, hostileModes)
		c := hostileClient(t, srv.URL)
		snap, err := c.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if snap.Health == nil || snap.Replication == nil {
			t.Fatalf("hostile modes %t: a half is missing: %v / %v", hostileModes, snap.HealthErr, snap.ReplicationErr)
		}
		if snap.Health.ClusterName != cleanText(hostiletest.Text("cluster-name")) {
			t.Errorf("cluster_name = %q", snap.Health.ClusterName)
		}
		hostiletest.CheckNoEscapes(t, fmt.Sprintf("snapshot (hostile modes %t)", hostileModes),
			fmt.Appendf(nil, "%v %v %v", *snap.Health, *snap.Health.License, *snap.Replication))
	}
}

// Error bodies and warnings are cleaned too: in the error's text, its
// messages and a write's warnings.
func TestHostileErrorTextIsCleaned(t *testing.T) {
	srv := hostiletest.NewErrorServer(t, http.StatusInternalServerError)
	c := hostileClient(t, srv.URL)
	snap, err := c.Status(context.Background())
	if err == nil {
		t.Fatal("no error from a server that only fails")
	}
	hostiletest.CheckNoEscapes(t, "status error", []byte(err.Error()+fmt.Sprint(snap.HealthErr, snap.ReplicationErr)))
	e := snap.ReplicationErr.(*Error)
	hostiletest.CheckNoEscapes(t, "detail", []byte(e.Detail()+fmt.Sprint(e.Messages)))

	ok := hostiletest.NewServerWith(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(hostiletest.ErrorBody()) // 200 with warnings
	}))
	res, err := hostileClient(t, ok.URL).DemotePrimary(context.Background(), Performance)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 {
		t.Fatalf("warnings %q", res.Warnings)
	}
	hostiletest.CheckNoEscapes(t, "warnings", []byte(fmt.Sprint(res.Warnings)))
}

// redirectPair is a hostile cluster that redirects every request with
// status to a second listener, which records what reaches it.
func redirectPair(t *testing.T, status int) (first, second *hostiletest.Server) {
	second = hostiletest.NewServer(t, false)
	first = hostiletest.NewServerWith(t, hostiletest.Redirect(status, second.URL))
	return first, second
}

// A redirect to another origin is refused and nothing reaches it: not the
// status reads (the status command's and the dashboard's), not a write
// carrying an activation token.
func TestRedirectToAnotherOriginSendsNothingThere(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			first, second := redirectPair(t, status)
			var log strings.Builder
			c, err := NewClient(ClusterConfig{Name: "evil", Address: first.URL, Token: TokenSource{Inline: "hvs.hostile-test-token"}},
				ClientOptions{Logger: slog.New(slog.NewTextHandler(&log, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			snap, err := c.Status(ctx)
			if err == nil {
				t.Fatal("Status followed a redirect to another origin")
			}
			for _, e := range []error{snap.HealthErr, snap.ReplicationErr} {
				if !IsClass(e, ErrRedirectRefused) || !strings.Contains(e.Error(), second.Listener.Addr().String()) {
					t.Errorf("error %v: want class redirect-refused naming %s", e, second.Listener.Addr())
				}
			}
			if _, err := c.StatusAfter(ctx, &snap); !IsClass(err, ErrRedirectRefused) {
				t.Errorf("StatusAfter: %v", err)
			}
			_, err = c.EnableSecondary(ctx, Performance, EnableSecondaryRequest{Token: "eyJhbGciOiJFUzUxMiJ9.eyJhY3RpdmF0aW9uIjp0cnVlfQ.c2lnbmF0dXJl"})
			if !IsClass(err, ErrRedirectRefused) {
				t.Errorf("EnableSecondary: %v", err)
			}
			if got := second.Requests(); len(got) != 0 {
				t.Errorf("the second listener received %d requests, first %s %s", len(got), got[0].Method, got[0].Path)
			}
			if len(first.Requests()) == 0 {
				t.Error("the cluster itself received nothing")
			}
			if !strings.Contains(log.String(), "vault redirect") || !strings.Contains(log.String(), "followed=false") {
				t.Errorf("the refused redirect is not logged:\n%s", log.String())
			}
			if strings.Contains(log.String(), "hostile-test-token") {
				t.Error("the log holds the token")
			}
		})
	}
}

// A redirect to an origin in redirect_hosts (a standby sending the request
// to the active node) is followed with the token and the body; so is one
// within the cluster's own origin.
func TestRedirectToAllowedOriginIsFollowed(t *testing.T) {
	first, second := redirectPair(t, http.StatusTemporaryRedirect)
	host := second.Listener.Addr().String() // host:port, the address's scheme
	c := hostileClient(t, first.URL, host)
	ctx := context.Background()
	if _, err := c.Status(ctx); err != nil {
		t.Fatalf("Status through an allowed redirect: %v", err)
	}
	const activation = "eyJhbGciOiJFUzUxMiJ9.eyJhY3RpdmF0aW9uIjp0cnVlfQ.c2lnbmF0dXJl"
	_, _ = c.EnableSecondary(ctx, Performance, EnableSecondaryRequest{Token: activation})
	var sawToken, sawBody bool
	for _, r := range second.Requests() {
		sawToken = sawToken || r.Header.Get("X-Vault-Token") == "hvs.hostile-test-token"
		sawBody = sawBody || r.Path == "/v1/sys/replication/performance/secondary/enable" && strings.Contains(r.Body, activation)
	}
	if !sawToken || !sawBody {
		t.Errorf("the allowed target did not get the token (%t) or the write's body (%t)", sawToken, sawBody)
	}

	// Within the cluster's own origin no configuration is needed.
	var self *hostiletest.Server
	self = hostiletest.NewServerWith(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/active") {
			hostiletest.Redirect(http.StatusPermanentRedirect, self.URL+"/active").ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	if _, err := hostileClient(t, self.URL).DemotePrimary(ctx, Performance); err != nil {
		t.Errorf("a redirect within the cluster's origin: %v", err)
	}
}

func TestRedirectHostsAreValidated(t *testing.T) {
	for _, bad := range []string{"ftp://x:1", "https://x:99999", "https://u:p@x", "https://x/path", ""} {
		if _, err := NewClient(ClusterConfig{Name: "c", Address: "https://vault:8200", RedirectHosts: []string{bad}}, ClientOptions{}); !IsClass(err, ErrConfig) {
			t.Errorf("redirect host %q: %v", bad, err)
		}
	}
	for in, want := range map[string]string{"Vault-2:8200": "https://vault-2:8200", "http://x": "http://x:80", "https://[::1]": "https://[::1]:443"} {
		if got, err := RedirectOrigin(in, "https"); got != want || err != nil {
			t.Errorf("RedirectOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
