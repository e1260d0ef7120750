package ledger

import "testing"

func TestTxSignVerifyRoundTrip(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tx := &Tx{ChainID: "qian-test", Nonce: 7, Contract: "trace", Method: "record", Payload: []byte("hello")}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	if err := tx.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != tx.Hash() || got.VerifySignature() != nil {
		t.Fatal("round trip changed the transaction")
	}
}
