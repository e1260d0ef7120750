package contracts_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// runStoryDecoded is runStory with the executor handed, for each
// transaction, what value(x, tx) returns (as a node hands its mempool's
// decoded payloads); with value nil it is handed nothing, and decodes
// every payload itself.
func runStoryDecoded(t *testing.T, per int, value func(x *contracts.Executor, tx *ledger.Tx) any) []*contracts.BlockResult {
	t.Helper()
	c, _, st := demoStory(t)
	byHash := map[ledger.Hash]any{}
	var txs []*ledger.Tx
	for _, s := range st.Steps {
		txs = append(txs, s.Tx)
		if value != nil {
			byHash[s.Tx.Hash()] = value(c.Exec, s.Tx)
		}
	}
	if value != nil {
		c.Decoded = func(h ledger.Hash) any { return byHash[h] }
	}
	for len(txs) > 0 {
		n := min(per, len(txs))
		if _, err := c.Block(txs[:n]...); err != nil {
			t.Fatal(err)
		}
		txs = txs[n:]
	}
	return c.Results
}

// Running each transaction from the payload admission decoded gives, byte
// for byte, what decoding it again gives: app hashes, writes, events and
// results (the demo story: every contract, one rejection). A value of the
// wrong type (which a correct node never hands over) falls back to the
// bytes and changes nothing either.
func TestExecutionFromDecodedPayloadsIsTheSame(t *testing.T) {
	plain := runStory(t, 7)
	decoded := runStoryDecoded(t, 7, func(x *contracts.Executor, tx *ledger.Tx) any {
		v, err := x.DecodePayload(tx.Contract, tx.Method, tx.Payload)
		if err != nil {
			t.Fatalf("%s.%s: %v", tx.Contract, tx.Method, err)
		}
		return v
	})
	wrong := runStoryDecoded(t, 7, func(*contracts.Executor, *ledger.Tx) any { return struct{}{} })
	for _, other := range [][]*contracts.BlockResult{decoded, wrong} {
		sameResults(t, plain, other)
		for i := range plain {
			for j, r := range plain[i].Results {
				if other[i].Results[j] != r {
					t.Fatalf("block %d tx %d: %v, want %v", i+1, j, other[i].Results[j], r)
				}
			}
			for j, e := range plain[i].Events {
				if len(other[i].Events[j].Attrs) != len(e.Attrs) || other[i].Events[j].Type != e.Type {
					t.Fatalf("block %d event %d differs", i+1, j)
				}
			}
		}
	}
}

// With a decoded payload the executor runs the method's Apply and does not
// decode the payload again (Run would); without one, or for a method with
// no Apply, it runs Run.
func TestExecutionUsesTheDecodedPayload(t *testing.T) {
	var runs, applies int
	m := &contracts.Method{Contract: "count", Name: "it",
		Decode: func(b []byte) (any, error) { return string(b), nil },
		Run:    func(*call.Context, *membership.Caller, []byte) error { runs++; return nil },
		Apply: func(_ *call.Context, _ *membership.Caller, v any, p []byte) error {
			if v != string(p) {
				t.Errorf("Apply got %v for payload %q", v, p)
			}
			applies++
			return nil
		},
	}
	x := contracts.NewExecutorWith(append(contracts.Methods(), m))
	ks, g, st := demoGenesis(t)
	farm := ks[membership.Farm]
	mk := func(nonce uint64, p string) *ledger.Tx {
		tx := &ledger.Tx{ChainID: contracttest.ChainID, Sender: farm.PublicKey(), Nonce: nonce, Contract: "count", Method: "it", Payload: []byte(p)}
		if err := tx.Sign(farm); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	admitted, unknown := mk(0, "a"), mk(1, "b")
	decoded := func(h ledger.Hash) any {
		if h == admitted.Hash() {
			return "a"
		}
		return nil
	}
	res, err := x.ExecuteBlockDecoded(st, g.Prior(), contracts.BlockContext{ChainID: contracttest.ChainID, Height: 1}, []*ledger.Tx{admitted, unknown}, decoded)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Results {
		if !r.OK() {
			t.Fatalf("tx %d: %v", i, r)
		}
	}
	if applies != 1 || runs != 1 {
		t.Fatalf("Apply ran %d times and Run %d, want 1 and 1", applies, runs)
	}
}
