package view

import (
	"testing"

	"github.com/qianchain/qianchain/node/audit/audittest"
)

// storyReader is a Reader of a 4-validator chain holding the demo story.
func storyReader(t *testing.T) *Reader {
	t.Helper()
	c := audittest.New(t, 4)
	c.Story(4)
	c.Block(nil, nil) // the story's last transactions get their next block
	r, err := New(c.Store, c.Doc, c.Doc.Hash(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The explorer's list of recent blocks, read from headers alone, says what
// the full blocks say: height, time, number of transactions, proposer.
func TestBlockRowsMatchBlocks(t *testing.T) {
	r := storyReader(t)
	rows, err := r.BlockRows(12)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := r.Blocks(0, 12, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(blocks) || len(rows) < 3 {
		t.Fatalf("%d rows for %d blocks (want the same, at least 3)", len(rows), len(blocks))
	}
	withTxs := 0
	for i, b := range blocks {
		want := BlockRow{Height: b.Height, Time: b.Time, TxCount: uint32(len(b.Txs)), ProposerName: b.ProposerName}
		if rows[i] != want {
			t.Errorf("row %d: %+v, the block says %+v", i, rows[i], want)
		}
		if len(b.Txs) > 0 {
			withTxs++
		}
	}
	if withTxs == 0 || rows[0].ProposerName == "" {
		t.Fatalf("the story's blocks hold no transactions or name no proposer: %+v", rows)
	}
	if few, _ := r.BlockRows(2); len(few) != 2 || few[0] != rows[0] {
		t.Errorf("BlockRows(2) = %+v, want the newest two of %+v", few, rows)
	}
}

// A page of blocks ends after the block that brings its transactions to
// the budget, and holds at least one block.
func TestBlocksStopAtTheirTransactionBudget(t *testing.T) {
	r := storyReader(t)
	all, err := r.Blocks(0, 100, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	// The budget that the first two blocks with transactions reach.
	budget, withTxs, want := 0, 0, 0
	for i, b := range all {
		budget += len(b.Txs)
		if len(b.Txs) > 0 {
			withTxs++
		}
		if withTxs == 2 {
			want = i + 1
			break
		}
	}
	if want == 0 {
		t.Fatalf("the story holds fewer than two blocks with transactions: %d blocks", len(all))
	}
	got, err := r.Blocks(0, 100, budget)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want {
		t.Errorf("a budget of %d transactions gave %d blocks, want %d", budget, len(got), want)
	}
	if one, _ := r.Blocks(0, 100, 0); len(one) != 1 {
		t.Errorf("a budget of 0 gave %d blocks, want the newest one", len(one))
	}
}
