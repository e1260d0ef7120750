package schnorrbatch

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/qianchain/qianchain/ledger"
)

// testKey returns a deterministic private key.
func testKey(t testing.TB, i int) ledger.PrivateKey {
	t.Helper()
	for ctr := 0; ; ctr++ {
		var buf [16]byte
		binary.BigEndian.PutUint64(buf[:8], uint64(i))
		binary.BigEndian.PutUint64(buf[8:], uint64(ctr))
		h := sha256.Sum256(append([]byte("schnorrbatch test key"), buf[:]...))
		if k, err := ledger.PrivateKeyFromBytes(h[:]); err == nil {
			return k
		}
	}
}

func testMsg(i int) ledger.Hash {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(i))
	return ledger.TaggedHash("schnorrbatch test message", buf[:])
}

// signedItem returns a valid item: message i signed by key k.
func signedItem(t testing.TB, k ledger.PrivateKey, i int) Item {
	t.Helper()
	msg := testMsg(i)
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	return Item{Key: k.PublicKey(), Msg: msg, Sig: sig}
}

const (
	poolKeys  = 40
	poolItems = 400
)

var (
	poolOnce sync.Once
	pool     []Item
)

// itemPool returns poolItems valid items signed by poolKeys keys (item i by
// key i mod poolKeys), made once per test binary.
func itemPool(t testing.TB) []Item {
	poolOnce.Do(func() {
		keys := make([]ledger.PrivateKey, poolKeys)
		for i := range keys {
			keys[i] = testKey(t, i)
		}
		pool = make([]Item, poolItems)
		for i := range pool {
			pool[i] = signedItem(t, keys[i%poolKeys], i)
		}
	})
	return pool
}

// refVerify is the single-signature verdict the batch must agree with:
// BIP-340 Verify as ledger.PublicKey.Verify implements it. The s < n rule
// (BIP-340's "fail if s >= n", which btcec v2.3.5's ParseSignature does not
// enforce; see doc.go) is checked here as well, so the reference does not
// depend on ledger's copy of it.
func refVerify(it Item) bool {
	var sb [32]byte
	copy(sb[:], it.Sig[32:])
	var s btcec.ModNScalar
	if s.SetBytes(&sb) != 0 {
		return false
	}
	return it.Key.Verify(it.Msg, it.Sig)
}

func refVerifyEach(items []Item) []int {
	var out []int
	for i, it := range items {
		if !refVerify(it) {
			out = append(out, i)
		}
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
