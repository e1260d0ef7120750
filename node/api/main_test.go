package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// net is the devnet every test of this package reads (started once).
var net *webtest.Net

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run()) // the tests that need the network skip themselves
	}
	var err error
	net, err = webtest.Start(func(n *node.Node) http.Handler { return api.New(n) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the devnet:", err)
		os.Exit(1)
	}
	code := m.Run()
	net.Stop()
	os.Exit(code)
}

func needNet(t *testing.T) {
	t.Helper()
	if net == nil {
		t.Skip("-short: these tests run a 4-validator devnet")
	}
}

// get fetches path from node0 and decodes its JSON into v (when not nil),
// failing unless the status is want.
func get(t *testing.T, path string, want int, v any) []byte {
	t.Helper()
	return do(t, http.MethodGet, path, "", nil, want, v)
}

func do(t *testing.T, method, path, ctype string, body []byte, want int, v any) []byte {
	t.Helper()
	req, err := http.NewRequest(method, net.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if sp, err := webtest.LoadSpec(); err != nil {
		t.Fatal(err)
	} else {
		sp.Check(t, method, path, resp, raw)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return raw
}
