package schnorrbatch_test

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

func exampleTxs(n int) []*ledger.Tx {
	var seed [32]byte
	seed[31] = 1
	key, _ := ledger.PrivateKeyFromBytes(seed[:])
	txs := make([]*ledger.Tx, n)
	for i := range txs {
		txs[i] = &ledger.Tx{ChainID: "example", Nonce: uint64(i), Contract: "notary", Method: "anchor"}
		if err := txs[i].Sign(key); err != nil {
			panic(err)
		}
	}
	return txs
}

// A block's transactions are checked together; a block with a bad
// signature is then examined with VerifyEach to name the culprits.
func Example() {
	txs := exampleTxs(100)
	txs[42].Nonce++ // the signature no longer matches

	items := make([]schnorrbatch.Item, len(txs))
	for i, tx := range txs {
		items[i] = schnorrbatch.Item{Key: tx.Sender, Msg: tx.Hash(), Sig: tx.Sig}
	}
	if !schnorrbatch.Verify(items) {
		fmt.Println("invalid transactions:", schnorrbatch.VerifyEach(items))
	}
	// Output: invalid transactions: [42]
}

// A large block is split across cores: each part is one Verify call.
// Parts below a few hundred signatures gain less (see the package
// documentation), so the split is by core count, not finer.
func ExampleVerifier_parallel() {
	items := make([]schnorrbatch.Item, 0, 600)
	for _, tx := range exampleTxs(600) {
		items = append(items, schnorrbatch.Item{Key: tx.Sender, Msg: tx.Hash(), Sig: tx.Sig})
	}
	v := schnorrbatch.NewVerifier(4096)
	parts := runtime.GOMAXPROCS(0)
	ok := make([]bool, parts)
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := p*len(items)/parts, (p+1)*len(items)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok[p] = v.Verify(items[lo:hi])
		}()
	}
	wg.Wait()
	all := true
	for _, o := range ok {
		all = all && o
	}
	fmt.Println("block signatures valid:", all)
	// Output: block signatures valid: true
}
