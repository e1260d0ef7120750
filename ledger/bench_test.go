package ledger

import "testing"

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
