package gateway_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
)

// A webhook subscription to a named query is delivered from committed
// blocks: events captured through the gateway, and events committed while
// the gateway was down (by any client of the organisation), reach the
// receiver after a restart, with no gap; a receiver that fails at first is
// retried. Each delivery is signed with the subscriber's token.
func TestSubscriptionResumesWithoutGaps(t *testing.T) {
	nw := network(t)
	rc := &receiver{mu: make(chan struct{}, 1), got: map[string]int{}, fail: 1, secret: "receiver-secret"}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu <- struct{}{}
		defer func() { <-rc.mu }()
		rc.calls++
		if rc.calls <= rc.fail {
			w.WriteHeader(500)
			return
		}
		m := hmac.New(sha256.New, []byte(rc.secret))
		m.Write(body)
		if r.Header.Get("GS1-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			rc.bad++
		}
		for _, e := range events(t, body) {
			id, _ := e["eventID"].(string)
			rc.got[id]++
		}
	}))
	defer hook.Close()

	home := t.TempDir()
	x := startGateway(t, home, nil)
	x.spec = gatewaytest.SpecIfPresent(t)
	resp, body := x.do("POST", "/queries", []byte(`{"name": "commissioned", "query": {"eventType": ["ObjectEvent"], "EQ_bizStep": ["commissioning"]}}`))
	expect(t, resp, body, 201)
	resp, body = x.do("POST", "/queries", []byte(`{"name": "commissioned", "query": {"eventType": ["ObjectEvent"]}}`))
	expect(t, resp, body, 409)
	resp, body = x.do("GET", "/queries", nil)
	expect(t, resp, body, 200)
	resp, body = x.do("GET", "/queries/commissioned", nil)
	expect(t, resp, body, 200)
	resp, body = x.do("POST", "/queries/commissioned/subscriptions", []byte(`{"dest": "`+hook.URL+`", "signatureToken": "`+rc.secret+`", "stream": true}`))
	expect(t, resp, body, 201)
	sub := resp.Header.Get("Location")
	resp, body = x.do("POST", "/queries/commissioned/subscriptions", []byte(`{"dest": "`+hook.URL+`"}`))
	expect(t, resp, body, 400)
	resp, body = x.do("POST", "/queries/commissioned/subscriptions", []byte(`{"dest": "`+hook.URL+`", "schedule": {"hour": "1"}}`))
	expect(t, resp, body, 501)

	before := lots("sub-a", 5, true)
	x.capture(document(before...))
	waitFor(t, "the first events", func() bool { d, _ := rc.count("sub-a"); return d == 5 })
	x.stop()

	// While the gateway is down, the farm records five events directly.
	during := lots("sub-b", 5, true)
	dec, err := epcis.Decode(document(during...), epcis.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var payloads [][]byte
	for _, ev := range dec.Events {
		payloads = append(payloads, ev.Encode())
	}
	tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: uint64(time.Now().UnixNano()), Contract: trace.Contract, Method: trace.MethodCaptureBatch, Payload: trace.EncodeCaptureBatch(payloads)}
	_ = tx.Sign(farmKey)
	if o, err := client.New(nw.Members[1].URL).SubmitAndWait(context.Background(), tx); err != nil || o.Code != "OK" {
		t.Fatalf("direct capture: %+v %v", o, err)
	}

	y := startGateway(t, home, nil)
	y.spec = x.spec
	after := lots("sub-c", 3, true)
	y.capture(document(after...))
	for _, tag := range []string{"sub-a", "sub-b", "sub-c"} {
		waitFor(t, tag, func() bool {
			d, _ := rc.count(tag)
			return d == map[string]int{"sub-a": 5, "sub-b": 5, "sub-c": 3}[tag]
		})
	}
	if rc.bad > 0 {
		t.Errorf("%d deliveries with a wrong GS1-Signature", rc.bad)
	}
	resp, body = y.do("GET", sub, nil)
	expect(t, resp, body, 200)
	resp, body = y.do("GET", "/queries/commissioned/subscriptions", nil)
	expect(t, resp, body, 200)
	resp, body = y.do("GET", "/queries/commissioned/events", nil)
	expect(t, resp, body, 200)
	resp, body = y.do("DELETE", sub, nil)
	expect(t, resp, body, 204)
	resp, body = y.do("DELETE", "/queries/commissioned", nil)
	expect(t, resp, body, 204)
	resp, body = y.do("GET", sub, nil)
	expect(t, resp, body, 404)
}
