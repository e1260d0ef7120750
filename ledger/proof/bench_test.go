package proof

import (
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
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

// Bundle size and verification time with 0, 1, 10 and 100 validator-set
// transitions since genesis: 4 validators (power 10 each), one of them
// rotated to a fresh key at each transition (the rotation moves a quarter
// of the power: allowed), every validator signing every certificate; the
// bundle is of a transaction in a block of 10 after the last transition,
// complete (next block, proven outcome). Each transition adds a header, a
// certificate and the new set to the bundle, and 4 signatures to the one
// batch verification. docs/benchmarks.md records the figures.
func BenchmarkVerifyTransitions(b *testing.B) {
	for _, n := range []int{0, 1, 10, 100} {
		b.Run(fmt.Sprintf("transitions=%d", n), func(b *testing.B) {
			c := newChain(b, 4)
			keys := append([]ledger.PrivateKey(nil), c.c.Keys...)
			for i := 0; i < n; i++ {
				keys[i%4] = ledgertest.Key(uint64(5000 + i))
				c.change = &setChange{keys: append([]ledger.PrivateKey(nil), keys...)}
				c.block(b, 0, false)
				c.block(b, 0, false)
			}
			h := c.block(b, 10, false)
			c.block(b, 0, false)
			bundle, err := Build(c, c.txs[h][3].Hash())
			if err != nil || len(bundle.Transitions) != n {
				b.Fatalf("%v: %d transitions", err, len(bundle.Transitions))
			}
			raw := bundle.Marshal()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := VerifyJSON(raw, c.anchor)
				if err != nil || r.Transitions != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(raw)), "bundle-bytes")
		})
	}
}
