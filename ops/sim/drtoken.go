package sim

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Token generation with key shares (reference §6.5): the generate-root
// algorithm, used both for DR operation tokens on a DR secondary and, through
// sys/generate-root, for a new root token (which a performance secondary
// needs after activation purged its own). Start an attempt (the server returns
// an OTP), supply key shares with the attempt's nonce until progress reaches
// required, then decode the encoded token with the OTP: base64 (raw, no
// padding), XOR with the OTP. The responses are top-level JSON, not wrapped in
// "data". The lab's seal has one key share (threshold 1): Lab.UnsealKey.

// tokenFlow is one of the two generation flows.
type tokenFlow struct {
	otpLen  int                                         // OTP length = token length (the XOR needs equal lengths)
	attempt func(c *cluster) **drAttempt                // where the attempt lives
	allowed func(q *request) (response, bool)           // who may run it
	mint    func(q *request, otpLen int) (token string) // what completion creates
}

var (
	// opFlow: DR operation tokens, 24 characters as in the documented sample.
	opFlow = tokenFlow{
		otpLen:  24,
		attempt: func(c *cluster) **drAttempt { return &c.drAttempt },
		allowed: func(q *request) (response, bool) { return q.requireDRSecondary() },
		mint: func(q *request, n int) string {
			tok := "hvs." + q.l.ids.alnum(n-4)
			q.c.drOpTokens[tok] = true
			return tok
		},
	}
	// rootFlow: root tokens ("hvs." and 24 characters, 28 in all).
	rootFlow = tokenFlow{
		otpLen:  28,
		attempt: func(c *cluster) **drAttempt { return &c.rootAttempt },
		allowed: func(q *request) (response, bool) { return response{}, true },
		mint: func(q *request, _ int) string {
			return q.l.mintRoot(q.c, q.now)
		},
	}
)

func (f tokenFlow) status(a *drAttempt, otp string) response {
	m := map[string]any{
		"nonce": "", "started": false, "progress": 0, "required": 1, "complete": false,
		"encoded_token": "", "encoded_root_token": "", "pgp_fingerprint": "", "otp": otp, "otp_length": f.otpLen,
	}
	if a != nil {
		m["nonce"], m["started"], m["progress"] = a.nonce, true, a.progress
		if a.encoded != "" {
			m["complete"], m["encoded_token"], m["encoded_root_token"] = true, a.encoded, a.encoded
		}
	}
	return jsonResponse(http.StatusOK, m)
}

func (f tokenFlow) handleStatus(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	return f.status(*f.attempt(q.c), "")
}

func (f tokenFlow) handleStart(q *request) response {
	if resp, ok := f.allowed(q); !ok {
		return resp
	}
	at := f.attempt(q.c)
	if *at != nil {
		return badRequest("a token generation is already in progress; cancel it first")
	}
	if q.str("pgp_key") != "" {
		return badRequest("PGP-encrypted tokens are not supported by the lab; use the OTP flow")
	}
	a := &drAttempt{nonce: q.l.ids.uuid(), otp: q.l.ids.alnum(f.otpLen)}
	*at = a
	return f.status(a, a.otp)
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
	at := f.attempt(q.c)
	a := *at
	if a == nil {
		return badRequest("no token generation is in progress")
	}
	if strings.TrimSpace(q.str("nonce")) != a.nonce {
		return badRequest("nonce does not match the current attempt")
	}
	if !q.l.validUnsealKey(q.str("key")) {
		return badRequest("invalid key share")
	}
	a.progress = 1
	a.encoded = encodeWithOTP(f.mint(q, f.otpLen), a.otp)
	*at = nil // a completed attempt is over; its result is this response
	return f.status(a, "")
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
// `vault operator generate-root -decode`.
func handleDecodeToken(q *request) response {
	enc, otp := strings.TrimSpace(q.str("encoded_token")), strings.TrimSpace(q.str("otp"))
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if enc == "" || otp == "" || err != nil || len(raw) != len(otp) {
		return badRequest("encoded_token and a matching otp are required")
	}
	for i := range raw {
		raw[i] ^= otp[i]
	}
	return q.logical(map[string]any{"token": string(raw)})
}

func handleDeleteOperationToken(q *request) response {
	if resp, ok := q.checkDROperationToken(); !ok {
		return resp
	}
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
