package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
)

// Submit reads the node's own 202 without reflection and any other JSON
// form of the same answer (another server's spacing) by decoding it; a
// rejection is an *Error with its code either way.
func TestSubmitReadsEveryFormOfTheAnswer(t *testing.T) {
	tx := &ledger.Tx{ChainID: "test", Nonce: 1, Contract: "notary", Method: "anchor", Payload: []byte("x")}
	h := tx.Hash()
	own := fmt.Sprintf("{\n  \"tx_hash\": \"%s\",\n  \"code\": \"OK\"\n}\n", h)
	// The node's own form is the one read without reflection
	// (api.TestParseAccepted holds ParseAccepted to the node's writer).
	if got, ok := api.ParseAccepted([]byte(own)); !ok || got != h {
		t.Fatalf("api.ParseAccepted(the node's own answer) = %s, %v", got, ok)
	}
	for name, answer := range map[string]string{
		"the node's own": own,
		"compact":        fmt.Sprintf(`{"tx_hash":"%s","code":"OK"}`, h),
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, answer)
		}))
		got, err := New(srv.URL).Submit(context.Background(), tx)
		srv.Close()
		if err != nil || got != h {
			t.Errorf("%s answer: Submit = %s, %v; want %s", name, got, err, h)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"code":"ERR_MEMPOOL_FULL","message":"full"}`)
	}))
	defer srv.Close()
	if _, err := New(srv.URL).Submit(context.Background(), tx); CodeOf(err) != "ERR_MEMPOOL_FULL" {
		t.Errorf("a 503: Submit error %v; want ERR_MEMPOOL_FULL", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `not json`)
	}))
	defer bad.Close()
	if _, err := New(bad.URL).Submit(context.Background(), tx); err == nil {
		t.Error("a 202 that is not JSON: Submit gave no error")
	}
}
