package bench

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// VerifyRate measures how many BIP-340 signatures this machine verifies
// per second using all cores, for about d.
func VerifyRate(d time.Duration) float64 {
	k, _ := ledger.GenerateKey()
	msg := ledger.Sum([]byte("qian bench ceiling"))
	sig, _ := k.Sign(msg)
	pub := k.PublicKey()
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	start := time.Now()
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				pub.Verify(msg, sig)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}
