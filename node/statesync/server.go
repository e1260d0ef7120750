package statesync

import (
	"log/slog"
	"slices"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/node/p2p"
)

// Serve answers state sync requests from the snapshot files list returns
// (proven snapshots only, oldest first: the node's data/snapshots; node
// lists only files whose proof is attached, so nothing unproven is
// offered).
func Serve(n *p2p.Network, list func() []string, log *slog.Logger) {
	s := &server{list: list, log: log, open: map[string]*served{}}
	n.HandleRequest(Protocol, maxRequest, s.answer)
}

type served struct {
	f  *snapshot.File
	id [32]byte
}

type server struct {
	list func() []string
	log  *slog.Logger
	mu   sync.Mutex
	open map[string]*served // by path; an open file stays readable when the snapshotter removes it
}

// files returns the snapshots on offer, newest first, opening new ones and
// closing those no longer listed.
func (s *server) files() []*served {
	paths := s.list()
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := map[string]bool{}
	var out []*served
	for _, p := range slices.Backward(paths) {
		if len(out) == MaxOffers {
			break
		}
		keep[p] = true
		sv := s.open[p]
		if sv == nil {
			f, err := snapshot.OpenFile(p)
			if err != nil || f.Proof == nil {
				if err == nil {
					f.Close()
				}
				s.log.Warn("a snapshot file is not offered", "file", p, "err", err)
				continue
			}
			sv = &served{f: f, id: OfferID(f.Manifest)}
			s.open[p] = sv
		}
		out = append(out, sv)
	}
	for p, sv := range s.open {
		if !keep[p] {
			sv.f.Close()
			delete(s.open, p)
		}
	}
	return out
}

func (s *server) answer(_ peer.ID, raw []byte, reply func([]byte) error) error {
	r, err := decodeRequest(raw)
	if err != nil {
		return p2p.Invalid(err)
	}
	files := s.files()
	if r.kind == kindList {
		offers := make([]Offer, 0, len(files))
		for _, sv := range files {
			m := sv.f.Manifest
			offers = append(offers, Offer{Height: m.Height, ID: sv.id, Chunks: uint32(len(m.Chunks))})
		}
		return reply(encodeOffers(offers))
	}
	for _, sv := range files {
		if sv.f.Manifest.Height != r.height || sv.id != r.id {
			continue
		}
		if r.kind == kindManifest {
			if err := reply(sv.f.Manifest.Marshal()); err != nil {
				return err
			}
			return reply(sv.f.Proof.Marshal())
		}
		if int(r.chunk) >= len(sv.f.Manifest.Chunks) {
			return p2p.Invalid(errOutOfRange)
		}
		data, err := sv.f.Chunk(int(r.chunk))
		if err != nil {
			return err
		}
		return reply(data)
	}
	return nil // not held (any more): no frame
}
