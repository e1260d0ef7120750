package gateway_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node/gateway"
	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
)

// Without a valid API key every path answers 401 in GS1's shape; with one
// it answers.
func TestAPIKeys(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	spec := gatewaytest.SpecIfPresent(t)
	for _, c := range []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/events", "", 401},
		{"OPTIONS", "/", "", 401},
		{"POST", "/capture", "", 401},
		{"GET", "/queries", "Bearer wrong-key-wrong-key-0000", 401},
		{"GET", "/capture", "Basic " + apiKey, 401},
		{"GET", "/events", "Bearer " + apiKey, 200},
	} {
		req, _ := http.NewRequest(c.method, x.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s with %q: %s, want %d", c.method, c.path, c.auth, resp.Status, c.status)
		}
		if err := spec.Validate(c.method, c.path, resp, body); err != nil {
			t.Error(err)
		}
	}
	req, _ := http.NewRequest("GET", x.URL+"/", nil)
	req.Header.Set("X-API-Key", apiKey)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("X-API-Key: %v %v", resp.Status, err)
	}
}

// With mutual TLS, a client certificate signed by the configured CA is
// enough; a client without one gets 401, and one signed by another CA
// does not get through.
func TestMutualTLS(t *testing.T) {
	nw := network(t)
	ca, caKey := newCA(t, "org CA")
	other, otherKey := newCA(t, "someone else's CA")
	g, err := gateway.Open(gateway.Options{Home: t.TempDir(), NodeURL: nw.Members[0].URL, Genesis: nw.Genesis, Key: farmKey,
		Auth: gateway.Auth{MutualTLS: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	srv := httptest.NewUnstartedServer(g.Handler())
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()
	client := func(cert *tls.Certificate) *http.Client {
		c := srv.Client()
		tr := c.Transport.(*http.Transport).Clone()
		if cert != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
		}
		return &http.Client{Transport: tr}
	}
	good := leaf(t, ca, caKey, "erp.example")
	bad := leaf(t, other, otherKey, "intruder.example")
	if resp, err := client(&good).Get(srv.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("trusted client certificate: %v %v", resp, err)
	}
	if resp, err := client(nil).Get(srv.URL + "/"); err != nil || resp.StatusCode != 401 {
		t.Errorf("no client certificate: %v %v", resp, err)
	}
	// A certificate of another CA is not even offered (the server names
	// the CAs it accepts), or is refused in the handshake: never 200.
	if resp, err := client(&bad).Get(srv.URL + "/"); err == nil && resp.StatusCode != 401 {
		t.Errorf("certificate of another CA: %s, want 401 or the handshake refused", resp.Status)
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, k
}

func leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) tls.Certificate {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
}
