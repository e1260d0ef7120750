package audit_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/audit/audittest"
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
	txs := parallelAnchors(c, n)
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

// parallelAnchors makes n anchors with the chain's nonces, signing on all
// cores.
func parallelAnchors(c *audittest.Chain, n int) []*ledger.Tx {
	txs := c.UnsignedAnchors(n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c.SignAnchor(txs[i])
			}
		}(w)
	}
	wg.Wait()
	return txs
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
