package schnorrbatch

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qianchain/qianchain/internal/cputime"
	"github.com/qianchain/qianchain/ledger"
)

// Benchmarks report µs/sig (time per signature) and speedup (single
// verification time divided by µs/sig, with the single time measured in the
// same process so that the ratio survives a busy machine).
//
//	go test -run XXX -bench . ./ledger/schnorrbatch

const benchMax = 4096

var (
	benchOnce  sync.Once
	benchItems []Item // benchMax items, each by its own key
	benchFew   []Item // benchMax items by 64 keys
)

func benchSetup(b *testing.B) {
	benchOnce.Do(func() {
		benchItems = make([]Item, benchMax)
		benchFew = make([]Item, benchMax)
		few := make([]ledger.PrivateKey, 64)
		for i := range few {
			few[i] = testKey(b, 1_000_000+i)
		}
		for i := range benchItems {
			benchItems[i] = signedItem(b, testKey(b, 10_000+i), i)
			benchFew[i] = signedItem(b, few[i%len(few)], i)
		}
	})
}

// singleNow measures single verification (ledger.PublicKey.Verify) in CPU
// µs per signature over 100 verifications, right before a batch
// measurement, so that the speedup compares the two under the same load
// (testing.Benchmark cannot run inside a benchmark).
func singleNow() float64 {
	start := cputime.Process()
	for i := 0; i < 100; i++ {
		it := &benchItems[i]
		it.Key.Verify(it.Msg, it.Sig)
	}
	return float64((cputime.Process() - start).Nanoseconds()) / 100 / 1e3
}

// BenchmarkSingle is the baseline: ledger.PublicKey.Verify, one signature
// at a time.
func BenchmarkSingle(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		it := &benchItems[i%benchMax]
		if !it.Key.Verify(it.Msg, it.Sig) {
			b.Fatal("invalid")
		}
	}
	b.ReportMetric(float64((cputime.Process()-start).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/sig")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e3, "µs/sig")
}

// reportPerSig reports wall µs/sig, CPU µs/sig (cpu is the CPU time of the
// timed loop) and the speedup over single verification in CPU time (single
// is singleNow's figure, taken just before the loop).
func reportPerSig(b *testing.B, n int, cpu time.Duration, single float64) {
	us := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n) / 1e3
	cus := float64(cpu.Nanoseconds()) / float64(b.N) / float64(n) / 1e3
	b.ReportMetric(us, "µs/sig")
	b.ReportMetric(cus, "cpu-µs/sig")
	b.ReportMetric(single/cus, "speedup")
	b.ReportMetric(0, "ns/op") // per-batch time is µs/sig × n; keep the table narrow
}

var benchSizes = []int{1, 2, 4, 8, 16, 64, 256, 1024, 4096}

// BenchmarkVerify: a batch of n signatures, each by a different key, with
// the key cache cold (cache off: every key lifted, about 3 µs each) and
// warm.
func BenchmarkVerify(b *testing.B) {
	benchSetup(b)
	for _, cache := range []bool{false, true} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("cache=%v/n=%d", cache, n), func(b *testing.B) {
				benchVerify(b, benchItems[:n], cache)
			})
		}
	}
}

// BenchmarkVerifyFewSenders: n signatures by 64 keys (a busy co-op: the same
// accounts sign many transactions), so key terms are shared.
func BenchmarkVerifyFewSenders(b *testing.B) {
	benchSetup(b)
	for _, cache := range []bool{false, true} {
		for _, n := range []int{256, 1024, 4096} {
			b.Run(fmt.Sprintf("cache=%v/n=%d", cache, n), func(b *testing.B) {
				benchVerify(b, benchFew[:n], cache)
			})
		}
	}
}

func benchVerify(b *testing.B, items []Item, cache bool) {
	v := NewVerifier(0)
	if cache {
		v = NewVerifier(2 * benchMax)
		v.Verify(items) // warm
	}
	single := singleNow()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		if !v.Verify(items) {
			b.Fatal("valid batch rejected")
		}
	}
	reportPerSig(b, len(items), cputime.Process()-start, single)
}

// BenchmarkVerifyEachOneBad: the cost of finding one invalid signature in a
// batch (bisection), per signature.
func BenchmarkVerifyEachOneBad(b *testing.B) {
	benchSetup(b)
	for _, n := range []int{64, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			items := append([]Item{}, benchItems[:n]...)
			items[n/3].Sig[50] ^= 1
			v := NewVerifier(2 * benchMax)
			v.Verify(items)
			single := singleNow()
			b.ResetTimer()
			start := cputime.Process()
			for i := 0; i < b.N; i++ {
				if got := v.VerifyEach(items); len(got) != 1 {
					b.Fatal(got)
				}
			}
			reportPerSig(b, n, cputime.Process()-start, single)
		})
	}
}

// BenchmarkVerifyEachAllBad: the worst case for VerifyEach, every signature
// invalid (a flood of forged transactions): bisection gives up early and
// checks items one by one.
func BenchmarkVerifyEachAllBad(b *testing.B) {
	benchSetup(b)
	n := 256
	items := append([]Item{}, benchItems[:n]...)
	for i := range items {
		items[i].Msg[0] ^= 1
	}
	v := NewVerifier(2 * benchMax)
	v.VerifyEach(items)
	single := singleNow()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		if got := v.VerifyEach(items); len(got) != n {
			b.Fatal(len(got))
		}
	}
	reportPerSig(b, n, cputime.Process()-start, single)
}

// BenchmarkMSM compares Strauss's and Pippenger's methods on n terms of
// 128-bit scalars over distinct points (the shape of a batch: R terms and
// GLV halves of key terms), to place straussMaxTerms.
func BenchmarkMSM(b *testing.B) {
	for _, n := range []int{16, 32, 48, 64, 96, 128, 256, 512, 2048, 8192} {
		bases := make([]affine, n)
		terms := make([]term, n)
		for i := range bases {
			bases[i] = pointOf(uint64(i*i + 5))
			terms[i] = term{base: int32(i), k: randomLimbs128(uint64(i))}
		}
		for _, alg := range []string{"strauss", "pippenger"} {
			b.Run(fmt.Sprintf("n=%d/%s", n, alg), func(b *testing.B) {
				s := &scratch{}
				for i := 0; i < b.N; i++ {
					if alg == "strauss" {
						strauss(bases, terms, s)
					} else {
						pippenger(bases, terms, s)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e3, "µs/term")
			})
		}
	}
}

// BenchmarkParts times the fixed per-signature costs.
func BenchmarkParts(b *testing.B) {
	benchSetup(b)
	b.Run("liftX", func(b *testing.B) {
		k := [32]byte(benchItems[0].Key)
		for i := 0; i < b.N; i++ {
			liftX(&k)
		}
	})
	b.Run("prepare1024", func(b *testing.B) {
		bt := getBatch()
		defer putBatch(bt)
		c := newKeyCache(2 * benchMax)
		for i := 0; i < b.N; i++ {
			bt.prepare(benchItems[:1024], c, nil, true)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1024/1e3, "µs/sig")
	})
}

// randomLimbs128 is a fixed pseudo-random 128-bit value, like a batch
// coefficient or a GLV half.
func randomLimbs128(i uint64) limbs {
	h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, i))
	return limbs{binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])}
}
