package blocksync

import (
	"errors"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/p2p"
)

// Serve answers status and blocks requests from the node's store.
func Serve(n *p2p.Network, st *store.Store, genesis ledger.Hash) {
	n.HandleRequest(StatusProtocol, 0, func(_ peer.ID, _ []byte, reply func([]byte) error) error {
		return reply(encodeStatus(Status{Genesis: genesis, Height: st.Height()}))
	})
	n.HandleRequest(BlocksProtocol, 12, func(_ peer.ID, req []byte, reply func([]byte) error) error {
		r, err := decodeBlocksRequest(req)
		if err != nil {
			return p2p.Invalid(err)
		}
		for h := r.From; h < r.From+uint64(r.Count) && h <= st.Height(); h++ {
			blk, err := st.Block(h)
			if err != nil {
				return err
			}
			c, err := st.Commit(h)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := reply(blk.Encode()); err != nil {
				return err
			}
			if err := reply(c.Encode()); err != nil {
				return err
			}
		}
		return nil
	})
}
