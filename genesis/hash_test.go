package genesis

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// The hash is a function of meaning, not of spelling.
func TestHashIgnoresSpelling(t *testing.T) {
	d := testDoc(t)
	want := d.Hash()
	spellings := map[string]func([]byte) []byte{
		"compact JSON": func(b []byte) []byte {
			var out bytes.Buffer
			json.Compact(&out, b)
			return out.Bytes()
		},
		"time zone offset": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"2026-11-25T00:00:00Z"`), []byte(`"2026-11-25T08:00:00+08:00"`), 1)
		},
		"duration spelling": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"timeout_propose": "3s"`), []byte(`"timeout_propose": "3000ms"`), 1)
		},
		"key order": func(b []byte) []byte {
			var m map[string]any
			json.Unmarshal(b, &m)
			out, _ := json.Marshal(m) // Go sorts map keys
			return out
		},
	}
	for name, f := range spellings {
		b := f(d.JSON())
		if bytes.Equal(b, d.JSON()) {
			t.Fatalf("%s: respelling changed nothing", name)
		}
		got, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Hash() != want {
			t.Errorf("%s changed the hash", name)
		}
	}
}

// Every field takes part in the hash.
func TestHashCoversEveryField(t *testing.T) {
	base := testDoc(t).Hash()
	edits := map[string]func(d *Doc){
		"chain id":             func(d *Doc) { d.ChainID = "qian-test2" },
		"genesis time":         func(d *Doc) { d.GenesisTime = d.GenesisTime.Add(time.Nanosecond) },
		"timeout propose":      func(d *Doc) { d.Consensus.TimeoutPropose++ },
		"propose delta":        func(d *Doc) { d.Consensus.TimeoutProposeDelta++ },
		"timeout prevote":      func(d *Doc) { d.Consensus.TimeoutPrevote++ },
		"prevote delta":        func(d *Doc) { d.Consensus.TimeoutPrevoteDelta++ },
		"timeout precommit":    func(d *Doc) { d.Consensus.TimeoutPrecommit++ },
		"precommit delta":      func(d *Doc) { d.Consensus.TimeoutPrecommitDelta++ },
		"empty block interval": func(d *Doc) { d.Consensus.EmptyBlockInterval++ },
		"max block bytes":      func(d *Doc) { d.Consensus.MaxBlockBytes++ },
		"max block txs":        func(d *Doc) { d.Consensus.MaxBlockTxs++ },
		"max tx bytes":         func(d *Doc) { d.Consensus.MaxTxBytes++ },
		"validator name":       func(d *Doc) { d.Validators[1].Name = "nodeX" },
		"validator key":        func(d *Doc) { d.Validators[1].PubKey = testKey(t, "x").PublicKey() },
		"validator peer":       func(d *Doc) { d.Validators[1].PeerID = testPeer(t, "x") },
		"validator power":      func(d *Doc) { d.Validators[1].Power++ },
		"validator order":      func(d *Doc) { d.Validators[0], d.Validators[1] = d.Validators[1], d.Validators[0] },
		"validator removed":    func(d *Doc) { d.Validators = d.Validators[:2] },
		"org id":               func(d *Doc) { d.Organisations[0].ID = "x" },
		"org name":             func(d *Doc) { d.Organisations[0].Name = "x" },
		"org english name":     func(d *Doc) { d.Organisations[0].NameEN = "" },
		"org roles":            func(d *Doc) { d.Organisations[0].Roles = append(d.Organisations[0].Roles, RoleAuditor) },
		"org prefixes":         func(d *Doc) { d.Organisations[0].GS1Prefixes = append(d.Organisations[0].GS1Prefixes, "6999999") },
		"org GLNs":             func(d *Doc) { d.Organisations[0].GLNs = d.Organisations[0].GLNs[:1] },
		"org admins": func(d *Doc) {
			d.Organisations[0].Admins = append(d.Organisations[0].Admins, testKey(t, "y").PublicKey())
		},
		"org order": func(d *Doc) { d.Organisations[0], d.Organisations[1] = d.Organisations[1], d.Organisations[0] },
		// Moving a string between adjacent fields must not collide: the
		// length prefixes keep the fields apart.
		"name moved to english": func(d *Doc) {
			d.Organisations[0].NameEN = d.Organisations[0].Name + d.Organisations[0].NameEN
			d.Organisations[0].Name = "x"
		},
	}
	seen := map[ledger.Hash]string{base: "base"}
	for name, edit := range edits {
		d := testDoc(t)
		edit(d)
		h := d.Hash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s gives the same hash as %s", name, prev)
		}
		seen[h] = name
	}
}

func TestEncodeLayoutStart(t *testing.T) {
	d := testDoc(t)
	enc := d.Encode()
	// string chain_id, then u64 genesis time in nanoseconds.
	want := append([]byte{byte(len("qian-test"))}, "qian-test"...)
	if !bytes.HasPrefix(enc, want) {
		t.Fatalf("encoding starts %x, want %x", enc[:10], want)
	}
	ns := d.GenesisTime.UnixNano()
	for i := 0; i < 8; i++ {
		if enc[len(want)+i] != byte(uint64(ns)>>(56-8*i)) {
			t.Fatalf("genesis time not big-endian nanoseconds at byte %d", i)
		}
	}
	if d.Hash() != ledger.TaggedHash("qian/genesis/v1", enc) {
		t.Fatal("Hash is not the tagged hash of Encode")
	}
}
