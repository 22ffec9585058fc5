package sim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A web page cannot drive the control endpoint: not with a simple
// cross-origin text/plain POST, not through a DNS-rebinding name, not from
// a foreign Origin. Nothing it sends takes effect.
func TestControlEndpointRefusesBrowserRequests(t *testing.T) {
	l := startLab(t, "global")
	ctl := l.ControlURL()
	u, _ := url.Parse(ctl)
	const fault = `{"kind":"seal","cluster":"us-east-1"}`
	send := func(host, origin, contentType string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", ctl+"/faults", strings.NewReader(fault))
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	refused := []struct {
		name                      string
		host, origin, contentType string
		status                    int
	}{
		{"cross-origin text/plain", "", "https://evil.example", "text/plain", http.StatusForbidden},
		{"text/plain without origin", "", "", "text/plain;charset=UTF-8", http.StatusUnsupportedMediaType},
		{"form post", "", "", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"no content type", "", "", "", http.StatusUnsupportedMediaType},
		{"DNS rebinding host", "rebind.evil.example:" + u.Port(), "", "application/json", http.StatusForbidden},
		{"loopback host, other port", "127.0.0.1:1", "", "application/json", http.StatusForbidden},
		{"foreign origin, json", "", "http://evil.example", "application/json", http.StatusForbidden},
		{"null origin", "", "null", "application/json", http.StatusForbidden},
	}
	for _, tt := range refused {
		if code, body := send(tt.host, tt.origin, tt.contentType); code != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, code, body, tt.status)
		}
	}
	if got := l.ActiveFaults("us-east-1"); len(got) != 0 {
		t.Fatalf("a refused request took effect: %v", got)
	}
	// What curl, scripts and a page served from the endpoint itself send.
	for _, ok := range []struct{ host, origin string }{{"", ""}, {"localhost:" + u.Port(), ""}, {"", ctl}} {
		if code, body := send(ok.host, ok.origin, "application/json; charset=utf-8"); code != http.StatusOK {
			t.Errorf("host %q origin %q: %d %s", ok.host, ok.origin, code, body)
		}
	}
	if got := l.ActiveFaults("us-east-1"); len(got) == 0 {
		t.Error("the allowed request did not take effect")
	}
}
