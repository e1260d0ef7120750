package blocksync

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/qianchain/qianchain/ledger"
)

// Protocol ids.
const (
	StatusProtocol = protocol.ID("/qian/status/1")
	BlocksProtocol = protocol.ID("/qian/blocks/1")
)

// MaxBatch is the most heights one blocks request may ask for.
const MaxBatch = 128

// Status is a peer's answer to a status request.
type Status struct {
	Genesis ledger.Hash
	Height  uint64
}

func encodeStatus(s Status) []byte {
	out := make([]byte, 0, 40)
	out = append(out, s.Genesis[:]...)
	return binary.BigEndian.AppendUint64(out, s.Height)
}

func decodeStatus(b []byte) (Status, error) {
	if len(b) != 40 {
		return Status{}, fmt.Errorf("status response of %d bytes, want 40", len(b))
	}
	return Status{Genesis: ledger.Hash(b[:32]), Height: binary.BigEndian.Uint64(b[32:])}, nil
}

type blocksRequest struct {
	From  uint64
	Count uint32
}

func encodeBlocksRequest(r blocksRequest) []byte {
	out := binary.BigEndian.AppendUint64(nil, r.From)
	return binary.BigEndian.AppendUint32(out, r.Count)
}

func decodeBlocksRequest(b []byte) (blocksRequest, error) {
	if len(b) != 12 {
		return blocksRequest{}, fmt.Errorf("blocks request of %d bytes, want 12", len(b))
	}
	r := blocksRequest{From: binary.BigEndian.Uint64(b), Count: binary.BigEndian.Uint32(b[8:])}
	if r.From == 0 || r.Count == 0 || r.Count > MaxBatch {
		return r, errors.New("blocks request out of range")
	}
	return r, nil
}
