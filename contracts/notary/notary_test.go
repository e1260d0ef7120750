package notary_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

var (
	dxKey   = contracttest.Key("exchange")
	farmKey = contracttest.Key("farm")
)

func world(t testing.TB) *contracttest.Chain {
	c, err := contracttest.New([]membership.OrgSpec{
		contracttest.Org("exchange", dxKey, []membership.Role{membership.DataExchange}, nil, nil),
		contracttest.Org("farm", farmKey, []membership.Role{membership.Farm}, []string{"6923101"}, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func expect(t testing.TB, code, got, msg string, text ...string) {
	t.Helper()
	if got != code {
		t.Fatalf("got %s (%s), want %s", got, msg, code)
	}
	for _, s := range text {
		if !strings.Contains(msg, s) {
			t.Fatalf("%s: %q lacks %q", code, msg, s)
		}
	}
}

func do(t *testing.T, c *contracttest.Chain, k ledger.PrivateKey, method string, payload []byte, code string, text ...string) {
	t.Helper()
	r := c.Do(k, notary.Contract, method, payload)
	expect(t, code, r.Code, r.Message, text...)
}

func TestAnchorAndLookup(t *testing.T) {
	c := world(t)
	h := ledger.Sum([]byte("soil test 2025"))
	a := &notary.Anchor{Hash: h, Kind: notary.Evidence, Name: "土壤检测 soil test.pdf", MediaType: "application/pdf", Size: 1234,
		Attrs: []notary.Attr{{Key: "lab", Value: "黔南"}, {Key: "plot", Value: "3"}}}
	do(t, c, farmKey, notary.MethodAnchor, a.Encode(), call.OK)
	rec, err := notary.Lookup(c.Store, h)
	if err != nil || rec == nil || rec.Org != "farm" || rec.Height != c.Height || rec.Time != c.Time || rec.Kind != notary.Evidence {
		t.Fatalf("%+v %v", rec, err)
	}
	back, err := notary.DecodeAnchor(rec.Payload)
	if err != nil || back.Name != a.Name {
		t.Fatalf("metadata: %+v %v", back, err)
	}
	// A second anchoring, by anyone, reports the first.
	do(t, c, dxKey, notary.MethodAnchor, (&notary.Anchor{Hash: h, Kind: notary.DataProduct}).Encode(), call.ErrAlreadyAnchored, "by farm at height 1")
	if rec2, _ := notary.Lookup(c.Store, h); rec2.Org != "farm" {
		t.Fatal("the second anchoring changed the record")
	}
	if rec, _ := notary.Lookup(c.Store, ledger.Sum([]byte("never"))); rec != nil {
		t.Fatal("lookup of an unanchored hash")
	}
	unsorted := &notary.Anchor{Hash: ledger.Sum([]byte("u")), Kind: notary.Evidence, Attrs: []notary.Attr{{Key: "b"}, {Key: "a"}}}
	do(t, c, farmKey, notary.MethodAnchor, unsorted.Encode(), call.ErrPayload, "sorted")
	trade := &notary.Anchor{Hash: ledger.Sum([]byte("t")), Kind: notary.Trade}
	do(t, c, farmKey, notary.MethodAnchor, trade.Encode(), call.ErrPayload, "own methods")
	spaced := &notary.Anchor{Hash: ledger.Sum([]byte("s")), Kind: notary.Evidence, Name: " padded "}
	do(t, c, farmKey, notary.MethodAnchor, spaced.Encode(), call.ErrInvalid, "name")
}

func TestOnlyDataExchangesRecordTrades(t *testing.T) {
	c := world(t)
	tr := &notary.TradePayload{ProductHash: ledger.Sum([]byte("dataset")), Seller: "黔南都匀毛尖茶业有限公司", Buyer: "黔货出山电商平台",
		ProductID: "GBDEX-DP-2025-0391", TermsHash: ledger.Sum([]byte("terms")), Reference: "GBDEX-2025-04-0017", Time: 1744270200e9}
	do(t, c, farmKey, notary.MethodRecordTrade, tr.Encode(), call.ErrRole)
	do(t, c, dxKey, notary.MethodRecordTrade, tr.Encode(), call.OK)
	rec, err := notary.Lookup(c.Store, tr.TradeHash())
	if err != nil || rec == nil || rec.Kind != notary.Trade || rec.Org != "exchange" {
		t.Fatalf("%+v %v", rec, err)
	}
	do(t, c, dxKey, notary.MethodRecordTrade, tr.Encode(), call.ErrAlreadyAnchored)
	noBuyer := *tr
	noBuyer.Buyer = ""
	do(t, c, dxKey, notary.MethodRecordTrade, noBuyer.Encode(), call.ErrInvalid, "buyer")
}

func items(n int) []ledger.Hash {
	out := make([]ledger.Hash, n)
	for i := range out {
		out[i] = ledger.Sum([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	}
	return out
}

// The batch tree is RFC 6962's: the same root and proofs as ledger/merkle.
func TestBatchMatchesMerklePackage(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8, 13, 100, 1025} {
		its := items(n)
		b, err := notary.NewBatch(its)
		if err != nil {
			t.Fatal(err)
		}
		leaves := make([]merkle.Hash, n)
		for i, it := range its {
			leaves[i] = merkle.LeafHash(it[:])
		}
		for _, i := range []int{0, n / 2, n - 1} {
			want, _ := merkle.Prove(leaves, uint64(i))
			got := b.Proof(i)
			if got.Index != want.Index || got.Size != want.Size || len(got.Path) != len(want.Path) {
				t.Fatalf("n=%d i=%d: proof shape differs", n, i)
			}
			for j := range got.Path {
				if got.Path[j] != want.Path[j] {
					t.Fatalf("n=%d i=%d: path differs", n, i)
				}
			}
		}
		if root := merkle.Root(leaves); root != b.Root() {
			t.Fatalf("n=%d: root differs", n)
		}
	}
	if _, err := notary.NewBatch(nil); call.CodeOf(err) != call.ErrInvalid {
		t.Fatalf("empty batch: %v", err)
	}
}

// A batch's root is anchored in one transaction; each item's path leads
// to it (the item's offline certificate is that path on the transaction's
// proof bundle: ledger/proof's certificate tests).
func TestBatchAnchorsItsRoot(t *testing.T) {
	c := world(t)
	its := items(1000)
	b, err := notary.NewBatch(its)
	if err != nil {
		t.Fatal(err)
	}
	tx := c.Tx(farmKey, notary.Contract, notary.MethodAnchorBatch, b.Payload("2025 spring harvest photos", []notary.Attr{{Key: "plot", Value: "3"}}))
	res, err := c.Block(tx)
	if err != nil || !res.Results[0].OK() {
		t.Fatalf("%v %+v", err, res)
	}
	if rec, _ := notary.Lookup(c.Store, b.Root()); rec == nil || rec.Kind != notary.BatchRoot || rec.TxHash != tx.Hash() {
		t.Fatalf("root not anchored: %+v", rec)
	}
	if err := merkle.Verify(merkle.LeafHash(its[417][:]), b.Proof(417), b.Root()); err != nil {
		t.Fatalf("item 417's path: %v", err)
	}
	// The root is anchored once.
	do(t, c, dxKey, notary.MethodAnchorBatch, b.Payload("again", nil), call.ErrAlreadyAnchored)
	do(t, c, dxKey, notary.MethodAnchorBatch, (&notary.BatchPayload{Root: ledger.Sum([]byte("r")), Size: 0}).Encode(), call.ErrInvalid, "1 to 1000000")
	do(t, c, dxKey, notary.MethodAnchorBatch, (&notary.BatchPayload{Root: ledger.Sum([]byte("r")), Size: notary.MaxBatchItems + 1}).Encode(), call.ErrInvalid)
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	a := (&notary.Anchor{Hash: ledger.Sum([]byte("a")), Kind: notary.Evidence, Name: "n", Attrs: []notary.Attr{{Key: "k", Value: "v"}}}).Encode()
	tr := (&notary.TradePayload{Seller: "s", Buyer: "b", ProductID: "p"}).Encode()
	bp := (&notary.BatchPayload{Size: 3, Name: "batch"}).Encode()
	contracttest.WriteSeeds(t, "FuzzDecoders", append([]byte{0}, a...), append([]byte{1}, tr...), append([]byte{2}, bp...))
}

// FuzzDecoders: payload decoders never panic and are canonical. (Notary
// certificates are ledger/proof's, fuzzed there with bundles.)
func FuzzDecoders(f *testing.F) {
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		var out []byte
		var err error
		switch b[0] % 3 {
		case 0:
			var p *notary.Anchor
			if p, err = notary.DecodeAnchor(b[1:]); err == nil {
				out = p.Encode()
			}
		case 1:
			var p *notary.TradePayload
			if p, err = notary.DecodeTrade(b[1:]); err == nil {
				out = p.Encode()
			}
		default:
			var p *notary.BatchPayload
			if p, err = notary.DecodeBatch(b[1:]); err == nil {
				out = p.Encode()
			}
		}
		if err == nil && !bytes.Equal(out, b[1:]) {
			t.Fatal("non-canonical payload accepted")
		}
	})
}
