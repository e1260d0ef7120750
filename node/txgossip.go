package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/p2p"
)

// TxProtocol carries batches of transactions between mempools. A frame is a
// varint count, then each transaction's encoding with a varint length.
const TxProtocol = protocol.ID("/qian/txs/1")

const (
	gossipMaxBatchTxs   = 512
	gossipMaxBatchBytes = 1 << 20
	gossipFlushEvery    = 5 * time.Millisecond
)

// txGossip batches admitted transactions for relay to peers, and admits the
// batches peers send. Relay rule: a transaction is relayed by the node that
// admitted it from a client, and by a node that received it from a peer
// outside the validator set (an observer); validators are fully connected,
// so a transaction one validator relays has reached them all.
type txGossip struct {
	net        *p2p.Network
	pool       *mempool.Mempool
	validators map[peer.ID]bool
	queue      chan []byte
	notify     chan struct{} // signalled when a transaction is admitted
	onAdmit    func(code string)
}

func newTxGossip(n *p2p.Network, pool *mempool.Mempool, validators map[peer.ID]bool, onAdmit func(string)) *txGossip {
	g := &txGossip{net: n, pool: pool, validators: validators, queue: make(chan []byte, 65536), notify: make(chan struct{}, 1), onAdmit: onAdmit}
	n.Handle(TxProtocol, gossipMaxBatchBytes+64<<10, g.receive)
	return g
}

// submit admits a client's transaction and queues it for relay.
func (g *txGossip) submit(raw []byte) (*ledger.Tx, ledger.Hash, error) {
	tx, h, err := g.pool.Add(raw)
	g.admitted(err)
	if err == nil {
		g.relay(raw)
	}
	return tx, h, err
}

func (g *txGossip) admitted(err error) {
	code := "OK"
	if err != nil {
		code = mempool.CodeOf(err)
		if code == "" {
			code = codeOf(err)
		}
		if code == "" {
			code = "ERR_INTERNAL"
		}
	} else {
		select {
		case g.notify <- struct{}{}:
		default:
		}
	}
	if g.onAdmit != nil {
		g.onAdmit(code)
	}
}

func (g *txGossip) relay(raw []byte) {
	select {
	case g.queue <- raw:
	default:
	}
}

// run batches the relay queue into frames until done is closed.
func (g *txGossip) run(done <-chan struct{}) {
	var batch [][]byte
	size := 0
	tick := time.NewTicker(gossipFlushEvery)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		g.net.Broadcast(TxProtocol, encodeTxBatch(batch, size))
		batch, size = nil, 0
	}
	for {
		select {
		case <-done:
			return
		case raw := <-g.queue:
			batch = append(batch, raw)
			size += len(raw)
			if len(batch) >= gossipMaxBatchTxs || size >= gossipMaxBatchBytes {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// receive admits a peer's batch. Malformed frames, undecodable
// transactions and bad signatures are the peer's fault (it should have
// checked them); duplicates and a full mempool are not.
func (g *txGossip) receive(from peer.ID, frame []byte) error {
	txs, err := decodeTxBatch(frame)
	if err != nil {
		return p2p.Invalid(err)
	}
	relay := !g.validators[from]
	var bad error
	for _, raw := range txs {
		_, _, err := g.pool.Add(raw)
		g.admitted(err)
		switch code := mempool.CodeOf(err); {
		case err == nil:
			if relay {
				g.relay(raw)
			}
		case code == mempool.ErrDecode || code == mempool.ErrBadSignature || code == mempool.ErrWrongChain:
			bad = err
		}
	}
	if bad != nil {
		return p2p.Invalid(bad)
	}
	return nil
}

func encodeTxBatch(txs [][]byte, size int) []byte {
	out := make([]byte, 0, size+3*len(txs)+4)
	out = binary.AppendUvarint(out, uint64(len(txs)))
	for _, t := range txs {
		out = binary.AppendUvarint(out, uint64(len(t)))
		out = append(out, t...)
	}
	return out
}

func decodeTxBatch(b []byte) ([][]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > gossipMaxBatchTxs*2 {
		return nil, errors.New("tx batch: bad count")
	}
	b = b[k:]
	out := make([][]byte, 0, n)
	for i := uint64(0); i < n; i++ {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, fmt.Errorf("tx batch: bad length of transaction %d", i)
		}
		out = append(out, b[k:k+int(l)])
		b = b[k+int(l):]
	}
	if len(b) != 0 {
		return nil, errors.New("tx batch: trailing bytes")
	}
	return out, nil
}

// codeOf extracts a stable code from any error that carries one (the
// contracts' errors have a Code field).
func codeOf(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}
