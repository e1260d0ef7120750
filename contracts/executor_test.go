package contracts_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
)

// runStory executes the demo story in blocks of size per block and returns
// every block's result.
func runStory(t *testing.T, per int) []*contracts.BlockResult {
	t.Helper()
	return runStoryDecoded(t, per, nil)
}

func sameResults(t *testing.T, a, b []*contracts.BlockResult) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d blocks vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].AppHash != b[i].AppHash {
			t.Fatalf("block %d: app hash %s vs %s", i+1, a[i].AppHash, b[i].AppHash)
		}
		if len(a[i].Writes) != len(b[i].Writes) || len(a[i].Events) != len(b[i].Events) {
			t.Fatalf("block %d: writes or events differ", i+1)
		}
		for j := range a[i].Writes {
			if !bytes.Equal(a[i].Writes[j].Key, b[i].Writes[j].Key) || !bytes.Equal(a[i].Writes[j].Value, b[i].Writes[j].Value) {
				t.Fatalf("block %d: write %d differs", i+1, j)
			}
		}
	}
}

// The same blocks executed twice, and under different GOMAXPROCS, give
// identical app hashes, writes and results.
func TestExecutionIsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	one := runStory(t, 7)
	again := runStory(t, 7)
	runtime.GOMAXPROCS(8)
	many := runStory(t, 7)
	sameResults(t, one, again)
	sameResults(t, one, many)
	// The demo's one deliberate rejection is in the results.
	rejected := 0
	for _, b := range one {
		for _, r := range b.Results {
			if !r.OK() {
				rejected++
			}
		}
	}
	if rejected != 1 {
		t.Fatalf("%d rejections, want 1", rejected)
	}
}

func TestFailedTransactionsChangeNothing(t *testing.T) {
	c, ks := demoWorld(t)
	before := c.Store.Len()
	farm := ks[membership.Farm]
	res, err := c.Block(
		c.Tx(farm, "nosuch", "x", nil),
		c.Tx(farm, notary.Contract, "x", nil),
		c.Tx(farm, notary.Contract, notary.MethodAnchor, []byte{1}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Writes) != 0 || len(res.Events) != 0 || c.Store.Len() != before {
		t.Fatalf("failed transactions wrote %d keys, %d events", len(res.Writes), len(res.Events))
	}
	want := []string{call.ErrUnknownContract, call.ErrUnknownMethod, call.ErrPayload}
	for i, r := range res.Results {
		if r.Code != want[i] || r.Message == "" {
			t.Errorf("tx %d: %+v, want %s with a sentence", i, r, want[i])
		}
	}
}

// A transaction that fails after writing leaves none of its writes, while
// the block's other transactions keep theirs.
func TestRejectedTransactionIsRolledBack(t *testing.T) {
	c, ks := demoWorld(t)
	dx := ks[membership.DataExchange]
	h1, h2 := ledger.Sum([]byte("one")), ledger.Sum([]byte("two"))
	res, err := c.Block(
		c.Tx(dx, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: h1, Kind: notary.DataProduct}).Encode()),
		c.Tx(dx, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: h1, Kind: notary.DataProduct}).Encode()),
		c.Tx(dx, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: h2, Kind: notary.DataProduct}).Encode()),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Results[0].OK() || res.Results[1].Code != call.ErrAlreadyAnchored || !res.Results[2].OK() {
		t.Fatalf("%+v", res.Results)
	}
	if r, _ := notary.Lookup(c.Store, h1); r == nil || r.TxIndex != 0 {
		t.Fatalf("%+v", r)
	}
	if len(res.Events) != 2 || res.Events[1].TxIndex != 2 {
		t.Fatalf("events: %+v", res.Events)
	}
}

func TestPanickingMethodIsInternalError(t *testing.T) {
	ks, g, st := demoGenesis(t)
	x := contracts.NewExecutorWith(append(contracts.Methods(), &contracts.Method{Contract: "bug", Name: "panic",
		Decode: func([]byte) (any, error) { return nil, nil },
		Run: func(c *call.Context, _ *membership.Caller, _ []byte) error {
			c.State.Set([]byte("z/garbage"), []byte("x"))
			panic("index out of range")
		}}))
	tx := &ledger.Tx{ChainID: contracttest.ChainID, Sender: ks[membership.Farm].PublicKey(), Contract: "bug", Method: "panic"}
	res, err := x.ExecuteBlock(st, g.Prior(), contracts.BlockContext{ChainID: contracttest.ChainID, Height: 1}, []*ledger.Tx{tx})
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Code != call.ErrInternal || len(res.Writes) != 0 {
		t.Fatalf("%+v", res)
	}
}

