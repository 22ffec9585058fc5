package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestErrorClassNames(t *testing.T) {
	for c := ErrUnknownClass; c <= ErrNotCaughtUp; c++ {
		name := c.String()
		if name == "" || (c != ErrUnknownClass && name == "unknown") {
			t.Errorf("class %d has no name", c)
		}
		if ParseErrorClass(name) != c {
			t.Errorf("ParseErrorClass(%q) != %d", name, c)
		}
		if c != ErrCanceled && classHint(c) == "" {
			t.Errorf("%s has no hint", name)
		}
		if classSummary(c) == "" {
			t.Errorf("%s has no summary", name)
		}
	}
	if ErrorClass(99).String() != "unknown" {
		t.Errorf("out of range")
	}
}

func TestClassifyResponse(t *testing.T) {
	tests := []struct {
		status int
		msgs   []string
		want   ErrorClass
	}{
		{403, []string{"permission denied"}, ErrPermissionDenied},
		{403, []string{"permission denied", "invalid token"}, ErrInvalidToken},
		{403, nil, ErrPermissionDenied},
		{404, []string{"enterprise-only feature"}, ErrCommunityEdition},
		{404, []string{"unsupported path"}, ErrNotFound},
		{404, []string{"disabled path"}, ErrStatusDisabled},
		{400, []string{"path disabled in replication DR secondary mode"}, ErrDRSecondary},
		{400, []string{"invalid request"}, ErrBadRequest},
		{405, []string{"unsupported operation"}, ErrBadRequest},
		{503, []string{"Vault is sealed"}, ErrSealed},
		{503, []string{"upstream unavailable"}, ErrServer},
		{500, []string{"errors from both primary and secondary; primary error was permission denied; secondary errors follow"}, ErrPermissionDenied},
		{429, []string{"rate limit quota exceeded"}, ErrRateLimited},
		{412, nil, ErrNotCaughtUp},
		{472, nil, ErrDRSecondary},
		{473, nil, ErrStandby},
		{400, []string{"Client sent an HTTP request to an HTTPS server."}, ErrTLS},
	}
	for _, tt := range tests {
		if got := classifyResponse(tt.status, tt.msgs); got != tt.want {
			t.Errorf("%d %q: %v, want %v", tt.status, tt.msgs, got, tt.want)
		}
	}
}

func TestClassOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		err  error
		want ErrorClass
	}{
		{nil, ErrUnknownClass},
		{context.Canceled, ErrCanceled},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), ErrTimeout},
		{refused, ErrUnreachable},
		{&net.DNSError{Err: "no such host", Name: "vault.invalid"}, ErrUnreachable},
		{io.ErrUnexpectedEOF, ErrMalformed},
		{errBodyTooLarge, ErrTooLarge},
		{errors.New("x509: certificate signed by unknown authority"), ErrTLS},
		{fmt.Errorf("outer: %w", &Error{Class: ErrSealed}), ErrSealed},
		{errors.New("something else"), ErrUnknownClass},
	}
	for _, tt := range tests {
		if got := ClassOf(tt.err); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.err, got, tt.want)
		}
	}
	if !IsClass(&Error{Class: ErrTLS}, ErrTLS) || IsClass(nil, ErrUnknownClass) {
		t.Errorf("IsClass")
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Class: ErrPermissionDenied, Op: "enable performance primary", Cluster: "us-east-2", StatusCode: 403, Messages: []string{"permission denied"}}
	if got := e.Error(); got != "enable performance primary of us-east-2: permission denied: the token's policy does not allow this" {
		t.Errorf("%q", got)
	}
	e = &Error{Class: ErrBadRequest, Op: "promote DR secondary", Cluster: "dr", Messages: []string{"a", "b"}}
	if got := e.Error(); got != "promote DR secondary of dr: rejected by Vault: a; b" {
		t.Errorf("%q", got)
	}
	if e.Hint() == "" || e.Summary() == "" {
		t.Errorf("hint/summary")
	}
	cause := errors.New("cause")
	if !errors.Is(&Error{Err: cause}, cause) {
		t.Errorf("Unwrap")
	}
}

