package node

import (
	"testing"

	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
)

// Frame caps follow the genesis block size, up to the ledger's limit, and
// a peer's budget holds an honest peer's largest frames on every protocol
// at once, twice over.
func TestFrameCapsFollowGenesis(t *testing.T) {
	def := genesis.DefaultConsensusParams().MaxBlockBytes
	if got := consensusFrameCap(def); got != int(def)+256<<10 || got >= wire.MaxMessageBytes {
		t.Fatalf("consensus cap %d for %d-byte blocks", got, def)
	}
	if got := consensusFrameCap(ledger.MaxBlockBytes); got != wire.MaxMessageBytes {
		t.Fatalf("consensus cap %d at the ledger's limit, want %d", got, wire.MaxMessageBytes)
	}
	for _, b := range []uint64{def, ledger.MaxBlockBytes} {
		honest := consensusFrameCap(b) + syncFrameCap(b) + txFrameCap
		if got := peerBudget(b); got != 2*honest {
			t.Fatalf("budget %d for %d-byte blocks, want twice %d", got, b, honest)
		}
	}
	if mib := peerBudget(def) >> 20; mib < 32 || mib > 40 {
		t.Fatalf("budget %d MiB with the default 8 MiB blocks", mib)
	}
}
