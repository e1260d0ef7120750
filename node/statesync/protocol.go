package statesync

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/snapshot"
)

// Protocol is the request/response protocol of state sync. A request is
// one frame, a kind byte and its fields (integers big-endian):
//
//	kindList      (1)                         → one frame: u8 n ‖ n × (u64 height ‖ 32-byte id ‖ u32 chunks)
//	kindManifest  (2) ‖ u64 height ‖ id       → two frames: the manifest (JSON), the proof (JSON)
//	kindChunk     (3) ‖ u64 height ‖ id ‖ u32 → one frame: the chunk
//
// A node that does not hold what is asked closes the stream with no frame.
const Protocol = protocol.ID("/qian/statesync/1")

const (
	kindList     = 1
	kindManifest = 2
	kindChunk    = 3
)

// MaxOffers is the most snapshots one list answer names.
const MaxOffers = 16

// Frame caps: requests are tiny; answers are at most a list, a manifest or
// proof (snapshot.MaxManifestSize, MaxProofSize) or a chunk
// (snapshot.MaxChunkSize).
const (
	maxRequest   = 1 + 8 + 32 + 4
	maxListFrame = 1 + MaxOffers*offerSize
	offerSize    = 8 + 32 + 4
)

// Offer is one snapshot a peer offers: its height, its id and its number
// of chunks.
type Offer struct {
	Height uint64
	ID     ledger.Hash
	Chunks uint32
}

// OfferID is what peers serving the same chunks share: a hash of the state
// digest and the chunk list. (The manifests themselves may differ: each
// node certifies header H with the commit it saw.)
func OfferID(m *snapshot.Manifest) ledger.Hash {
	h := sha256.New()
	h.Write([]byte("qian/statesync/offer/v1"))
	h.Write(m.StateDigest[:])
	h.Write(binary.BigEndian.AppendUint64(nil, m.Height))
	for _, c := range m.Chunks {
		h.Write(c.Hash[:])
		h.Write(binary.BigEndian.AppendUint32(nil, c.Size))
	}
	return ledger.Hash(h.Sum(nil))
}

func encodeOffers(offers []Offer) []byte {
	out := []byte{byte(len(offers))}
	for _, o := range offers {
		out = binary.BigEndian.AppendUint64(out, o.Height)
		out = append(out, o.ID[:]...)
		out = binary.BigEndian.AppendUint32(out, o.Chunks)
	}
	return out
}

func decodeOffers(b []byte) ([]Offer, error) {
	if len(b) < 1 || int(b[0]) > MaxOffers || len(b) != 1+int(b[0])*offerSize {
		return nil, fmt.Errorf("snapshot list %w", errDecode)
	}
	offers := make([]Offer, b[0])
	for i := range offers {
		p := b[1+i*offerSize:]
		offers[i] = Offer{Height: binary.BigEndian.Uint64(p), ID: ledger.Hash(p[8:40]), Chunks: binary.BigEndian.Uint32(p[40:])}
		if offers[i].Height == 0 || offers[i].Chunks == 0 {
			return nil, fmt.Errorf("snapshot list names an empty snapshot: %w", errDecode)
		}
	}
	return offers, nil
}

type request struct {
	kind   byte
	height uint64
	id     ledger.Hash
	chunk  uint32
}

func encodeRequest(r request) []byte {
	out := []byte{r.kind}
	if r.kind == kindList {
		return out
	}
	out = binary.BigEndian.AppendUint64(out, r.height)
	out = append(out, r.id[:]...)
	if r.kind == kindChunk {
		out = binary.BigEndian.AppendUint32(out, r.chunk)
	}
	return out
}

func decodeRequest(b []byte) (request, error) {
	if len(b) == 0 {
		return request{}, errors.New("empty state sync request")
	}
	r := request{kind: b[0]}
	want := map[byte]int{kindList: 1, kindManifest: 41, kindChunk: 45}[r.kind]
	if want == 0 || len(b) != want {
		return r, fmt.Errorf("state sync request of kind %d and %d bytes", r.kind, len(b))
	}
	if r.kind == kindList {
		return r, nil
	}
	r.height = binary.BigEndian.Uint64(b[1:])
	r.id = ledger.Hash(b[9:41])
	if r.kind == kindChunk {
		r.chunk = binary.BigEndian.Uint32(b[41:])
	}
	return r, nil
}
