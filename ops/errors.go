package ops

import (
	"context"
	"errors"
	"strings"
)

// ErrorClass is what went wrong, in terms an operator can act on.
type ErrorClass int

const (
	// ErrUnknownClass is an error vaultrepl could not classify.
	ErrUnknownClass ErrorClass = iota
	// ErrUnreachable is connection refused, no route, DNS failure.
	ErrUnreachable
	// ErrTimeout is a request that did not finish within its timeout.
	ErrTimeout
	// ErrTLS is a certificate or handshake failure.
	ErrTLS
	// ErrSealed is a sealed Vault (503 "Vault is sealed").
	ErrSealed
	// ErrPermissionDenied is 403 permission denied (policy).
	ErrPermissionDenied
	// ErrInvalidToken is 403 with "invalid token" (expired, revoked, wrong cluster).
	ErrInvalidToken
	// ErrCommunityEdition is 404 "enterprise-only feature" or CE's status shape.
	ErrCommunityEdition
	// ErrDRSecondary is 400 "path disabled in replication DR secondary mode".
	ErrDRSecondary
	// ErrUnsupported is an Enterprise cluster without replication ({"mode":"unsupported"}).
	ErrUnsupported
	// ErrNotFound is any other 404 ("unsupported path", a missing endpoint).
	ErrNotFound
	// ErrBadRequest is any other 400 (a rejected write: wrong mode, bad id, bad token).
	ErrBadRequest
	// ErrRateLimited is 429.
	ErrRateLimited
	// ErrServer is a 5xx other than a sealed 503.
	ErrServer
	// ErrStandby is a standby or performance standby answering where the active node should.
	ErrStandby
	// ErrMalformed is a body that is not the JSON Vault sends (or is truncated).
	ErrMalformed
	// ErrTooLarge is a body larger than the size limit.
	ErrTooLarge
	// ErrReadOnly is a write refused by vaultrepl's read-only guard; nothing was sent.
	ErrReadOnly
	// ErrCanceled is a request canceled by the caller (quit, refresh).
	ErrCanceled
	// ErrConfig is a configuration problem (missing token file, bad address).
	ErrConfig
	// ErrStatusDisabled is 404 "disabled path": the listener sets
	// disable_replication_status_endpoints (1.16+), so status is not served there.
	ErrStatusDisabled
	// ErrNotCaughtUp is 412 "required index state not present": the node has
	// not yet seen the replication state the request needs (typically just
	// after a promotion, through a load balancer, on a non-active node).
	ErrNotCaughtUp
	// ErrRedirectRefused is a redirect to an origin that is neither the
	// cluster's address nor one of its redirect_hosts (or one that would
	// downgrade https to http): vaultrepl sent nothing there, since the
	// request carries the token.
	ErrRedirectRefused
)

var errorClassNames = [...]string{
	"unknown", "unreachable", "timeout", "tls", "sealed", "permission-denied", "invalid-token",
	"community-edition", "dr-secondary", "unsupported", "not-found", "bad-request", "rate-limited",
	"server-error", "standby", "malformed", "too-large", "read-only", "canceled", "config",
	"status-disabled", "not-caught-up", "redirect-refused",
}

// String returns a stable kebab-case name, used in `status --json`.
func (c ErrorClass) String() string {
	if int(c) >= 0 && int(c) < len(errorClassNames) {
		return errorClassNames[c]
	}
	return "unknown"
}

// ParseErrorClass is the inverse of String.
func ParseErrorClass(s string) ErrorClass {
	for i, n := range errorClassNames {
		if n == s {
			return ErrorClass(i)
		}
	}
	return ErrUnknownClass
}

// Error is a classified failure of one operation on one cluster. Its text never
// contains a token: Messages are Vault's own error strings with secrets removed.
type Error struct {
	Class      ErrorClass
	Op         string // "read replication status", "enable performance primary"
	Cluster    string
	StatusCode int      // HTTP status, 0 when no response arrived
	Messages   []string // Vault's "errors" array, sanitised
	Err        error    // the underlying error, for errors.Is/As
}

