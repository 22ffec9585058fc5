package ops

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// TokenClaims are the claims of an activation token (a JWT signed by the
// primary, alg ES512). Vault sets them in vault/wrapping.go: jti is the
// wrapping token's id, exp = iat + TTL, nbf = now − 5 s, addr the primary's
// API address, type "wrapping", accessor "" for replication tokens.
type TokenClaims struct {
	Algorithm string // header alg, "ES512"
	Type      string // "wrapping"
	Addr      string // the primary's API address; "" when Vault had no redirect address
	JTI       string
	Accessor  string
	IssuedAt  time.Time // zero when absent
	NotBefore time.Time
	Expires   time.Time
}

// Expired reports whether the token has expired at now (false when exp is unknown).
func (c TokenClaims) Expired(now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// maxJWTBytes bounds decoding work: activation tokens are well under 2 KiB.
const maxJWTBytes = 64 << 10

// DecodeActivationToken reads the claims of an activation token without
// verifying its signature: vaultrepl only needs the expiry and the primary's
// address to guide the operator; the secondary verifies the token when it
// unwraps it at the primary. Errors are of class ErrMalformed and never
// contain the token.
func DecodeActivationToken(jwt string) (TokenClaims, error) {
	jwt = strings.TrimSpace(jwt)
	if len(jwt) > maxJWTBytes {
		return TokenClaims{}, tokenErr("longer than %d bytes", maxJWTBytes)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return TokenClaims{}, tokenErr("not a JWT: expected 3 dot-separated parts, found %d", len(parts))
	}
	header, err := decodeSegment(parts[0])
	if err != nil {
		return TokenClaims{}, tokenErr("header is not base64url")
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return TokenClaims{}, tokenErr("claims are not base64url")
	}
	var claims TokenClaims
	var notes []string
	hf, ok := newFields(header, "header.", &notes)
	if !ok {
		return TokenClaims{}, tokenErr("header is not a JSON object")
	}
	claims.Algorithm, _ = hf.str("alg")
	cf, ok := newFields(payload, "", &notes)
	if !ok {
		return TokenClaims{}, tokenErr("claims are not a JSON object")
	}
	claims.Type, _ = cf.str("type")
	claims.Addr, _ = cf.str("addr")
	claims.JTI, _ = cf.str("jti")
	claims.Accessor, _ = cf.str("accessor")
	claims.IssuedAt = numericDate(cf, "iat")
	claims.NotBefore = numericDate(cf, "nbf")
	claims.Expires = numericDate(cf, "exp")
	return claims, nil
}

// decodeSegment decodes base64url with or without padding (RFC 7515 says
// without; some encoders add it).
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// numericDate reads a JWT NumericDate (seconds since the epoch, possibly
// fractional). Out-of-range values are treated as absent.
func numericDate(f *fields, key string) time.Time {
	v, ok := f.value(key)
	if !ok {
		return time.Time{}
	}
	text, ok := f.numberOf(key, v, false)
	if !ok {
		return time.Time{}
	}
	secs, err := strconv.ParseFloat(text, 64)
	if err != nil || secs <= 0 || secs > 1e11 {
		return time.Time{}
	}
	whole := int64(secs)
	return time.Unix(whole, int64((secs-float64(whole))*1e9)).UTC()
}

func tokenErr(format string, args ...any) *Error {
	e := malformed(format, args...)
	e.Op = "decode activation token"
	return e
}
