package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A gateway that would answer everyone 401 does not start, and API keys
// in a file others can read, or too short to resist guessing, are refused.
func TestGatewayRefusesToStartWithoutAuthentication(t *testing.T) {
	isolate(t)
	home := t.TempDir()
	r := runQian(t, "", nil, "gateway", "--home", home)
	if r.code == 0 || !strings.Contains(r.stderr, "would refuse everyone") {
		t.Errorf("no keys: exit %d, %s", r.code, r.stderr)
	}
	keys := filepath.Join(home, "keys")
	if err := os.WriteFile(keys, []byte("0123456789abcdef0123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runQian(t, "", nil, "gateway", "--home", home, "--api-key-file", keys)
	if r.code == 0 || !strings.Contains(r.stderr, "readable by others") {
		t.Errorf("group-readable key file: exit %d, %s", r.code, r.stderr)
	}
	if err := os.WriteFile(keys, []byte("# ERP\nshort\n"), 0o600); err != nil || os.Chmod(keys, 0o600) != nil {
		t.Fatal(err)
	}
	r = runQian(t, "", nil, "gateway", "--home", home, "--api-key-file", keys)
	if r.code == 0 || !strings.Contains(r.stderr, "too easy to guess") {
		t.Errorf("short key: exit %d, %s", r.code, r.stderr)
	}
	r = runQian(t, "", nil, "gateway", "--home", home, "--tls-client-ca", keys)
	if r.code == 0 || !strings.Contains(r.stderr, "needs --tls-cert") {
		t.Errorf("client CA without TLS: exit %d, %s", r.code, r.stderr)
	}
}
