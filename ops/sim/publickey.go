package sim

// The public-key activation flow (secondary_public_key): the secondary makes a
// key pair, the primary encrypts the activation data to it, and the secondary
// activates without calling the primary's API.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// handleGeneratePublicKey makes the key pair for the public-key activation
// flow; the response field name is not documented [I].
func handleGeneratePublicKey(q *request) response {
	k, err := ecdh.P256().GenerateKey(crand.Reader)
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	q.c.publicKey = k
	return q.logical(map[string]any{"secondary_public_key": base64.StdEncoding.EncodeToString(k.PublicKey().Bytes())})
}

// sealedActivation is the plaintext of a public-key activation token.
type sealedActivation struct {
	activationData
	JTI     string `json:"jti"`
	Primary string `json:"primary"`
}

// sealActivation encrypts the activation data to the secondary's public key
// (ECDH P-256 + AES-GCM): ephemeral public key ‖ nonce ‖ ciphertext, base64.
func (l *Lab) sealActivation(p *cluster, r *role, w *wrapToken, pubB64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(pubB64)
	if err != nil {
		return "", err
	}
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		return "", err
	}
	eph, err := ecdh.P256().GenerateKey(crand.Reader)
	if err != nil {
		return "", err
	}
	gcm, err := gcmFor(eph, pub)
	if err != nil {
		return "", err
	}
	plain, _ := json.Marshal(sealedActivation{activationData: l.activationFor(p, w), JTI: w.jti, Primary: p.name})
	nonce := make([]byte, gcm.NonceSize())
	if _, err := crand.Read(nonce); err != nil {
		return "", err
	}
	out := append(append(eph.PublicKey().Bytes(), nonce...), gcm.Seal(nil, nonce, plain, nil)...)
	return base64.StdEncoding.EncodeToString(out), nil
}

func gcmFor(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) (cipher.AEAD, error) {
	secret, err := priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256(secret)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// openActivation decrypts a public-key activation token with the secondary's
// key. There is no unwrap call, so single use and expiry are checked against
// the issuing primary's records directly (in Vault, at its first handshake
// over the cluster port).
func (l *Lab) openActivation(s *cluster, token string, now time.Time) (activationData, error) {
	var a activationData
	raw, err := base64.StdEncoding.DecodeString(token)
	const pubLen = 65
	if err != nil || len(raw) < pubLen+12 {
		return a, errors.New("the activation token could not be decrypted")
	}
	eph, err := ecdh.P256().NewPublicKey(raw[:pubLen])
	if err != nil {
		return a, errors.New("the activation token could not be decrypted")
	}
	gcm, err := gcmFor(s.publicKey, eph)
	if err != nil {
		return a, err
	}
	ns := gcm.NonceSize()
	plain, err := gcm.Open(nil, raw[pubLen:pubLen+ns], raw[pubLen+ns:], nil)
	if err != nil {
		return a, errors.New("the activation token could not be decrypted with this cluster's public key")
	}
	var sa sealedActivation
	if err := json.Unmarshal(plain, &sa); err != nil {
		return a, errors.New("the activation token could not be decoded")
	}
	p := l.byName[sa.Primary]
	if p == nil {
		return a, errors.New("the activation token's primary is not part of this lab")
	}
	w := p.wraps[sa.JTI]
	if w == nil || !w.valid(p.clock(now)) {
		return a, errors.New("the activation token is expired, revoked or already used")
	}
	w.used = true
	return sa.activationData, nil
}
