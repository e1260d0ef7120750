package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// The signatures of the encoding vectors reproduce byte for byte because
// signing is deterministic. docs/encoding.md ("Deterministic nonces")
// states the rule so that an outside implementation can regenerate them;
// this test implements that rule from the page, with the standard
// library's HMAC-SHA256 and big integers (btcec only multiplies points),
// and holds it against PrivateKey.Sign for the vectors' messages and more.
func TestSigningNonceRule(t *testing.T) {
	n := btcec.S256().N
	chain := NewChainIdentity(vectorChain, vectorGenesis)
	h := Sum([]byte("block"))
	var msgs []Hash
	for i := 0; i < 40; i++ {
		msgs = append(msgs, Sum([]byte{byte(i)}))
	}
	msgs = append(msgs,
		(&Vote{Type: Prevote, Height: 1, Round: 0, BlockHash: &h}).SignBytes(chain),
		(&Proposal{Height: 1, Round: 2, POLRound: 1, BlockHash: h}).SignBytes(chain),
		Hash{}, // an all-zero message is signed like any other
	)
	for _, scalar := range []uint64{1, 2, 3, 7, 1 << 40} {
		k := testKey(scalar)
		for _, m := range msgs {
			got, err := k.Sign(m)
			if err != nil {
				t.Fatal(err)
			}
			if want := signByTheDocs(t, n, k.Bytes(), m); got != want {
				t.Fatalf("key %d, message %s:\n Sign      %x\n the docs  %x", scalar, m, got, want)
			}
		}
	}
}

// signByTheDocs is BIP-340 signing with the nonce of docs/encoding.md.
func signByTheDocs(t *testing.T, n *big.Int, secret []byte, m Hash) Signature {
	// 1. d = the secret scalar, negated (n - d) when d·G has an odd y.
	d := new(big.Int).SetBytes(secret)
	P := point(d)
	if P.Y().Bit(0) == 1 {
		d.Sub(n, d)
	}
	x := make([]byte, 32)
	d.FillBytes(x)

	// 2. The nonce: RFC 6979 section 3.2 with HMAC-SHA256, private key x,
	// the 32-byte message m as h1 (used as it is, not reduced mod n), and
	// the additional data of section 3.6: SHA-256("BIP-340").
	extra := sha256.Sum256([]byte("BIP-340"))
	material := append(append(append([]byte{}, x...), m[:]...), extra[:]...)
	mac := func(key []byte, parts ...[]byte) []byte {
		h := hmac.New(sha256.New, key)
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	V := make([]byte, 32)
	for i := range V {
		V[i] = 0x01
	}
	K := make([]byte, 32)
	K = mac(K, V, []byte{0x00}, material)
	V = mac(K, V)
	K = mac(K, V, []byte{0x01}, material)
	V = mac(K, V)
	var k *big.Int
	for {
		V = mac(K, V)
		if c := new(big.Int).SetBytes(V); c.Sign() > 0 && c.Cmp(n) < 0 {
			k = c
			break
		}
		K = mac(K, V, []byte{0x00})
		V = mac(K, V)
	}

	// 3. BIP-340 from there: R = k·G, k negated when R has an odd y,
	// e = TaggedHash("BIP0340/challenge", R.x ‖ P.x ‖ m) mod n,
	// signature R.x ‖ (k + e·d mod n).
	R := point(k)
	if R.Y().Bit(0) == 1 {
		k.Sub(n, k)
	}
	rx, px := make([]byte, 32), make([]byte, 32)
	R.X().FillBytes(rx)
	P.X().FillBytes(px)
	ch := TaggedHash("BIP0340/challenge", append(append(append([]byte{}, rx...), px...), m[:]...))
	e := new(big.Int).Mod(new(big.Int).SetBytes(ch[:]), n)
	s := new(big.Int).Mul(e, d)
	s.Add(s, k).Mod(s, n)
	var sig Signature
	copy(sig[:32], rx)
	s.FillBytes(sig[32:])
	return sig
}

// point returns k·G.
func point(k *big.Int) *btcec.PublicKey {
	b := make([]byte, 32)
	k.FillBytes(b)
	_, pub := btcec.PrivKeyFromBytes(b)
	return pub
}
