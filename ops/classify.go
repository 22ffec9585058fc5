package ops

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Vault's error strings that decide a class. They are matched with
// strings.Contains on the lower-cased message, because several Vault versions
// wrap them in go-multierror text ("1 error occurred:\n\t* permission denied").
const (
	msgPermissionDenied = "permission denied"
	msgInvalidToken     = "invalid token"
	msgEnterpriseOnly   = "enterprise-only feature"
	msgDRSecondary      = "path disabled in replication dr secondary mode"
	msgDisabledPath     = "disabled path"
	msgSealed           = "vault is sealed"
	msgRateLimit        = "rate limit quota exceeded"
	msgIndexState       = "required index state not present"
	// Go's net/http server answers plain HTTP on a TLS port with this text.
	msgHTTPToHTTPS = "client sent an http request to an https server"
	// Go's net/http client says this when an https:// address answers in
	// plain HTTP.
	msgHTTPSToHTTP = "server gave http response to https client"
)

// errBodyTooLarge is returned by a response body that exceeded the limit.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// classifyResponse maps an HTTP status and Vault's messages to a class.
// Messages win over status codes where they are specific, because the same
// code means different things (404 is CE, a disabled listener path or a
// missing endpoint; 400 is a DR secondary or a rejected write).
func classifyResponse(status int, msgs []string) ErrorClass {
	all := strings.ToLower(strings.Join(msgs, "\n"))
	has := func(s string) bool { return strings.Contains(all, s) }
	switch {
	case has(msgInvalidToken):
		return ErrInvalidToken
	case has(msgPermissionDenied):
		return ErrPermissionDenied
	case has(msgEnterpriseOnly):
		return ErrCommunityEdition
	case has(msgDRSecondary):
		return ErrDRSecondary
	case has(msgDisabledPath):
		return ErrStatusDisabled
	case has(msgSealed):
		return ErrSealed
	case has(msgRateLimit):
		return ErrRateLimited
	case has(msgIndexState):
		return ErrNotCaughtUp
	case has(msgHTTPToHTTPS):
		return ErrTLS
	}
	return classifyStatus(status)
}

// classifyStatus is the fallback when Vault's message says nothing specific.
func classifyStatus(status int) ErrorClass {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrPermissionDenied
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusPreconditionFailed:
		return ErrNotCaughtUp
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == 472: // sys/health: DR secondary
		return ErrDRSecondary
	case status == 473: // sys/health: performance standby
		return ErrStandby
	case status >= 500:
		return ErrServer
	case status >= 400:
		return ErrBadRequest
	}
	return ErrUnknownClass
}

// classifyTransport classifies an error that is not an HTTP response:
// context ends, refused or reset connections, DNS, TLS, truncation.
func classifyTransport(err error) ErrorClass {
	if c, ok := canceledOrTimeout(err); ok {
		return c
	}
	if errors.Is(err, errBodyTooLarge) {
		return ErrTooLarge
	}
	if isTLSError(err) || strings.Contains(strings.ToLower(err.Error()), msgHTTPSToHTTP) {
		return ErrTLS
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ErrTimeout
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The body ended before its declared length: the response was cut off.
		return ErrMalformed
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return ErrMalformed
	}
	if isConnError(err) {
		return ErrUnreachable
	}
	if strings.Contains(err.Error(), "malformed HTTP") {
		return ErrMalformed
	}
	return ErrUnknownClass
}

func isConnError(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return true
	}
	return false
}

func isTLSError(err error) bool {
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidErr), errors.As(err, &recordErr), errors.As(err, &alertErr):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "tls: ") || strings.Contains(msg, "x509: ")
}

// parseErrorBody extracts Vault's "errors" array from an error response. A
// body that is not Vault's JSON yields its first line (trimmed, bounded), so
// that a proxy's HTML error page still says something useful. Every message
// is bounded and cleaned for the terminal (cleanText) here, where it enters.
func parseErrorBody(body []byte) []string {
	var eb struct {
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(body, &eb); err == nil && len(eb.Errors) > 0 {
		var out []string
		for _, m := range eb.Errors {
			for _, line := range splitMultiError(m) {
				out = append(out, cleanText(truncate(line, maxErrorMessage)))
			}
		}
		return out
	}
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "{") {
		return nil
	}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	return []string{cleanText(truncate(text, 200))}
}

// maxErrorMessage bounds one message of an "errors" array: Vault's own are a
// line or two, and a larger one is a server filling the screen.
const maxErrorMessage = 500

// splitMultiError turns go-multierror text ("2 errors occurred:\n\t*
// permission denied\n\t* invalid token\n\n") into its messages; any other
// string is returned as is (trimmed).
func splitMultiError(m string) []string {
	m = strings.TrimSpace(m)
	first, rest, ok := strings.Cut(m, "\n")
	if !ok || !strings.HasSuffix(first, "occurred:") {
		return []string{m}
	}
	var out []string
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(line, "*"))
		if line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return []string{m}
	}
	return out
}

// truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
