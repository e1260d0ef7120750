package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
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
	admit      *admitter
	room       *roomGate                        // holds clients' submissions while the mempool is full for them
	validators atomic.Pointer[map[peer.ID]bool] // the current validators' peers; replaced as the set changes
	queue      chan []byte
	notify     chan struct{} // signalled when a transaction is admitted
	onAdmit    func(code string)
	done       <-chan struct{} // closed when the node stops
	// admittedHook, when set (tests), runs when a client's batch is
	// admitted or refused, before the gate hears of it (roomGate.leave):
	// the window in which its transactions count twice.
	admittedHook func()
}

func newTxGossip(n *p2p.Network, pool *mempool.Mempool, validators map[peer.ID]bool, onAdmit func(string), done <-chan struct{}) *txGossip {
	g := &txGossip{net: n, pool: pool, admit: newAdmitter(pool, done), room: &roomGate{pool: pool}, queue: make(chan []byte, 65536),
		notify: make(chan struct{}, 1), onAdmit: onAdmit, done: done}
	g.setValidators(validators)
	n.Handle(TxProtocol, txFrameCap, g.receive)
	n.OnConnect(g.catchUpPeer)
	return g
}

// setValidators replaces the peers treated as validators (whose
// transactions are not relayed again).
func (g *txGossip) setValidators(v map[peer.ID]bool) { g.validators.Store(&v) }

// catchUpPeer sends a peer that has just (re)connected everything pending
// here: transactions admitted while it was unreachable were relayed to
// nobody, and an observer cut off from the validators would otherwise hold
// its clients' transactions forever.
func (g *txGossip) catchUpPeer(p peer.ID) {
	var b txBatch
	send := func(frame []byte) { g.net.Send(p, TxProtocol, frame) }
	for _, tx := range g.pool.Reap(1<<30, 1<<40) {
		b.add(tx.Encode(), send)
	}
	b.flush(send)
}

// submit admits a client's transaction (in a batch with whatever else is
// arriving) and queues it for relay; from is the client's connection, or "".
func (g *txGossip) submit(ctx context.Context, raw []byte, from string) (*ledger.Tx, ledger.Hash, error) {
	res := g.submitBatch(ctx, [][]byte{raw}, from)
	if res == nil {
		return nil, ledger.Hash{}, errStopping
	}
	return res[0].Tx, res[0].Hash, res[0].Err
}

// submitBatch admits a client's batch and queues the admitted for relay;
// nil when the node is stopping. A transaction already waiting here is
// queued for relay again: a client (or the gateway) resends what it has
// not seen committed, and its first relay may never have arrived — the
// relay queue drops when full, and under overload the validators refuse an
// observer's relays at their clients' share of the mempool — while an
// observer never proposes what it holds. While the mempool is full for
// clients the batch is held first (roomGate) until there is room, ctx is
// done (its client went away), or mempool.full_wait passes.
func (g *txGossip) submitBatch(ctx context.Context, raws [][]byte, from string) []mempool.Result {
	g.room.enter(ctx, len(raws), g.done)
	reply := make(chan []mempool.Result, 1)
	ok := g.admit.submit(admitJob{raws: raws, from: from, done: func(res []mempool.Result) {
		if g.admittedHook != nil {
			g.admittedHook()
		}
		g.room.leave(len(raws))
		for i, r := range res {
			g.admitted(r.Err)
			if r.Err == nil || mempool.CodeOf(r.Err) == mempool.ErrDuplicateTx {
				g.relay(raws[i])
			}
		}
		reply <- res
	}})
	if !ok {
		g.room.leave(len(raws))
		return nil
	}
	select {
	case res := <-reply:
		return res
	case <-g.done:
		return nil
	}
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
	var b txBatch
	tick := time.NewTicker(gossipFlushEvery)
	defer tick.Stop()
	broadcast := func(frame []byte) { g.net.Broadcast(TxProtocol, frame) }
	for {
		select {
		case <-done:
			return
		case raw := <-g.queue:
			b.add(raw, broadcast)
		case <-tick.C:
			b.flush(broadcast)
		}
	}
}

// txBatch gathers encoded transactions into TxProtocol frames within the
// gossip limits. A frame is sent before a transaction would take it past
// them, so that no frame exceeds what a peer accepts (a peer refuses, and
// penalises, a larger one): a few large transactions, such as EPCIS
// documents of many events, must not add up past it.
type txBatch struct {
	raws [][]byte
	size int
}

// add appends raw, first emitting the frame held if raw would not fit.
func (b *txBatch) add(raw []byte, emit func(frame []byte)) {
	if len(b.raws) >= gossipMaxBatchTxs || (len(b.raws) > 0 && b.size+len(raw) > gossipMaxBatchBytes) {
		b.flush(emit)
	}
	b.raws = append(b.raws, raw)
	b.size += len(raw)
}

// flush emits the frame held, if any.
func (b *txBatch) flush(emit func(frame []byte)) {
	if len(b.raws) == 0 {
		return
	}
	emit(encodeTxBatch(b.raws, b.size))
	b.raws, b.size = nil, 0
}

// receive queues a peer's batch for admission and returns at once, so the
// peer's stream keeps flowing; the outcome is handled when the batch is
// admitted. Malformed frames, undecodable transactions, bad signatures and
// transactions for another chain are the peer's fault (it should have
// checked them); duplicates and a full mempool are not.
func (g *txGossip) receive(from peer.ID, frame []byte) error {
	txs, err := decodeTxBatch(frame)
	if err != nil {
		return p2p.Invalid(err)
	}
	// A validator's relays have reached every validator and may fill the
	// reserve; an observer's are relayed on, as a client's are.
	fromValidator := (*g.validators.Load())[from]
	g.admit.submit(admitJob{raws: txs, patient: true, reserve: fromValidator, done: func(res []mempool.Result) {
		var bad error
		for i, r := range res {
			g.admitted(r.Err)
			switch code := mempool.CodeOf(r.Err); {
			case r.Err == nil:
				if !fromValidator {
					g.relay(txs[i])
				}
			case code == mempool.ErrDecode || code == mempool.ErrBadSignature || code == mempool.ErrWrongChain:
				bad = r.Err
			}
		}
		if bad != nil {
			g.net.Penalise(from, bad)
		}
	}})
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

var errStopping = errors.New("the node is stopping")

// codeOf extracts a stable code from any error that carries one (the
// contracts' errors have a Code field).
func codeOf(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}
