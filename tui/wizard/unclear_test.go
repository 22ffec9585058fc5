package wizard

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// dropProxy stands between the wizard and one lab cluster. While armed, it
// forwards the next activation to the cluster, lets the cluster act on it,
// and then drops the connection instead of relaying the reply: the write
// happened, its answer was lost (a dropped connection, a restarted load
// balancer).
type dropProxy struct {
	armed   atomic.Bool
	dropped atomic.Int32
	srv     *httptest.Server
}

func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/secondary/enable") && p.armed.CompareAndSwap(true, false) {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r) // the cluster acts on it
			p.dropped.Add(1)
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("the proxy cannot hijack")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close() // the reply never leaves
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// toActivation drives a setup from vault-a to vault-b's typed confirmation.
func (r *labRun) toActivation() {
	r.t.Helper()
	r.enablePrimary("")
	r.press("enter")
	r.chooseTokenTarget("vault-b")
	r.tokenInputs()
	r.at(stToken, phToken)
	r.press("enter")
	r.atForm(stActivate, fkInputs)
	r.press("enter")
	r.at(stActivate, phReview)
	r.press("enter")
	r.at(stActivate, phConfirm)
}

func (r *labRun) enables(name string) int {
	return r.lab.RequestCounts(name)["/v1/sys/replication/performance/secondary/enable"]
}

// The lab activates vault-b but the reply is lost: the wizard reads vault-b
// again, finds it a secondary, and goes on to the watch. It sends no second
// enable and does not blame the token.
func TestLabLostReplyOnActivation(t *testing.T) {
	var proxy *dropProxy
	r := startLabRunVia(t, Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "vault-a"},
		map[string]func(string) string{"vault-b": func(addr string) string {
			proxy = newDropProxy(t, addr)
			return proxy.srv.URL
		}})
	r.toActivation()
	proxy.armed.Store(true)
	r.typeText("vault-b")
	r.press("enter")
	s := r.waitFor("the activation's outcome", 250*time.Millisecond, func(s shot) bool { return s.ph == phResult })
	if proxy.dropped.Load() != 1 {
		t.Fatalf("the reply was not dropped (%d)", proxy.dropped.Load())
	}
	if s.err != "" {
		t.Fatalf("the activation that took effect is reported as failed: %s\n%s", s.err, s.view)
	}
	r.wantFlat("The reply was lost", "vault-b read again shows that the write took effect", "Nothing was sent twice",
		"vault-b accepted the token")
	if strings.Contains(flat(s.view), "generate a new") {
		t.Fatalf("the advice blames the token:\n%s", s.view)
	}
	if n := r.enables("vault-b"); n != 1 {
		t.Fatalf("vault-b received %d enables, want exactly 1", n)
	}
	r.press("enter")
	r.waitFor("stream-wals", 500*time.Millisecond, func(s shot) bool { return s.step == stWatch && s.watchDone })
	if n := r.enables("vault-b"); n != 1 {
		t.Fatalf("vault-b received %d enables by the end, want exactly 1", n)
	}
}

// A plain 503 on the activation: nothing happened on vault-b. The wizard
// reads it again, says the write did not take effect and that the
// pre-flight passes, without blaming the token, and sends again only after
// the review and the typed name.
func TestLab503OnActivation(t *testing.T) {
	r := startLabRun(t, Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "vault-a"})
	r.toActivation()
	if err := r.lab.FailRequests("vault-b", http.StatusServiceUnavailable, 1); err != nil {
		t.Fatal(err)
	}
	r.typeText("vault-b")
	r.press("enter")
	s := r.waitFor("the activation to fail", 0, func(s shot) bool { return s.ph == phResult && s.err != "" })
	r.wantFlat("activate performance secondary failed", "Vault server error",
		"No clear reply: the write may or may not have reached Vault.",
		"vault-b read again: the write did not take effect, and the pre-flight passes.", "r: review and retry")
	for _, blame := range []string{"token itself", "generate a new token", "no longer accepts this token"} {
		if strings.Contains(flat(s.view), blame) {
			t.Fatalf("a 503 blamed the token (%q):\n%s", blame, s.view)
		}
	}
	if st := r.status("vault-b").Performance; st.Mode != ops.ModeDisabled {
		t.Fatalf("vault-b changed: %v", st.Mode)
	}
	if n := r.enables("vault-b"); n != 1 {
		t.Fatalf("vault-b saw %d enables, want 1 (the failed one)", n)
	}
	r.press("r")
	r.at(stActivate, phReview)
	if n := r.enables("vault-b"); n != 1 {
		t.Fatalf("r sent the write again (%d enables)", n)
	}
	r.press("enter")
	r.typeText("vault-b")
	r.press("enter")
	r.at(stActivate, phResult)
	r.wantFlat("vault-b accepted the token")
	if n := r.enables("vault-b"); n != 2 {
		t.Fatalf("vault-b saw %d enables, want 2", n)
	}
}
