package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// Activation tokens are JWTs signed with ES512, as Vault's wrapping.go makes
// them: header {"alg":"ES512","typ":"JWT"}, claims jti, iat, exp, nbf (iat-5s),
// accessor ("" for replication tokens), type "wrapping" and addr (the
// primary's API address). Clients such as the web UI decode the claims to show
// the expiry and to decide whether primary_api_addr must be typed in, so the
// claim names and JSON types matter; the signature matters to the primary,
// which refuses a token it did not sign.

// jwtHeader is the fixed header; json.Marshal of a struct keeps this order.
const jwtHeader = `{"alg":"ES512","typ":"JWT"}`

// p521Size is the byte length of each of R and S in an ES512 signature.
const p521Size = 66

type jwtClaims struct {
	Accessor string `json:"accessor"`
	Addr     string `json:"addr"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	JTI      string `json:"jti"`
	Nbf      int64  `json:"nbf"`
	Type     string `json:"type"`
}

var (
	errMalformedJWT = errors.New("token is malformed")
	errJWTSignature = errors.New("signature is invalid")
)

// errValidatingWrapping prefixes Vault's 403 for a wrapping JWT it cannot
// use (vault/request_handling.go: "error validating wrapping token: %s").
const errValidatingWrapping = "error validating wrapping token: "

// wrappingJWTError is Vault's text for a JWT that fails validation. The
// signature failure is go-jose's ErrCryptoFailure, verbatim; go-jose's parse
// errors vary with the input, so that text is the lab's own.
func wrappingJWTError(err error) string {
	if errors.Is(err, errJWTSignature) {
		return errValidatingWrapping + "wrapping token signature could not be validated: go-jose/go-jose: error in cryptographic primitive"
	}
	return errValidatingWrapping + "wrapping token could not be parsed: token is malformed (simulated)"
}

// looksLikeJWT is Vault's IsJWT: two dots, and not a namespaced or typed
// token (those have a dot at index 1 or 3, as in "hvs.…" or "s.…").
func looksLikeJWT(tok string) bool {
	return len(tok) > 3 && strings.Count(tok, ".") == 2 && tok[3] != '.' && tok[1] != '.'
}

func newSigningKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signJWT returns header.claims.signature. Signatures use crypto/rand: ECDSA
// needs fresh randomness and nothing in the model depends on signature bytes.
func signJWT(key *ecdsa.PrivateKey, c jwtClaims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	input := b64([]byte(jwtHeader)) + "." + b64(payload)
	digest := sha512.Sum512([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 2*p521Size)
	r.FillBytes(sig[:p521Size])
	s.FillBytes(sig[p521Size:])
	return input + "." + b64(sig), nil
}

// parseJWT decodes the claims without checking the signature: this is what a
// secondary does to find the addr claim before it calls the primary.
func parseJWT(tok string) (jwtClaims, error) {
	var c jwtClaims
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return c, errMalformedJWT
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return c, errMalformedJWT
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hdr, &h) != nil || h.Alg != "ES512" {
		return c, errMalformedJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errMalformedJWT
	}
	if json.Unmarshal(payload, &c) != nil {
		return c, errMalformedJWT
	}
	return c, nil
}

// verifyJWT parses tok and checks that key signed it.
func verifyJWT(pub *ecdsa.PublicKey, tok string) (jwtClaims, error) {
	c, err := parseJWT(tok)
	if err != nil {
		return c, err
	}
	tok = strings.TrimSpace(tok)
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	switch {
	case err != nil:
		return c, errMalformedJWT
	case len(sig) != 2*p521Size:
		return c, errJWTSignature // go-jose parses it, then fails to verify
	}
	digest := sha512.Sum512([]byte(tok[:i]))
	r := new(big.Int).SetBytes(sig[:p521Size])
	s := new(big.Int).SetBytes(sig[p521Size:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return c, errJWTSignature
	}
	return c, nil
}