type brokenStore struct{ *memstate.Store }

var errBroken = errors.New("pebble: I/O error")

func (brokenStore) Get([]byte) ([]byte, error) { return nil, errBroken }

func TestStoreFailureFailsTheBlock(t *testing.T) {
	ks, g, st := demoGenesis(t)
	tx := &ledger.Tx{ChainID: contracttest.ChainID, Sender: ks[membership.Farm].PublicKey(), Contract: notary.Contract, Method: notary.MethodAnchor,
		Payload: (&notary.Anchor{Kind: notary.Evidence}).Encode()}
	_, err := contracts.NewExecutor().ExecuteBlock(brokenStore{st}, g.Prior(), contracts.BlockContext{ChainID: contracttest.ChainID, Height: 1}, []*ledger.Tx{tx})
	if !errors.Is(err, errBroken) {
		t.Fatalf("got %v, want the store's error", err)
	}
	if err := contracts.NewExecutor().CheckTx(brokenStore{st}, tx); !errors.Is(err, errBroken) || call.CodeOf(err) != "" {
		t.Fatalf("CheckTx: %v", err)
	}
}

func TestCheckTx(t *testing.T) {
	c, ks := demoWorld(t)
	x := contracts.NewExecutor()
	farm := ks[membership.Farm]
	good := c.Tx(farm, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: ledger.Sum([]byte("c")), Kind: notary.Evidence}).Encode())
	if err := x.CheckTx(c.Store, good); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tx   *ledger.Tx
		code string
	}{
		{c.Tx(farm, "nosuch", "x", nil), call.ErrUnknownContract},
		{c.Tx(farm, notary.Contract, "x", nil), call.ErrUnknownMethod},
		{c.Tx(farm, notary.Contract, notary.MethodAnchor, nil), call.ErrPayload},
		{c.Tx(contracttest.Key("stranger"), notary.Contract, notary.MethodAnchor, good.Payload), call.ErrUnknownAccount},
	}
	for _, cs := range cases {
		if err := x.CheckTx(c.Store, cs.tx); call.CodeOf(err) != cs.code {
			t.Errorf("got %v, want %s", err, cs.code)
		}
	}
	// CheckTx reads only: the state is untouched.
	before := c.Store.Len()
	_ = x.CheckTx(c.Store, good)
	if c.Store.Len() != before {
		t.Fatal("CheckTx wrote")
	}
	v, err := x.DecodePayload(notary.Contract, notary.MethodAnchor, good.Payload)
	if a, ok := v.(*notary.Anchor); err != nil || !ok || a.Kind != notary.Evidence {
		t.Fatalf("DecodePayload: %#v %v", v, err)
	}
}

// A block remembers the senders it authenticated (membership.Callers), and
// must forget them when one of its transactions changes an account or an
// organisation: a key revoked, or an organisation suspended, by an earlier
// transaction of the same block cannot write in a later one.
func TestSendersChangedWithinABlockAreCheckedAgain(t *testing.T) {
	c, ks := demoWorld(t)
	anchorBy := func(k ledger.PrivateKey, s string) *ledger.Tx {
		return c.Tx(k, notary.Contract, notary.MethodAnchor, anchor(ledger.Sum([]byte(s))))
	}
	ptx := c.Tx(ks[membership.Regulator], membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.SuspendOrg, OrgID: demo.Farm2ID}))
	txs := []*ledger.Tx{
		anchorBy(farmOp(ks), "op before"),
		anchorBy(farm2(ks), "farm2 before"),
		c.Tx(ks[membership.Farm], membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: farmOp(ks).PublicKey()}).Encode()),
		anchorBy(farmOp(ks), "op after"),
		ptx,
	}
	for _, r := range []membership.Role{membership.Farm, membership.Cooperative, membership.Processor, membership.Logistics, membership.Retailer} {
		txs = append(txs, c.Tx(ks[r], membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ptx.Hash()}).Encode()))
	}
	txs = append(txs, anchorBy(farm2(ks), "farm2 after"))
	res, err := c.Block(txs...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: call.OK, 1: call.OK, 2: call.OK, 3: call.ErrKeyRevoked, 4: call.OK, len(txs) - 1: call.ErrOrgSuspended}
	for i, r := range res.Results {
		if w, ok := want[i]; ok && r.Code != w {
			t.Errorf("tx %d: %s %s, want %s", i, r.Code, r.Message, w)
		}
	}
}
