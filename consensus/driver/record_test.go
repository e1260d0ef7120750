package driver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

func sampleRecords() [][]byte {
	h := &testHost{vals: valset(4)}
	blk, _ := h.ProposeBlock(1, 2)
	bh := blk.Hash()
	v := &ledger.Vote{Type: ledger.Prevote, Height: 1, Round: 2, BlockHash: &bh, Validator: 1}
	_ = v.Sign(chain, key(1))
	return [][]byte{
		append([]byte{recMessage}, wire.Encode(&wire.Vote{Vote: v})...),
		encodeTimeout(consensus.Timeout{Height: 1, Round: 2, Step: consensus.StepPrevote}),
		encodeBlock(1, 2, blk),
		encodeState(consensus.State{Height: 1, Round: 2, Step: consensus.StepPrecommit, LockedRound: 2, LockedHash: &bh, ValidRound: 2, ValidHash: &bh}),
		encodeState(consensus.State{Height: 9, Step: consensus.StepPropose, LockedRound: -1, ValidRound: -1}),
	}
}

func reencode(d decoded) []byte {
	switch {
	case d.kind == recState:
		return encodeState(d.state)
	case d.msg != nil:
		return append([]byte{recMessage}, wire.Encode(d.msg)...)
	}
	switch in := d.input.(type) {
	case consensus.TimeoutFired:
		return encodeTimeout(in.Timeout)
	case consensus.BlockToPropose:
		return encodeBlock(in.Height, in.Round, in.Block)
	}
	return nil
}

func TestRecordsRoundTrip(t *testing.T) {
	for i, rec := range sampleRecords() {
		d, err := decodeRecord(rec)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(reencode(d), rec) {
			t.Fatalf("record %d changed on a round trip", i)
		}
		if _, err := decodeRecord(rec[:len(rec)-1]); err == nil {
			t.Fatalf("record %d: truncated copy accepted", i)
		}
	}
	if _, err := decodeRecord([]byte{0x09, 1}); err == nil {
		t.Fatal("unknown record type accepted")
	}
}

// FuzzDecodeRecord: the WAL record decoder never panics, and what it
// accepts re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range sampleRecords() {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeRecord(b)
		if err != nil {
			return
		}
		if !bytes.Equal(reencode(d), b) {
			t.Fatalf("accepted a record that does not re-encode to itself")
		}
	})
}

// TestWriteSeedCorpus writes testdata/fuzz/FuzzDecodeRecord when
// QIAN_WRITE_CORPUS=1; the files are committed.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("QIAN_WRITE_CORPUS") != "1" {
		t.Skip("set QIAN_WRITE_CORPUS=1 to rewrite the committed seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeRecord")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, r := range sampleRecords() {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", r)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
