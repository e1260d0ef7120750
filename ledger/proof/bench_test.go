package proof

import (
	"fmt"
	"testing"
)

// Bundle size and verification time with 4 and 16 validators, every
// validator signing both certificates, the bundle complete (next block,
// proven outcome; no batch item). docs/benchmarks.md records the figures.
func BenchmarkVerifyJSON(b *testing.B) {
	for _, n := range []int{4, 16} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			c := newChain(b, n)
			c.block(b, 100, false)
			h := c.block(b, 100, false)
			c.block(b, 0, false)
			bundle, err := Build(c, c.txs[h][37].Hash(), c.anchor.Validators)
			if err != nil {
				b.Fatal(err)
			}
			raw := bundle.Marshal()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := VerifyJSON(raw, c.anchor)
				if err != nil || !r.Result.Proven {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(raw)), "bundle-bytes")
		})
	}
}