// Error reads "<op> of <cluster>: <summary>[: <vault's message>]".
func (e *Error) Error() string {
	msg := e.Summary()
	// Vault's own message often repeats the summary ("permission denied"):
	// say it once.
	if detail := e.Detail(); detail != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(detail)) {
		msg += ": " + detail
	}
	switch {
	case e.Op != "" && e.Cluster != "":
		return e.Op + " of " + e.Cluster + ": " + msg
	case e.Op != "":
		return e.Op + ": " + msg
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Summary is the one-line human message for the class. A scheme that does
// not match the server is said as such: it is classed as a TLS failure, but
// no certificate is involved and "certificate not trusted" would send the
// operator after a CA file.
func (e *Error) Summary() string {
	switch e.schemeMismatch() {
	case "http":
		return "scheme mismatch: the address says https:// but the server speaks plain HTTP"
	case "https":
		return "scheme mismatch: the address says http:// but the server speaks HTTPS"
	}
	return classSummary(e.Class)
}

// Hint says what to do about it. A scheme that does not match the server
// is a TLS failure whose cure is the address, not a CA certificate.
func (e *Error) Hint() string {
	switch e.schemeMismatch() {
	case "http":
		return "use an http:// address (or enable TLS on its listener)"
	case "https":
		return "use an https:// address"
	}
	return classHint(e.Class)
}

// schemeMismatch is the scheme the server speaks when it is not the one the
// address says: "http" when an https:// address got a plain HTTP answer
// (Go's client: "server gave HTTP response to HTTPS client"), "https" when
// an http:// address reached a TLS listener (Go's server answers 400
// "Client sent an HTTP request to an HTTPS server."), else "".
func (e *Error) schemeMismatch() string {
	if e.Class != ErrTLS {
		return ""
	}
	switch detail := strings.ToLower(e.Detail()); {
	case strings.Contains(detail, msgHTTPSToHTTP):
		return "http"
	case strings.Contains(detail, msgHTTPToHTTPS):
		return "https"
	}
	return ""
}

// Detail is Vault's own message (or the transport error), sanitised.
func (e *Error) Detail() string {
	if len(e.Messages) > 0 {
		return joinMessages(e.Messages)
	}
	if e.Err != nil {
		// Not built by fail (a caller's own *Error): the cause may still
		// quote a server.
		return cleanText(redactSecrets(e.Err.Error()))
	}
	return ""
}

func classSummary(c ErrorClass) string {
	switch c {
	case ErrUnreachable:
		return "unreachable: connection failed"
	case ErrTimeout:
		return "timed out waiting for Vault"
	case ErrTLS:
		return "TLS failure: certificate not trusted or handshake failed"
	case ErrSealed:
		return "sealed: Vault is sealed"
	case ErrPermissionDenied:
		return "permission denied: the token's policy does not allow this"
	case ErrInvalidToken:
		return "invalid token: expired, revoked or from another cluster"
	case ErrCommunityEdition:
		return "Community Edition: replication needs Vault Enterprise"
	case ErrDRSecondary:
		return "DR secondary: only status endpoints answer"
	case ErrUnsupported:
		return "replication unsupported by this Vault Enterprise licence"
	case ErrNotFound:
		return "not found: Vault does not serve this path"
	case ErrBadRequest:
		return "rejected by Vault"
	case ErrRateLimited:
		return "rate limited by Vault (429)"
	case ErrServer:
		return "Vault server error"
	case ErrStandby:
		return "standby node: this request needs the active node"
	case ErrMalformed:
		return "malformed response: not the JSON Vault sends"
	case ErrTooLarge:
		return "response too large"
	case ErrReadOnly:
		return "read-only: vaultrepl refused the write and sent nothing"
	case ErrCanceled:
		return "canceled"
	case ErrConfig:
		return "configuration error"
	case ErrStatusDisabled:
		return "replication status endpoints are disabled on this listener"
	case ErrNotCaughtUp:
		return "not caught up (412): this node lacks the replication state the request needs"
	case ErrRedirectRefused:
		return "redirect refused: the target would receive the token"
	}
	return "request failed"
}

func classHint(c ErrorClass) string {
	switch c {
	case ErrUnreachable:
		return "check the address and port, and that Vault is running and reachable from here"
	case ErrTimeout:
		return "the cluster or network is slow; raise --timeout or check the cluster's load"
	case ErrTLS:
		return "set VAULT_CACERT/ca_cert to the CA that signed the server certificate, or fix the server name"
	case ErrSealed:
		return "unseal the cluster (vault operator unseal); replication status returns once it is unsealed"
	case ErrPermissionDenied:
		return "use a token whose policy grants this path (secondary-token needs sudo)"
	case ErrInvalidToken:
		return "log in again: tokens are local to each performance cluster and do not survive activation"
	case ErrCommunityEdition:
		return "this cluster runs Vault Community Edition; replication is an Enterprise feature"
	case ErrDRSecondary:
		return "a DR secondary serves only status endpoints; use a DR operation token for promote"
	case ErrUnsupported:
		return "the licence lacks the replication features; check sys/license/status"
	case ErrNotFound:
		return "check the address and the Vault version (Community Edition 1.13 and older answers \"unsupported path\")"
	case ErrBadRequest:
		return "read Vault's message; the cluster's current mode may not allow this step"
	case ErrRateLimited:
		return "a rate-limit quota applies; vaultrepl backs off and retries reads"
	case ErrServer:
		return "check the Vault server logs; vaultrepl backs off and retries reads"
	case ErrStandby:
		return "point vaultrepl at the active node or the cluster's load balancer"
	case ErrMalformed:
		return "something other than Vault answered, or the response was cut off"
	case ErrTooLarge:
		return "something other than Vault answered: the body exceeded the size limit"
	case ErrReadOnly:
		return "run without --read-only (and without read_only in the config) to write"
	case ErrCanceled:
		return ""
	case ErrConfig:
		return "fix the configuration and start again"
	case ErrStatusDisabled:
		return "the listener sets disable_replication_status_endpoints; point vaultrepl at a listener that serves them"
	case ErrNotCaughtUp:
		return "retry in a moment, or send the request to the cluster's active node"
	case ErrRedirectRefused:
		return "if the target is this cluster's active node, add its origin to the cluster's redirect_hosts in the config (or point the address at the active node)"
	}
	return "vaultrepl does not recognise this failure: read the full error (the dashboard's detail view shows it)"
}

func joinMessages(msgs []string) string {
	return strings.Join(msgs, "; ")
}

// ClassOf returns the class of err: the Class of the first *Error in its chain,
// or, for an error that did not come from ops, the class its cause implies
// (context.Canceled is ErrCanceled, a deadline is ErrTimeout, a refused
// connection is ErrUnreachable, …). ClassOf(nil) is ErrUnknownClass.
func ClassOf(err error) ErrorClass {
	if err == nil {
		return ErrUnknownClass
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return classifyTransport(err)
}

// IsClass reports whether err (or any error it wraps) is of class c.
func IsClass(err error, c ErrorClass) bool { return err != nil && ClassOf(err) == c }

// canceledOrTimeout distinguishes the two ways a context ends, which the
// operator reads very differently (quit versus a slow cluster).
func canceledOrTimeout(err error) (ErrorClass, bool) {
	switch {
	case errors.Is(err, context.Canceled):
		return ErrCanceled, true
	case errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout, true
	}
	return ErrUnknownClass, false
}
