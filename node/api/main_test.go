package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// net is the devnet every test of this package reads, started by the first
// test that needs it (needNet) and stopped by TestMain. Started lazily, not
// in TestMain, because every process running this package's test binary
// goes through TestMain, the fuzzing workers of FuzzSubmitBodies included:
// each of them would start four validators of its own before fuzzing a
// pure parser, and the target never got past its baseline in CI's 5 s.
var (
	net      *webtest.Net
	netErr   error
	netStart sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if net != nil {
		net.Stop()
	}
	os.Exit(code)
}

// needNet skips the test under -short and otherwise starts the devnet, once.
func needNet(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: these tests run a 4-validator devnet")
	}
	netStart.Do(func() {
		net, netErr = webtest.Start(func(n *node.Node) http.Handler { return api.New(n) })
	})
	if netErr != nil {
		t.Fatalf("start the devnet: %v", netErr)
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
