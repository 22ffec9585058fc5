package sim

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Token generation with key shares ("Generate DR operation token" in
// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr): the generate-root
// algorithm, used both for DR operation tokens on a DR secondary and, through
// sys/generate-root, for a new root token (which a performance secondary
// needs after activation purged its own). Start an attempt (the server returns
// an OTP), supply key shares with the attempt's nonce until progress reaches
// required, then decode the encoded token with the OTP: base64 (raw, no
// padding), XOR with the OTP. The responses are top-level JSON, not wrapped in
// "data". The lab's seal has one key share (threshold 1): Lab.UnsealKey.
//
// The status shape and the error texts are Vault's shared generate-root code
// (vault/generate_root.go, HandleSysGenerateRoot*), which both flows go
// through; the texts are verbatim from it.

// otpLength is TokenLength (24) + TokenPrefixLength (4, "hvs."): the length
// Vault requires of an OTP and reports as otp_length, for root and DR
// operation tokens alike (the XOR needs the token and the OTP to be of one
// length). The API docs' sample shows 24, which no version's code produces
// (the sample is older than the "hvs." token prefix).
const otpLength = 28

// Verbatim errors of Vault's generate-root code.
const (
	errGenInProgress   = "root generation already in progress"
	errGenNotStarted   = "no root generation in progress"
	errGenOTPLength    = "OTP string is wrong length"
	errGenKeyMissing   = "'key' must be specified in request body as JSON"
	errGenKeyEncoding  = "'key' must be a valid hex or base64 string"
	errGenNonceFormat  = "incorrect nonce supplied; nonce for this root generation operation is %q"
	errGenKeyWrongPart = "root generation aborted: unable to authenticate: the key share does not belong to this cluster's seal (simulated)"
)

// tokenFlow is one of the two generation flows.
type tokenFlow struct {
	root    bool                              // the standard root-token strategy (fills encoded_root_token)
	attempt func(c *cluster) **drAttempt      // where the attempt lives
	allowed func(q *request) (response, bool) // who may run it
	mint    func(q *request) (token string)   // what completion creates
}

var (
	// opFlow: DR operation tokens.
	opFlow = tokenFlow{
		attempt: func(c *cluster) **drAttempt { return &c.drAttempt },
		allowed: func(q *request) (response, bool) { return q.requireDRSecondary() },
		mint: func(q *request) string {
			// As long as the OTP it is encoded with.
			tok := "hvs." + q.l.ids.alnum(otpLength-4)
			q.c.drOpTokens[tok] = true
			return tok
		},
	}
	// rootFlow: root tokens ("hvs." and 24 characters, 28 in all).
	rootFlow = tokenFlow{
		root:    true,
		attempt: func(c *cluster) **drAttempt { return &c.rootAttempt },
		allowed: func(q *request) (response, bool) { return response{}, true },
		mint: func(q *request) string {
			return q.l.mintRoot(q.c, q.now)
		},
	}
)

// status is the attempt's JSON; otpLen is what otp_length says: the
// status and start responses report the OTP length, while Vault's update
// handler (http/sys_generate_root.go) builds its response without it, so
// a key share's answer, the completing one included, says 0.
func (f tokenFlow) status(a *drAttempt, otp string, otpLen int) response {
	m := map[string]any{
		"nonce": "", "started": false, "progress": 0, "required": 1, "complete": false,
		"encoded_token": "", "encoded_root_token": "", "pgp_fingerprint": "", "otp": otp, "otp_length": otpLen,
	}
	if a != nil {
		m["nonce"], m["started"], m["progress"] = a.nonce, true, a.progress
		if a.encoded != "" {
			m["complete"], m["encoded_token"] = true, a.encoded
			// Only the standard root-token strategy repeats it under the
			// legacy name (http/sys_generate_root.go).
			if f.root {
				m["encoded_root_token"] = a.encoded
			}
		}
	}
	return jsonResponse(http.StatusOK, m)
}

func (f tokenFlow) handleStatus(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	return f.status(*f.attempt(q.c), "", otpLength)
}

func (f tokenFlow) handleStart(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	// An OTP from the client (pre-1.10 clients sent their own) is used as
	// given and not echoed; otherwise the server makes one and returns it
	// once. Vault checks the OTP before it looks for an attempt in progress.
	otp, genned := q.str("otp"), false
	switch {
	case otp != "":
		if len(otp) != otpLength {
			return errResp(http.StatusBadRequest, errGenOTPLength)
		}
	case q.str("pgp_key") != "":
		return badRequest("PGP-encrypted tokens are not supported by the lab; use the OTP flow")
	default:
		otp, genned = q.l.ids.alnum(otpLength), true
	}
	at := f.attempt(q.c)
	if *at != nil {
		return errResp(http.StatusBadRequest, errGenInProgress)
	}
	a := &drAttempt{nonce: q.l.ids.uuid(), otp: otp}
	*at = a
	if !genned {
		otp = ""
	}
	return f.status(a, otp, otpLength)
}

func (f tokenFlow) handleCancel(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	*f.attempt(q.c) = nil
	return noContent()
}

func (f tokenFlow) handleUpdate(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	// The HTTP handler checks and decodes the key before the core looks at
	// the attempt.
	key := q.str("key")
	if key == "" {
		return errResp(http.StatusBadRequest, errGenKeyMissing)
	}
	share, err := decodeKeyShare(key)
	if err != nil {
		return errResp(http.StatusBadRequest, errGenKeyEncoding)
	}
	if resp, ok := checkShareLength(share); !ok {
		return resp
	}
	at := f.attempt(q.c)
	a := *at
	if a == nil {
		return errResp(http.StatusBadRequest, errGenNotStarted)
	}
	if nonce := q.str("nonce"); nonce != a.nonce {
		return errResp(http.StatusBadRequest, fmt.Sprintf(errGenNonceFormat, a.nonce))
	}
	if !q.l.isUnsealShare(share) {
		return errResp(http.StatusBadRequest, errGenKeyWrongPart)
	}
	a.progress = 1
	a.encoded = encodeWithOTP(f.mint(q), a.otp)
	*at = nil // a completed attempt is over; its result is this response
	return f.status(a, "", 0)
}

// The barrier's key length bounds a share: 16 to 32 bytes, plus one for the
// Shamir share's tag.
const (
	minShareLen = 16
	maxShareLen = 33
)

// checkShareLength refuses a decoded share of a length no key can have, with
// Vault's texts.
func checkShareLength(share []byte) (response, bool) {
	switch {
	case len(share) < minShareLen:
		return errResp(http.StatusBadRequest, "invalid key: key is shorter than minimum 16 bytes"), false
	case len(share) > maxShareLen:
		return errResp(http.StatusBadRequest, "invalid key: key is longer than maximum 33 bytes"), false
	}
	return response{}, true
}

// decodeKeyShare decodes a key share given in hex or base64, as Vault's
// generate-root and unseal handlers accept either: hex first, unless that
// gives no key of a possible length (a base64 string can also be valid hex).
func decodeKeyShare(k string) ([]byte, error) {
	if b, err := hex.DecodeString(k); err == nil && len(b) >= minShareLen && len(b) <= maxShareLen {
		return b, nil
	}
	return base64.StdEncoding.DecodeString(k)
}

func (q *request) requireDRSecondary() (response, bool) {
	if !q.c.drSecondary() {
		return badRequest("cluster is not a DR secondary"), false
	}
	return response{}, true
}

func encodeWithOTP(token, otp string) string {
	b := []byte(token)
	for i := range b {
		b[i] ^= otp[i]
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// handleDecodeToken is sys/decode-token: the server-side version of
// `vault operator generate-root -decode`. Vault runs roottoken.DecodeToken
// with the OTP's length and returns its error bare, without a response
// object, which the HTTP layer turns into a 500 (RespondErrorCommon in
// Vault's sdk/logical/response_util.go: no response object means 500).
func handleDecodeToken(q *request) response {
	tok, err := decodeToken(q.str("encoded_token"), q.str("otp"))
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	return q.logical(map[string]any{"token": tok})
}

// decodeToken is sdk/helper/roottoken.DecodeToken with otpLength = len(otp),
// error texts included. An empty OTP selects the pre-1.10 path, which XORs
// two base64 values; the lab never issues such tokens, so it only fails as
// that path fails when the OTP is missing.
func decodeToken(encoded, otp string) (string, error) {
	if otp == "" {
		a, err := base64.StdEncoding.DecodeString(encoded)
		switch {
		case err != nil:
			return "", fmt.Errorf("error xoring token: error decoding first base64 value: %v", err)
		case len(a) == 0:
			return "", errors.New("error xoring token: decoded first base64 value is nil or empty")
		}
		return "", errors.New("error xoring token: decoded second base64 value is nil or empty")
	}
	b, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("error decoding base64'd token: %v", err)
	}
	if len(b) != len(otp) {
		return "", fmt.Errorf("error xoring token: length of byte slices is not equivalent: %d != %d", len(b), len(otp))
	}
	for i := range b {
		b[i] ^= otp[i]
	}
	return string(b), nil
}

func handleDeleteOperationToken(q *request) response {
	delete(q.c.drOpTokens, strings.TrimSpace(q.str("dr_operation_token")))
	return noContent()
}

// mintRoot creates a root token on c (locally: on a DR primary it replicates
// to DR secondaries like any token).
func (l *Lab) mintRoot(c *cluster, now time.Time) string {
	t := &tokenEntry{ID: l.ids.token(), Accessor: l.ids.accessor(), Policies: []string{"root"},
		Path: "auth/token/root", DisplayName: "root", Created: now, Orphan: true, Meta: map[string]string{}}
	c.write(now, &mutation{op: opTokenCreate, key: t.ID, token: t})
	return t.ID
}
