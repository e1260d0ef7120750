package node

import (
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/qianchain/qianchain/consensus/driver"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/p2p"
)

// ConsensusProtocol carries consensus messages (consensus/wire encodings),
// one per frame, over a long-lived stream to each peer.
const ConsensusProtocol = protocol.ID("/qian/consensus/1")

// consensusTransport is the driver's Transport over libp2p.
type consensusTransport struct {
	net *p2p.Network
	in  chan driver.Inbound
	// known offers a block's transactions already decoded (the mempool's).
	known ledger.KnownTx
}

func newConsensusTransport(n *p2p.Network, maxBlockBytes uint64, known ledger.KnownTx) *consensusTransport {
	t := &consensusTransport{net: n, in: make(chan driver.Inbound, 8192), known: known}
	n.Handle(ConsensusProtocol, consensusFrameCap(maxBlockBytes), t.receive)
	return t
}

// receive queues a frame for the driver, with its decoding (decoded once,
// here, on the stream's goroutine rather than the driver's). A frame that is
// not a well-formed consensus message penalises its sender here, where the
// sender is known; signatures and the rest are the state machine's to check.
func (t *consensusTransport) receive(from peer.ID, frame []byte) error {
	msg, err := wire.DecodeKnown(frame, t.known)
	if err != nil {
		return p2p.Invalid(err)
	}
	select {
	case t.in <- driver.Inbound{From: driver.PeerID(from), Data: frame, Msg: msg}:
	default:
		// The driver is behind; consensus retransmits what matters.
	}
	return nil
}

func (t *consensusTransport) Broadcast(data []byte) { t.net.Broadcast(ConsensusProtocol, data) }

func (t *consensusTransport) Send(to driver.PeerID, data []byte) {
	t.net.Send(peer.ID(to), ConsensusProtocol, data)
}

func (t *consensusTransport) Receive() <-chan driver.Inbound { return t.in }

// Penalise gives a strike to a peer whose consensus message proved it
// faulty (driver.SendersFault: a signature that does not verify on this
// chain), as a bad transaction signature does on the txs protocol.
func (t *consensusTransport) Penalise(from driver.PeerID, reason error) {
	t.net.Penalise(peer.ID(from), reason)
}
