package proof

import (
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
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
			bundle, err := Build(c, c.txs[h][37].Hash())
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

// A notary certificate's size and verification time with 4 validators: a
// complete bundle of an anchor_batch transaction in a block of 100, with
// the item's path (5 items here; a batch of n adds one 67-byte hex sibling
// per doubling, 20 for a million). docs/notarization.md records the figures.
func BenchmarkVerifyCertificateJSON(b *testing.B) {
	c := newChain(b, 4)
	c.block(b, 99, true)
	c.block(b, 0, false)
	bundle, err := Build(c, c.batchTx)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := merkle.Prove(leafHashes(c.batch), 3)
	if err := AttachBatchItem(bundle, c.batch[3], p); err != nil {
		b.Fatal(err)
	}
	cert, err := NewCertificate(bundle, "photos/IMG_0003.jpg")
	if err != nil {
		b.Fatal(err)
	}
	raw := cert.Marshal()
	file := ledger.Hash(c.batch[3])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := VerifyCertificateJSON(raw, c.anchor, &file); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "certificate-bytes")
}
