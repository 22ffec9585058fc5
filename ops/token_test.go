package ops

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func jwtOf(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJl"
}

func TestDecodeActivationToken(t *testing.T) {
	c, err := DecodeActivationToken(activationJWT)
	if err != nil {
		t.Fatal(err)
	}
	want := TokenClaims{Algorithm: "ES512", Type: "wrapping", Addr: "https://vault-primary:8200", JTI: "hvs...",
		IssuedAt: time.Unix(1720000000, 0).UTC(), NotBefore: time.Unix(1719999995, 0).UTC(), Expires: time.Unix(1720001800, 0).UTC()}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if c.Expired(time.Unix(1720001799, 0)) || !c.Expired(time.Unix(1720001800, 0)) {
		t.Errorf("Expired")
	}
}

func TestDecodeActivationTokenVariants(t *testing.T) {
	tests := []struct {
		name  string
		token string
		check func(t *testing.T, c TokenClaims)
	}{
		{"no addr (no redirect address on the primary)", jwtOf(`{"alg":"ES512"}`, `{"exp":1720001800,"type":"wrapping"}`),
			func(t *testing.T, c TokenClaims) {
				if c.Addr != "" || c.Expires.IsZero() {
					t.Errorf("%+v", c)
				}
			}},
		{"fractional and string dates", jwtOf(`{"alg":"ES512"}`, `{"exp":1720001800.5,"iat":"1720000000"}`),
			func(t *testing.T, c TokenClaims) {
				if c.Expires != time.Unix(1720001800, 5e8).UTC() || c.IssuedAt != time.Unix(1720000000, 0).UTC() {
					t.Errorf("%+v", c)
				}
			}},
		{"padded segments and surrounding space", " " + strings.Replace(jwtOf(`{"alg":"ES512"}`, `{"jti":"j"}`), ".", "==.", 1) + "\n",
			func(t *testing.T, c TokenClaims) {
				if c.JTI != "j" {
					t.Errorf("%+v", c)
				}
			}},
		{"absurd dates are ignored", jwtOf(`{}`, `{"exp":-5,"iat":1e300,"nbf":"soon"}`),
			func(t *testing.T, c TokenClaims) {
				if !c.Expires.IsZero() || !c.IssuedAt.IsZero() || !c.NotBefore.IsZero() || c.Expired(time.Now()) {
					t.Errorf("%+v", c)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeActivationToken(tt.token)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestDecodeActivationTokenErrors(t *testing.T) {
	secretish := "eyJzZWNyZXQiOiJ0b3Agc2VjcmV0In0"
	tests := map[string]string{
		"uuid":            "fb79b9d3-d94e-9eb6-4919-c559311133d6",
		"two parts":       secretish + ".x",
		"bad base64":      "eyJ!!!." + secretish + ".sig",
		"claims not json": jwtOf(`{"alg":"ES512"}`, `not json`),
		"claims array":    jwtOf(`{"alg":"ES512"}`, `[1]`),
		"header string":   jwtOf(`"x"`, `{}`),
		"empty":           "",
		"too long":        strings.Repeat("a", maxJWTBytes+1),
	}
	for name, tok := range tests {
		_, err := DecodeActivationToken(tok)
		if ClassOf(err) != ErrMalformed {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), secretish) || (len(tok) > 8 && strings.Contains(err.Error(), tok)) {
			t.Errorf("%s: error quotes the token: %v", name, err)
		}
	}
}
