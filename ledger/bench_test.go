package ledger

import (
	"encoding/binary"
	"testing"
)

func benchTx1KB() *Tx {
	tx := &Tx{ChainID: "qian-bench", Nonce: 42, Contract: "trace", Method: "record", Payload: make([]byte, 1024-180)}
	for i := range tx.Payload {
		tx.Payload[i] = byte('a' + i%26)
	}
	if err := tx.Sign(testKey(9)); err != nil {
		panic(err)
	}
	return tx
}

func BenchmarkTxEncode1KB(b *testing.B) {
	tx := benchTx1KB()
	b.SetBytes(int64(len(tx.Encode())))
	for i := 0; i < b.N; i++ {
		tx.Encode()
	}
}

func BenchmarkTxDecode1KB(b *testing.B) {
	enc := benchTx1KB().Encode()
	b.SetBytes(int64(len(enc)))
	for i := 0; i < b.N; i++ {
		if _, err := DecodeTx(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTxSign(b *testing.B) {
	tx := benchTx1KB()
	k := testKey(9)
	for i := 0; i < b.N; i++ {
		tx.Nonce = uint64(i)
		if err := tx.Sign(k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTxVerify(b *testing.B) {
	tx := benchTx1KB()
	for i := 0; i < b.N; i++ {
		if err := tx.VerifySignature(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecidedBlock is the ledger's part of what a validator does with
// a block another proposed: decode it, check its transaction root, encode
// it for the store, and hash each transaction three times (validation,
// execution, the index). 5,000 transactions of about 330 bytes: the blocks
// a loaded four-validator network decides (docs/benchmarks.md, Headroom).
func BenchmarkDecidedBlock(b *testing.B) {
	blk := &Block{Header: Header{ChainID: "qian-bench", Height: 1}}
	for i := range 5000 {
		tx := &Tx{ChainID: "qian-bench", Nonce: uint64(i), Contract: "trace", Method: "capture", Payload: make([]byte, 180)}
		tx.Payload[0] = byte(i)
		if err := tx.Sign(testKey(9)); err != nil {
			b.Fatal(err)
		}
		blk.Txs = append(blk.Txs, tx)
	}
	blk.FillHeader()
	enc := blk.Encode()
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := DecodeBlock(enc)
		if err != nil {
			b.Fatal(err)
		}
		if err := got.ValidateContents(); err != nil {
			b.Fatal(err)
		}
		_ = got.Encode()
		for range 3 {
			for _, tx := range got.Txs {
				_ = tx.Hash()
			}
		}
	}
}

// BenchmarkDecodeProposalBlock decodes a block of 1,000 transactions of
// 312 bytes as a validator receives it in a proposal: "alone", or
// "known" with each transaction offered by an index of ones decoded before,
// as a mempool that holds them all does (ledger.DecodeBlockKnown).
func BenchmarkDecodeProposalBlock(b *testing.B) {
	blk := &Block{Header: Header{ChainID: "qian-bench", Height: 1}}
	known := map[uint64]*Tx{} // by the first 8 bytes of the signature, as node/mempool does
	for i := range 1000 {
		tx := &Tx{ChainID: "qian-bench", Nonce: uint64(i), Contract: "trace", Method: "capture", Payload: make([]byte, 180)}
		tx.Payload[0] = byte(i)
		if err := tx.Sign(testKey(9)); err != nil {
			b.Fatal(err)
		}
		blk.Txs = append(blk.Txs, tx)
		dec, err := DecodeTx(tx.Encode())
		if err != nil {
			b.Fatal(err)
		}
		known[binary.LittleEndian.Uint64(dec.Sig[:])] = dec
	}
	blk.FillHeader()
	enc := blk.Encode()
	lookup := func(raw []byte) *Tx { return known[binary.LittleEndian.Uint64(raw[len(raw)-SignatureSize:])] }
	for _, c := range []struct {
		name  string
		known KnownTx
	}{{"alone", nil}, {"known", lookup}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeBlockKnown(enc, c.known); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
