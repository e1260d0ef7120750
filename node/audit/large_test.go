package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/audit/audittest"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/nodetest"
)

// envTxs reads QIAN_AUDIT_TXS: how many transactions the large audit runs
// put on their chain (0: skip).
func envTxs(t *testing.T) int {
	n, _ := strconv.Atoi(os.Getenv("QIAN_AUDIT_TXS"))
	if n <= 0 {
		t.Skip("set QIAN_AUDIT_TXS=100000 to build a chain of that many transactions and time its audit")
	}
	return n
}

// A chain of QIAN_AUDIT_TXS notary anchors in blocks of 1,000, built
// directly (audittest: real signatures, real contracts, real certificates,
// no network), then audited from its home. Reports blocks/s and tx/s.
func TestAuditSpeedDirect(t *testing.T) {
	n := envTxs(t)
	c := audittest.New(t, 4)
	start := time.Now()
	txs := c.SignedAnchors(n)
	t.Logf("signed %d transactions in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	for i := 0; i < len(txs); i += 1000 {
		c.Block(txs[i:min(i+1000, len(txs))], nil)
	}
	c.Close()
	t.Logf("built %d blocks in %s", (n+999)/1000, time.Since(start).Round(time.Millisecond))
	timeAudit(t, c, c.Home)
}

func timeAudit(t *testing.T, c *audittest.Chain, home string) *audit.Summary {
	t.Helper()
	src, err := audit.OpenHome(home)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cpu0 := cpuSeconds()
	sum, err := audit.Run(context.Background(), src, audit.Options{Genesis: c.Doc, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cpu := cpuSeconds() - cpu0
	if !sum.OK {
		t.Fatalf("audit: %v", sum.Problem)
	}
	var load [3]float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscanf(string(b), "%f %f %f", &load[0], &load[1], &load[2])
	}
	t.Logf("audited %d blocks, %d txs, %d signatures in %.2f s on %d workers (GOMAXPROCS %d): %.0f blocks/s, %.0f tx/s; "+
		"process CPU %.2f s (%.0f tx per CPU-second); load average %.1f",
		sum.Blocks, sum.Txs, sum.Signatures, sum.Seconds, sum.Workers, runtime.GOMAXPROCS(0), sum.BlocksPerSecond, sum.TxsPerSecond,
		cpu, float64(sum.Txs)/cpu, load[0])
	return sum
}

// cpuSeconds is the process's user and system CPU time so far: unlike wall
// time, it does not grow when other work shares the machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// A real network — four validators in this process, each with its own
// Pebble store and libp2p host, running the production contracts — fed
// QIAN_AUDIT_TXS signed notary anchors through node0's mempool; then the
// chain is audited through node0's API while it runs, and from node1's data
// once the network has stopped. Reports blocks/s and tx/s of each.
func TestAuditSpeedNetwork(t *testing.T) {
	n := envTxs(t)
	orgs, keys := audittest.DemoOrganisations()
	nw := nodetest.New(t, nodetest.Options{Validators: 4, ChainID: "qian-audit-large", Orgs: orgs,
		App:     func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(1, time.Minute)
	start := time.Now()
	txs := audittest.SignedAnchors(nw.Genesis.ChainID, keys, 1, n)
	t.Logf("signed %d transactions in %s", n, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	n0 := nw.Members[0].Node
	for i, tx := range txs {
		raw := tx.Encode()
		for {
			_, _, err := n0.Submit(raw)
			if c := mempool.CodeOf(err); c == mempool.ErrMempoolFull || c == mempool.ErrSenderLimit {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			break
		}
	}
	for i := 0; i < len(txs); {
		if ok, err := n0.Store.HasTx(txs[i].Hash()); err != nil {
			t.Fatal(err)
		} else if ok {
			i++
			continue
		}
		if time.Since(start) > 30*time.Minute {
			t.Fatalf("only %d of %d transactions committed in 30 minutes", i, len(txs))
		}
		time.Sleep(50 * time.Millisecond)
	}
	build := time.Since(start)
	t.Logf("the network committed %d transactions in %s (%.0f tx/s), height %d", n, build.Round(time.Millisecond),
		float64(n)/build.Seconds(), n0.Store.Height())

	// Through the API of the running node0.
	cpu0 := cpuSeconds()
	sum, err := audit.Run(context.Background(), audit.NewRemote(nw.Members[0].URL, nil), audit.Options{Genesis: nw.Genesis, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK {
		t.Fatalf("audit --node: %v", sum.Problem)
	}
	t.Logf("audit through the API: %d blocks, %d txs, %d signatures in %.2f s: %.0f blocks/s, %.0f tx/s (process CPU %.1f s, shared with the running network)",
		sum.Blocks, sum.Txs, sum.Signatures, sum.Seconds, sum.BlocksPerSecond, sum.TxsPerSecond, cpuSeconds()-cpu0)

	// From node1's data, the network stopped.
	nw.StopAll()
	c := &audittest.Chain{Doc: nw.Genesis}
	timeAudit(t, c, nw.Members[1].Config.Home)
}
