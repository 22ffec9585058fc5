package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaultrepl/vaultrepl/ops/hostiletest"
)

// status prints, as a table and as JSON, nothing of the escape sequences and
// bidi controls a hostile server puts in every field and error body.
func TestStatusAgainstHostileServer(t *testing.T) {
	isolate(t)
	args := []string{
		"--cluster", "evil=" + hostiletest.NewServer(t, false).URL,
		"--cluster", "evil-modes=" + hostiletest.NewServer(t, true).URL,
		"--cluster", "evil-errors=" + hostiletest.NewErrorServer(t, http.StatusInternalServerError).URL,
		"--cluster", "evil-denied=" + hostiletest.NewErrorServer(t, http.StatusForbidden).URL,
	}
	table := execute(t, context.Background(), testDeps(), append([]string{"status"}, args...)...)
	if !strings.Contains(table.out, "evil-errors") || !strings.Contains(table.out, `error\x1b]52`) {
		t.Fatalf("the table lacks the clusters or the cleaned error:\n%s", table.out)
	}
	hostiletest.CheckNoEscapes(t, "status table", []byte(table.out))
	for _, line := range strings.Split(table.out, "\n") {
		if n := len([]rune(line)); n > maxTableLine+40 {
			t.Errorf("a table line of %d runes is not cut: %q", n, line)
		}
	}

	doc := execute(t, context.Background(), testDeps(), append([]string{"status", "--json"}, args...)...)
	if !strings.Contains(doc.out, `"evil-modes"`) {
		t.Fatalf("no JSON document:\n%s", doc.out)
	}
	hostiletest.CheckJSON(t, "status --json", []byte(doc.out))
}

// A redirect to another host is refused by status, and the other host
// receives nothing.
func TestStatusRefusesForeignRedirect(t *testing.T) {
	isolate(t)
	second := hostiletest.NewServer(t, false)
	first := hostiletest.NewServerWith(t, hostiletest.Redirect(http.StatusTemporaryRedirect, second.URL))
	t.Setenv("VAULT_TOKEN", "hvs.status-redirect-token")
	r := execute(t, context.Background(), testDeps(), "status", "--cluster", "standby="+first.URL)
	if r.code != exitCritical || !strings.Contains(r.out, "redirect") || !strings.Contains(r.out, second.Listener.Addr().String()) {
		t.Errorf("code %d, output does not name the refused target:\n%s", r.code, r.out)
	}
	if n := len(second.Requests()); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
}

// Bad values are exit-4 errors naming the file, the line and the field, or
// the flag.
func TestBadValuesAreUsageErrors(t *testing.T) {
	isolate(t)
	srv := hostiletest.NewServer(t, false)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cluster := "clusters:\n  - name: a\n    address: " + srv.URL + "\n"
	tokenFile := write("token", "hvs.abc\x01def")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"status", "--interval", "1ns", "--cluster", "a=" + srv.URL}, "--interval 1ns is too short: the least is 250ms"},
		{[]string{"status", "--watch", "--interval", "100ms", "--cluster", "a=" + srv.URL}, "--interval 100ms is too short"},
		{[]string{"status", "--config", write("interval.yaml", "interval: 1ns\n"+cluster)}, "interval.yaml:1: interval: 1ns is too short"},
		{[]string{"status", "--config", write("theme.yaml", "theme: pink\n"+cluster)}, "theme.yaml:1: theme: unknown theme \"pink\""},
		{[]string{"status", "--theme", "pink", "--cluster", "a=" + srv.URL}, "--theme: unknown theme \"pink\""},
		{[]string{"status", "--cluster", "a=https://vault:99999"}, "port 99999 is not between 1 and 65535"},
		{[]string{"status", "--config", write("port.yaml", "clusters:\n  - name: a\n    address: https://vault:99999\n")}, "port.yaml:3: clusters[0].address"},
		{[]string{"status", "--config", write("tokfile.yaml", cluster+"    token_file: "+tokenFile+"\n")}, "tokfile.yaml:4: clusters[0].token_file"},
	}
	for _, tt := range tests {
		r := execute(t, context.Background(), testDeps(), tt.args...)
		msg := ""
		if r.err != nil {
			msg = r.err.Error()
		}
		if r.code != exitUsage || !strings.Contains(msg, tt.want) {
			t.Errorf("%q: code %d, error %q; want exit %d and %q", tt.args, r.code, msg, exitUsage, tt.want)
		}
	}
	err := runLab(context.Background(), io.Discard, &labOptions{topology: "fresh", portBase: 70000}, nil)
	if code := exitCodeOf(err); code != exitUsage || !strings.Contains(err.Error(), "--port-base 70000") {
		t.Errorf("lab --port-base 70000: exit %d, %v", code, err)
	}
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return -1
}
