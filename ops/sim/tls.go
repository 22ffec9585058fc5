package sim

// HTTPS for a lab (Options.TLS): a certificate authority made for this lab
// alone and a server certificate it signs for 127.0.0.1 and localhost, so a
// trainee practises VAULT_CACERT and ca_file as against a real cluster with
// a private CA. The keys live in memory; only the CA certificate (public) is
// written out, beside the state file.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// labTLS is a lab's CA and the server certificate every cluster presents.
type labTLS struct {
	caPEM  []byte
	pool   *x509.CertPool
	server tls.Certificate
}

// tlsValidity is how long the lab's certificates are valid. Certificates
// are checked against the machine's clock, not the lab's: a lab under
// --speed still runs for hours of real time at most.
const tlsValidity = 30 * 24 * time.Hour

// newLabTLS makes a CA and a server certificate for the loopback names.
func newLabTLS(now time.Time, label string) (*labTLS, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial := func() (*big.Int, error) { return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120)) }
	caSerial, err := serial()
	if err != nil {
		return nil, err
	}
	ca := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{CommonName: "vaultrepl lab CA " + label, Organization: []string{"vaultrepl lab (simulated)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(tlsValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvSerial, err := serial()
	if err != nil {
		return nil, err
	}
	srv := &x509.Certificate{
		SerialNumber: srvSerial,
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"vaultrepl lab (simulated)"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(tlsValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &labTLS{
		caPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:   pool,
		server: tls.Certificate{Certificate: [][]byte{srvDER, caDER}, PrivateKey: key},
	}, nil
}

func (t *labTLS) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{t.server}, MinVersion: tls.VersionTLS12}
}

func (t *labTLS) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: t.pool, MinVersion: tls.VersionTLS12}
}

// TLS reports whether the lab's clusters serve HTTPS.
func (l *Lab) TLS() bool { return l.tls != nil }

// CACertPEM is the PEM certificate of the CA that signed the clusters'
// certificate; nil when the lab serves plain HTTP.
func (l *Lab) CACertPEM() []byte {
	if l.tls == nil {
		return nil
	}
	return append([]byte(nil), l.tls.caPEM...)
}

// CACertFile is where WriteStateFile puts the CA certificate beside a state
// file: /tmp/lab.json → /tmp/lab.ca.pem.
func CACertFile(statePath string) string {
	return strings.TrimSuffix(statePath, filepath.Ext(statePath)) + ".ca.pem"
}

// writeCACert writes the CA certificate (public, mode 0644) beside the state
// file and returns its path.
func (l *Lab) writeCACert(statePath string) (string, error) {
	p := CACertFile(statePath)
	if err := os.WriteFile(p, l.tls.caPEM, 0o644); err != nil {
		return "", fmt.Errorf("write the lab's CA certificate: %w", err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p, nil
	}
	return abs, nil
}