func TestRedactSecrets(t *testing.T) {
	tests := []struct {
		in, out string
		known   []string
	}{
		{"token hvs.CAESIJabcdefghijklmnop is invalid", "token [redacted] is invalid", nil},
		{"legacy s.abcdefghijklmnopqrstuvwx here", "legacy [redacted] here", nil},
		{"batch hvb.AAAAAQJabcdefgh", "batch [redacted]", nil},
		{"jwt eyJhbGciOiJFUzUxMiJ9.eyJleHAiOjF9.c2ln end", "jwt [redacted] end", nil},
		{"dial https://admin:hunter2@vault:8200/v1", "dial https://[redacted]@vault:8200/v1", nil},
		{"custom 0123-opaque-dr-token oops", "custom [redacted] oops", []string{"0123-opaque-dr-token"}},
		{"short ab goes, abc stays", "short [redacted] goes, abc stays", []string{"ab"}},
		{"token root namespace, rooted", "token [redacted] namespace, rooted", []string{"root"}},
		{"upper 0123-OPAQUE-DR-TOKEN", "upper [redacted]", []string{"0123-opaque-dr-token"}},
		{"GET /v1/x?t=op%2Bq%2Fr%3D%3D", "GET /v1/x?t=[redacted]", []string{"op+q/r=="}},
		{"every byte %6F%70%2D%74%6F%6B%65%6E", "every byte [redacted]", []string{"op-token"}},
		{"lower %6f%70%2d%74%6f%6b%65%6e", "lower [redacted]", []string{"op-token"}},
		{"basic b3AtdG9rZW4=", "basic [redacted]", []string{"op-token"}},
		{"HVS.CAESIJABCDEFGHIJKLMNOP upper", "[redacted] upper", nil},
		{"hvs%2ECAESIJabcdefghijkl encoded", "[redacted] encoded", nil},
		{"X-VAULT-TOKEN: opaque1", "X-VAULT-TOKEN: [redacted]", nil},
		{`{"client_token":"opaque2"}`, `{"client_token":"[redacted]"}`, nil},
		{"Authorization: Bearer opaque3", "Authorization: Bearer [redacted]", nil},
		{"GET /x?token=opaque4&a=b", "GET /x?token=[redacted]&a=b", nil},
		{"permission denied", "permission denied", nil},
		{"sys/replication/performance/status", "sys/replication/performance/status", nil},
	}
	for _, tt := range tests {
		if got := redactSecrets(tt.in, tt.known...); got != tt.out {
			t.Errorf("redactSecrets(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	if got := parseErrorBody([]byte("<html>\n<h1>502</h1>")); len(got) != 1 || got[0] != "<html>" {
		t.Errorf("%q", got)
	}
	if got := parseErrorBody([]byte(strings.Repeat("x", 500))); len(got[0]) > 210 {
		t.Errorf("not bounded: %d", len(got[0]))
	}
	if got := parseErrorBody([]byte(`{"errors":[]}`)); got != nil {
		t.Errorf("%q", got)
	}
}

// A scheme mismatch is said as such, on real servers: Go's client and
// server produce the texts (net/http), and Vault's listener is Go's.
func TestSchemeMismatchIsNotACertificateFailure(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(tlsSrv.Close)
	tests := []struct {
		name, addr, summary, hint string
	}{
		{"https address, plain HTTP server", strings.Replace(plain.URL, "http://", "https://", 1),
			"scheme mismatch: the address says https:// but the server speaks plain HTTP", "use an http:// address"},
		{"http address, TLS server", strings.Replace(tlsSrv.URL, "https://", "http://", 1),
			"scheme mismatch: the address says http:// but the server speaks HTTPS", "use an https:// address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testClient(t, tt.addr, ClientOptions{}).Status(context.Background())
			var e *Error
			if !errors.As(err, &e) || e.Class != ErrTLS {
				t.Fatalf("error %v (%T), want a classified TLS error", err, err)
			}
			if e.Summary() != tt.summary || !strings.HasPrefix(e.Hint(), tt.hint) {
				t.Errorf("summary %q hint %q", e.Summary(), e.Hint())
			}
			if strings.Contains(e.Error(), "certificate") {
				t.Errorf("a scheme mismatch called a certificate failure: %q", e.Error())
			}
			// The judge says the same words, without calling a server
			// that answered HTTP "unreachable".
			rep := Assess(time.Now(), []Observation{{Name: "x", Address: tt.addr, Err: err}}, DefaultThresholds())
			if r := rep.Clusters[0].Reasons; len(r) == 0 || !strings.HasPrefix(r[0].Text, "scheme mismatch") || r[0].Severity != SeverityCritical {
				t.Errorf("reasons %+v", rep.Clusters[0].Reasons)
			}
		})
	}
}
