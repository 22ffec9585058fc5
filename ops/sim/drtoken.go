package sim

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// DR operation tokens (reference §6.5): the generate-root algorithm on a DR
// secondary. Start an attempt (the server returns an OTP), supply key shares
// with the attempt's nonce until progress reaches required, then decode the
// encoded token with the OTP: base64 (raw, no padding), XOR with the OTP.
// These responses are top-level JSON, not wrapped in "data". The lab's seal
// has one key share (threshold 1): Lab.UnsealKey.

// opTokenLen is the length of the OTP and so of the DR operation token (the
// XOR needs equal lengths); 24 as in the documented sample.
const opTokenLen = 24

func (q *request) opTokenStatus(a *drAttempt, otp string) response {
	m := map[string]any{
		"nonce": "", "started": false, "progress": 0, "required": 1, "complete": false,
		"encoded_token": "", "encoded_root_token": "", "pgp_fingerprint": "", "otp": otp, "otp_length": opTokenLen,
	}
	if a != nil {
		m["nonce"], m["started"], m["progress"] = a.nonce, true, a.progress
		if a.encoded != "" {
			m["complete"], m["encoded_token"], m["encoded_root_token"] = true, a.encoded, a.encoded
		}
	}
	return jsonResponse(http.StatusOK, m)
}

func (q *request) requireDRSecondary() (response, bool) {
	if !q.c.drSecondary() {
		return badRequest("cluster is not a DR secondary"), false
	}
	return response{}, true
}

func handleOpTokenStatus(q *request) response {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp
	}
	return q.opTokenStatus(q.c.drAttempt, "")
}

func handleOpTokenStart(q *request) response {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp
	}
	if q.c.drAttempt != nil {
		return badRequest("an operation token generation is already in progress; cancel it first")
	}
	if q.str("pgp_key") != "" {
		return badRequest("PGP-encrypted operation tokens are not supported by the lab; use the OTP flow")
	}
	a := &drAttempt{nonce: q.l.ids.uuid(), otp: q.l.ids.alnum(opTokenLen)}
	q.c.drAttempt = a
	return q.opTokenStatus(a, a.otp)
}

func handleOpTokenCancel(q *request) response {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp
	}
	q.c.drAttempt = nil
	return noContent()
}

func handleOpTokenUpdate(q *request) response {
	if resp, ok := q.requireDRSecondary(); !ok {
		return resp
	}
	a := q.c.drAttempt
	if a == nil {
		return badRequest("no operation token generation is in progress")
	}
	if strings.TrimSpace(q.str("nonce")) != a.nonce {
		return badRequest("nonce does not match the current attempt")
	}
	if !q.l.validUnsealKey(q.str("key")) {
		return badRequest("invalid key share")
	}
	a.progress = 1
	tok := "hvs." + q.l.ids.alnum(opTokenLen-4)
	q.c.drOpTokens[tok] = true
	a.encoded = encodeWithOTP(tok, a.otp)
	q.c.drAttempt = nil // a completed attempt is over; its result is this response
	return q.opTokenStatus(a, "")
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
