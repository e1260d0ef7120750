package store

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// The crash test runs a writer in a child process (this test binary again,
// with QIAN_STORE_WRITER set), kills it with SIGKILL at random moments, and
// checks after each kill that the reopened store's last height is whole and
// every earlier height intact. QIAN_STORE_KILLS sets the number of kills
// (default 20).

const crashChain = "qian-crash"

// crashBlock is the deterministic content of height h in the crash test.
func crashWrites(h uint64) []Write {
	w := []Write{
		{Key: []byte(fmt.Sprintf("h/%08d", h)), Value: []byte(strconv.FormatUint(h, 10))},
		{Key: []byte("last"), Value: []byte(strconv.FormatUint(h, 10))},
	}
	if h > 3 {
		w = append(w, Write{Key: []byte(fmt.Sprintf("h/%08d", h-3))})
	}
	return w
}

func crashAppHash(h uint64) ledger.Hash { return ledger.Sum([]byte(fmt.Sprint("crash app", h))) }

func crashTxs(c *ledgertest.Chain, h uint64) []*ledger.Tx {
	var txs []*ledger.Tx
	for j := uint64(0); j < h%7+1; j++ {
		txs = append(txs, c.Tx(j%3+1, h*100+j, []byte(fmt.Sprintf("%d/%d", h, j))))
	}
	return txs
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("QIAN_STORE_WRITER"); dir != "" {
		crashWriter(dir)
		return
	}
	os.Exit(m.Run())
}

// crashWriter commits blocks forever (until killed), resuming from the
// store's tip by regenerating the deterministic chain up to it.
func crashWriter(dir string) {
	s, err := Open(dir, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer open:", err)
		os.Exit(2)
	}
	if _, err := s.GenesisHash(); err != nil {
		if err := s.InitGenesis(ledger.Hash{1}, testSet(), nil, crashAppHash(0)); err != nil {
			fmt.Fprintln(os.Stderr, "writer genesis:", err)
			os.Exit(2)
		}
	}
	c := ledgertest.NewChain(crashChain, 4)
	c.SetAppHash(crashAppHash(0))
	for c.Height() < s.Height() {
		c.Next(crashTxs(c, c.Height()+1))
		c.SetAppHash(crashAppHash(c.Height()))
	}
	for {
		h := c.Height() + 1
		txs := crashTxs(c, h)
		blk, cmt := c.Next(txs)
		results := make([][]byte, len(txs))
		for i := range results {
			results[i] = leaf(txs[i], string(rune(i)))
		}
		if err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, Results: results, Writes: crashWrites(h), AppHash: crashAppHash(h)}); err != nil {
			fmt.Fprintln(os.Stderr, "writer commit:", err)
			os.Exit(2)
		}
		c.SetAppHash(crashAppHash(h))
	}
}

func TestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	kills := 20
	if v := os.Getenv("QIAN_STORE_KILLS"); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	chain := ledgertest.NewChain(crashChain, 4)
	var last uint64
	// A writer that had no time to commit (a machine busy with other
	// work: a child process opens the store and replays the chain before
	// it writes) is given twice as long the next time, up to 16 times, and
	// half as long again after one that did.
	slow := 1
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "QIAN_STORE_WRITER="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(slow*(20+rng.Intn(250))) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("kill %d: writer exited on its own: %v", k, err)
		}
		tip := checkCrashStore(t, dir, chain)
		if tip < last {
			t.Fatalf("kill %d: tip went back from %d to %d", k, last, tip)
		}
		if tip == last {
			slow = min(2*slow, 16)
		} else {
			slow = max(slow/2, 1)
		}
		last = tip
	}
	t.Logf("%d kills, final height %d, every height whole", kills, last)
	if last == 0 {
		t.Fatal("the writer never committed a block")
	}
}

// checkCrashStore reopens the store and checks every height against the
// deterministic chain. chain is advanced to the store's tip.
func checkCrashStore(t *testing.T, dir string, chain *ledgertest.Chain) uint64 {
	t.Helper()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	tip := s.Height()
	for chain.Height() < tip {
		chain.Next(crashTxs(chain, chain.Height()+1))
		chain.SetAppHash(crashAppHash(chain.Height()))
	}
	for h := uint64(1); h <= tip; h++ {
		blk, err := s.Block(h)
		if err != nil {
			t.Fatalf("tip %d: block %d: %v", tip, h, err)
		}
		cmt, err := s.Commit(h)
		if err != nil {
			t.Fatalf("tip %d: commit %d: %v", tip, h, err)
		}
		if err := cmt.Verify(chain.Identity, chain.Validators, h, blk.Hash()); err != nil {
			t.Fatalf("tip %d: %v", tip, err)
		}
		if app, err := s.AppHash(h); err != nil || app != crashAppHash(h) {
			t.Fatalf("tip %d: app hash %d: %v", tip, h, err)
		}
		for i, tx := range blk.Txs {
			at, err := s.Tx(tx.Hash())
			if err != nil || at.Height != h || at.Pos != uint32(i) || string(at.Result) != string(leaf(tx, string(rune(i)))) {
				t.Fatalf("tip %d: tx %d/%d: %v", tip, h, i, err)
			}
		}
	}
	// The state is exactly that after height tip: nothing of tip+1.
	if tip > 0 {
		if v, _ := s.Get([]byte("last")); string(v) != strconv.FormatUint(tip, 10) {
			t.Fatalf("tip %d: state 'last' = %q", tip, v)
		}
	}
	for h := tip; h > 0 && h+3 > tip; h-- {
		if v, _ := s.Get([]byte(fmt.Sprintf("h/%08d", h))); v == nil {
			t.Fatalf("tip %d: state h/%d missing", tip, h)
		}
	}
	if tip > 3 {
		if v, _ := s.Get([]byte(fmt.Sprintf("h/%08d", tip-3))); v != nil {
			t.Fatalf("tip %d: the delete of height %d is missing", tip, tip)
		}
	}
	if v, _ := s.Get([]byte(fmt.Sprintf("h/%08d", tip+1))); v != nil {
		t.Fatalf("tip %d: state of height %d is visible", tip, tip+1)
	}
	if _, err := s.Block(tip + 1); err == nil {
		t.Fatalf("tip %d: block %d is visible", tip, tip+1)
	}
	return tip
}
