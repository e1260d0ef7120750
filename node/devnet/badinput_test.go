package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/localnet"
)

// Each class of bad input in docs/bad-input.md, sent to a live node: the
// node answers with the documented code, commits nothing it should not, and
// keeps committing blocks.
func TestBadInputToALiveNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	dir := t.TempDir()
	ready := make(chan *Network, 1)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-errc }()
	go func() {
		errc <- Run(ctx, Options{Dir: dir, HTTP: "127.0.0.1:0", BasePort: freeBasePort(t),
			KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
			Handler:        func(n *node.Node) http.Handler { return api.New(n) },
			Ready:          func(nw *Network) { ready <- nw }})
	}()
	var nw *Network
	select {
	case nw = <-ready:
	case err := <-errc:
		t.Fatal(err)
	}
	url := nw.URLs[0]
	c := client.New(url)
	chainID := nw.Genesis.ChainID

	kr, err := keyring.Open(dir+"/"+localnet.KeyringDirName, keyring.InsecureTestKDF())
	if err != nil {
		t.Fatal(err)
	}
	key := func(role string) ledger.PrivateKey {
		k, err := kr.Unlock(role, []byte(DefaultPassphrase))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	farm, retailer := key(string(membership.Farm)), key(string(membership.Retailer))
	outsider, _ := ledger.GenerateKey()
	nonce := uint64(time.Now().UnixNano())
	signed := func(k ledger.PrivateKey, chain, contract, method string, payload []byte) *ledger.Tx {
		nonce++
		tx := &ledger.Tx{ChainID: chain, Nonce: nonce, Contract: contract, Method: method, Payload: payload}
		if err := tx.Sign(k); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	site := gs1.Location{GLN: demo.Farm.SiteGLN}.URI()
	commission := func(gtin, lot string) []byte {
		q, _ := epcis.ParseDecimal("10")
		ev := &epcis.Event{Type: epcis.ObjectEvent, EventTime: 1_744_000_000_000_000_000, Action: epcis.Add,
			BizStep: "commissioning", Disposition: "active", ReadPoint: site, BizLocation: site,
			QuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: gtin, Ext: lot}, HasQuantity: true, Quantity: q, UOM: "KGM"}}}
		return ev.Encode()
	}
	observe := func(id gs1.ObjectID, step string) []byte {
		ev := &epcis.Event{Type: epcis.ObjectEvent, EventTime: 1_745_000_000_000_000_000, Action: epcis.Observe,
			BizStep: step, ReadPoint: site, BizLocation: site,
			QuantityList: []epcis.Quantity{{Class: id}}}
		return ev.Encode()
	}
	good := signed(farm, chainID, trace.Contract, trace.MethodCapture, commission(demo.GTINFreshLeaves, "BAD-INPUT-OK"))
	if o, err := c.SubmitAndWait(ctx, good); err != nil || o.Code != "OK" {
		t.Fatalf("the good transaction: %+v %v", o, err)
	}
	forged := *signed(farm, chainID, trace.Contract, trace.MethodCapture, commission(demo.GTINFreshLeaves, "BAD-INPUT-2"))
	forged.Sig[10] ^= 1
	badGTIN := demo.GTINFreshLeaves[:13] + "9" // wrong check digit

	type raw struct {
		body  []byte
		ctype string
	}
	cases := []struct {
		name string
		in   any // *ledger.Tx or raw
		want string
	}{
		{"garbage bytes", raw{[]byte("\x01\xff garbage"), "application/octet-stream"}, "ERR_DECODE"},
		{"empty body", raw{nil, "application/octet-stream"}, "ERR_DECODE"},
		{"malformed JSON body", raw{[]byte(`{"tx": 12`), "application/json"}, "ERR_BAD_JSON"},
		{"oversized body", raw{bytes.Repeat([]byte{1}, 3<<20), "application/octet-stream"}, "ERR_BODY_TOO_LARGE"},
		{"wrong chain id", signed(farm, "another-chain", trace.Contract, trace.MethodCapture, commission(demo.GTINFreshLeaves, "X1")), "ERR_WRONG_CHAIN"},
		{"bad signature", &forged, "ERR_BAD_SIGNATURE"},
		{"replay of a committed transaction", good, "ERR_ALREADY_COMMITTED"},
		{"unknown contract", signed(farm, chainID, "lottery", "draw", nil), "ERR_UNKNOWN_CONTRACT"},
		{"unknown method", signed(farm, chainID, trace.Contract, "delete_history", nil), "ERR_UNKNOWN_METHOD"},
		{"sender not a member", signed(outsider, chainID, trace.Contract, trace.MethodCapture, commission(demo.GTINFreshLeaves, "X2")), "ERR_UNKNOWN_ACCOUNT"},
		{"malformed payload", signed(farm, chainID, trace.Contract, trace.MethodCapture, []byte{0xde, 0xad}), "ERR_PAYLOAD"},
		{"malformed GTIN", signed(farm, chainID, trace.Contract, trace.MethodCapture, commission(badGTIN, "X3")), "ERR_INVALID_GTIN"},
		{"unauthorised role", signed(retailer, chainID, trace.Contract, trace.MethodCapture, commission(gtinOf(demo.Retailer.Prefix), "X4")), "ERR_ROLE"},
		{"non-custodian event", signed(farm, chainID, trace.Contract, trace.MethodCapture, observe(demo.DemoLot, "inspecting")), "ERR_NOT_CUSTODIAN"},
	}
	for _, tc := range cases {
		before := nw.Nodes[0].Store.Height()
		var code string
		switch in := tc.in.(type) {
		case *ledger.Tx:
			o, err := c.SubmitAndWait(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			code = o.Code
		case raw:
			resp, err := http.Post(url+"/v1/txs", in.ctype, bytes.NewReader(in.body))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var e api.Error
			_ = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			code = e.Code
			if resp.StatusCode < 400 {
				t.Errorf("%s: status %s", tc.name, resp.Status)
			}
		}
		if code != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, code, tc.want)
		}
		// The chain keeps committing blocks.
		deadline := time.Now().Add(10 * time.Second)
		for nw.Nodes[0].Store.Height() <= before {
			if time.Now().After(deadline) {
				t.Fatalf("after %s the chain stopped at height %d", tc.name, before)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("%-35s -> %s", tc.name, code)
	}
	if !strings.HasPrefix(nw.URLs[0], "http://") {
		t.Fatal(fmt.Sprint(nw.URLs))
	}
}

// gtinOf is the GTIN-14 with item reference 00010 under prefix.
func gtinOf(prefix string) string {
	body := "0" + prefix + "00010"
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(body[12-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}
