package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/view"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// Every response the tests of this package receive is validated against
// docs/openapi.yaml (see do). This test makes sure every documented API
// operation is among them, with a success status, by requesting each one.
func TestOpenAPIDescribesEveryOperation(t *testing.T) {
	needNet(t)
	sp, err := webtest.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var l view.Lot
	get(t, lotPath(demo.DemoLot), http.StatusOK, &l)
	tx := l.History[0].TxHash.String()
	requests := map[string]func(){
		"GET /v1/status":                   func() { get(t, "/v1/status", 200, nil) },
		"GET /v1/blocks":                   func() { get(t, "/v1/blocks?limit=2", 200, nil) },
		"GET /v1/blocks/latest":            func() { get(t, "/v1/blocks/latest", 200, nil) },
		"GET /v1/validators":               func() { get(t, "/v1/validators?height=1", 200, nil) },
		"GET /v1/blocks/{height}":          func() { get(t, "/v1/blocks/2", 200, nil) },
		"GET /v1/blocks/{height}/txhashes": func() { get(t, "/v1/blocks/2/txhashes", 200, nil) },
		"GET /v1/txs/{hash}":               func() { get(t, "/v1/txs/"+tx, 200, nil) },
		"GET /v1/lots":                     func() { get(t, "/v1/lots", 200, nil) },
		"GET /v1/lots/{gtin}/{lot}":        func() { get(t, lotPath(demo.RecalledLot), 200, nil) },
		"GET /v1/lots/{gtin}/{lot}/epcis":  func() { get(t, lotPath(demo.DemoLot)+"/epcis", 200, nil) },
		"GET /v1/lots/{gtin}/{lot}/qr.png": func() { get(t, lotPath(demo.DemoLot)+"/qr.png", 200, nil) },
		"GET /v1/objects":                  func() { get(t, "/v1/objects?id=/00/"+demo.SSCCPallet, 200, nil) },
		"GET /v1/objects/epcis":            func() { get(t, "/v1/objects/epcis?id=/00/"+demo.SSCCPallet, 200, nil) },
		"GET /v1/products/{gtin}":          func() { get(t, "/v1/products/"+demo.GTINMaojianSpecial, 200, nil) },
		"GET /v1/orgs":                     func() { get(t, "/v1/orgs", 200, nil) },
		"GET /v1/orgs/{id}":                func() { get(t, "/v1/orgs/regulator", 200, nil) },
		"GET /v1/notary/{hash}":            func() { get(t, "/v1/notary/"+l.Certificates[0].SHA256.String(), 200, nil) },
		"GET /v1/search":                   func() { get(t, "/v1/search?q="+tx, 200, nil) },
		"GET /metrics":                     func() { get(t, "/metrics", 200, nil) },
		// Exercised by their own tests: the stream reads forever, the
		// submissions change the chain.
		"GET /v1/events":              func() { streamHead(t, sp) },
		"POST /v1/txs":                func() { TestSubmitAndNotaryLookup(t) },
		"POST /v1/txs/batch":          func() {},
		"GET /v1/txs/{hash}/proof":    func() { optional(t, "/v1/txs/"+tx+"/proof") },
		"GET /v1/blocks/{height}/raw": func() { optional(t, "/v1/blocks/2/raw") },
	}
	for _, op := range sp.Operations() {
		_, path, _ := strings.Cut(op, " ")
		if !strings.HasPrefix(path, "/v1/") && path != "/metrics" {
			continue // the Digital Link resolver is the pages' (node/web tests it)
		}
		f, ok := requests[op]
		if !ok {
			t.Errorf("%s is documented but this test does not request it: add it", op)
			continue
		}
		f()
		if !sp.Seen(op) && !strings.HasSuffix(op, "/proof") && !strings.HasSuffix(op, "/raw") {
			t.Errorf("%s: no success response was validated", op)
		}
	}
	for op := range requests {
		found := false
		for _, d := range sp.Operations() {
			found = found || d == op
		}
		if !found {
			t.Errorf("%s is served but not documented in docs/openapi.yaml", op)
		}
	}
}

// optional requests an endpoint another room adds (proof bundles); until
// it exists the route answers ERR_NO_ROUTE.
func optional(t *testing.T, path string) {
	resp, err := http.Get(net.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Logf("%s is not served yet", path)
		return
	}
	get(t, path, http.StatusOK, nil)
}

// streamHead validates the stream's status and media type.
func streamHead(t *testing.T, sp *webtest.Spec) {
	resp, err := http.Get(net.URL + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := sp.Validate("GET", "/v1/events", resp, nil); err != nil {
		t.Error(err)
	}
}

var _ = fmt.Sprint
