package web_test

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/web"
	"github.com/qianchain/qianchain/node/web/verifier"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// net is the devnet with the demo story that every test of this package
// reads; its nodes serve the API and the pages.
var net *webtest.Net

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		var err error
		// The pages with the in-browser verifier (TestConsumerPageVerifiesOnThePhone).
		wasm, err := verifier.Build("../..")
		if err != nil {
			fmt.Fprintln(os.Stderr, "build the browser verifier:", err)
			os.Exit(1)
		}
		net, err = webtest.Start(func(n *node.Node) http.Handler {
			return web.HandlerWith(n, api.Options{}, web.Options{VerifierWasm: wasm})
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "start the devnet:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if net != nil {
		net.Stop()
	}
	os.Exit(code)
}

func needNet(t *testing.T) {
	t.Helper()
	if net == nil {
		t.Skip("-short: these tests run a 4-validator devnet")
	}
}

// fetch requests path with an Accept header and returns the status, the
// response and the body; JSON answers are checked against the OpenAPI
// document.
func fetch(t *testing.T, path, accept string) (int, *http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, net.URL+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if sp, err := webtest.LoadSpec(); err != nil {
		t.Fatal(err)
	} else if _, documented := sp.Template(path); documented {
		sp.Check(t, http.MethodGet, path, resp, body)
	}
	return resp.StatusCode, resp, string(body)
}
