package driver

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

const chainID = "qian-driver"

// chain is what the tests' validators sign: the chain id and a stand-in
// genesis hash.
var chain = ledger.NewChainIdentity(chainID, ledger.Sum([]byte("genesis of "+chainID)))

func key(i int) ledger.PrivateKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("driver test key %d", i)))
	k, err := ledger.PrivateKeyFromBytes(s[:])
	if err != nil {
		panic(err)
	}
	return k
}

func valset(n int) *ledger.ValidatorSet {
	vals := make([]ledger.Validator, n)
	for i := range vals {
		vals[i] = ledger.Validator{PubKey: key(i).PublicKey(), Power: 1}
	}
	vs, err := ledger.NewValidatorSet(vals)
	if err != nil {
		panic(err)
	}
	return vs
}

// testHost is a minimal chain: blocks with one transaction naming the
// proposer, stored in memory.
type testHost struct {
	mu      sync.Mutex
	id      int
	vals    *ledger.ValidatorSet
	blocks  []*ledger.Block
	commits []*ledger.Commit
}

func (h *testHost) ValidateBlock(b *ledger.Block) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.blocks); n > 0 && b.Header.PrevBlockHash != h.blocks[n-1].Hash() {
		return errors.New("does not extend the chain")
	}
	return nil
}

func (h *testHost) ProposeBlock(height uint64, round uint32) (*ledger.Block, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := &ledger.Block{Header: ledger.Header{ChainID: chainID, Height: height, Time: int64(height)*1000 + int64(round)}}
	b.Txs = []*ledger.Tx{{ChainID: chainID, Nonce: uint64(h.id), Contract: "notary", Method: "anchor", Payload: []byte{byte(round)}}}
	if n := len(h.blocks); n > 0 {
		b.Header.PrevBlockHash = h.blocks[n-1].Hash()
		b.LastCommit = h.commits[n-1]
	}
	b.FillHeader()
	return b, nil
}

func (h *testHost) Commit(d *consensus.Decision) (*ledger.ValidatorSet, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := d.Commit.Verify(chain, h.vals, d.Height, d.Block.Hash()); err != nil {
		return nil, err
	}
	h.blocks = append(h.blocks, d.Block)
	h.commits = append(h.commits, d.Commit)
	return h.vals, nil
}

func (h *testHost) Decided(height uint64) (*ledger.Block, *ledger.Commit, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if height == 0 || int(height) > len(h.blocks) {
		return nil, nil, errors.New("not stored")
	}
	return h.blocks[height-1], h.commits[height-1], nil
}

func (h *testHost) Evidence(*ledger.DuplicateVoteEvidence) {}

func (h *testHost) height() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.blocks)
}

func fastTimeouts() consensus.Timeouts {
	return consensus.Timeouts{Propose: 200 * time.Millisecond, ProposeDelta: 50 * time.Millisecond,
		Prevote: 100 * time.Millisecond, PrevoteDelta: 50 * time.Millisecond,
		Precommit: 100 * time.Millisecond, PrecommitDelta: 50 * time.Millisecond}
}

// TestReplayRestoresLock: a validator that locked on a block and crashed
// (losing everything unsynced) comes back locked, and its signer refuses to
// precommit anything else in that round.
func TestReplayRestoresLock(t *testing.T) {
	vs := valset(4)
	fs := disk.NewMem()
	cfg := Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(0), WALPath: "data/cs.wal", SignerPath: "data/state.json", FS: fs}
	h := &testHost{id: 0, vals: vs}
	r, err := NewReplica(cfg, h, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	proposer := consensus.Proposer(vs, 1, 0)
	if proposer == 0 {
		t.Fatal("test assumes validator 0 does not propose round 0")
	}
	ph := &testHost{id: proposer, vals: vs}
	blk, _ := ph.ProposeBlock(1, 0)
	bh := blk.Hash()
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: bh, Proposer: uint16(proposer)}
	_ = p.Sign(chain, key(proposer))
	recv := func(m wire.Message) {
		t.Helper()
		if err := r.Receive("peer", wire.Encode(m)); err != nil {
			t.Fatal(err)
		}
	}
	recv(&wire.Proposal{Proposal: p, Block: blk})
	for _, i := range []int{1, 2} {
		v := &ledger.Vote{Type: ledger.Prevote, Height: 1, Round: 0, BlockHash: &bh, Validator: uint16(i)}
		_ = v.Sign(chain, key(i))
		recv(&wire.Vote{Vote: v})
	}
	st := r.State()
	if st.LockedRound != 0 || st.LockedHash == nil || *st.LockedHash != bh || st.Step != consensus.StepPrecommit {
		t.Fatalf("not locked before the crash: %s", st)
	}
	out, _ := r.Outbox()
	if len(out) != 2 { // own prevote and precommit
		t.Fatalf("sent %d messages, want 2", len(out))
	}
	fs.Crash()
	r2, err := NewReplica(cfg, &testHost{id: 0, vals: vs}, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.State(); !got.Equal(st) {
		t.Fatalf("after restart: %s, want %s", got, st)
	}
	// A nil precommit for round 0 would be a double sign: nothing is sent
	// for it, whatever the timeouts say.
	before := r2.Stats().Signed
	if err := r2.Timeout(consensus.Timeout{Height: 1, Round: 0, Step: consensus.StepPrevote}); err != nil {
		t.Fatal(err)
	}
	if r2.Stats().Signed != before {
		t.Fatal("signed after restart in a step already signed")
	}
}

// chanNet is an in-memory transport between drivers.
type chanNet struct {
	mu        sync.Mutex
	peers     map[PeerID]chan Inbound
	penalised map[PeerID]int // by Penalise, per sender
	// decodes lists the peers whose inbound messages come decoded
	// (Inbound.Msg), as the node's transport delivers them; decoded holds
	// the blocks of the messages so decoded.
	decodes map[PeerID]bool
	decoded map[*ledger.Block]bool
}

// inbound is called with mu held.
func (n *chanNet) inbound(from, to PeerID, data []byte) Inbound {
	in := Inbound{From: from, Data: data}
	if n.decodes[to] {
		in.Msg, _ = wire.Decode(data)
		if n.decoded == nil {
			n.decoded = map[*ledger.Block]bool{}
		}
		switch m := in.Msg.(type) {
		case *wire.Proposal:
			n.decoded[m.Block] = true
		case *wire.Decided:
			n.decoded[m.Block] = true
		}
	}
	return in
}

type chanTransport struct {
	net  *chanNet
	self PeerID
}

func (c *chanTransport) Broadcast(data []byte) {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	for id, ch := range c.net.peers {
		if id != c.self {
			select {
			case ch <- c.net.inbound(c.self, id, data):
			default: // a full queue drops, as a real transport may
			}
		}
	}
}

func (c *chanTransport) Send(to PeerID, data []byte) {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	select {
	case c.net.peers[to] <- c.net.inbound(c.self, to, data):
	default:
	}
}

func (c *chanTransport) Receive() <-chan Inbound {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	return c.net.peers[c.self]
}

func (c *chanTransport) Penalise(from PeerID, _ error) {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	if c.net.penalised == nil {
		c.net.penalised = map[PeerID]int{}
	}
	c.net.penalised[from]++
}

// TestDriversDecide runs four drivers on goroutines with real timers over
// an in-memory transport until each has decided three heights. Two of them
// receive their messages decoded by the transport, two as bytes alone.
func TestDriversDecide(t *testing.T) {
	vs := valset(4)
	net := &chanNet{peers: map[PeerID]chan Inbound{}, decodes: map[PeerID]bool{"p0": true, "p2": true}}
	hosts := make([]*testHost, 4)
	drivers := make([]*Driver, 4)
	for i := range 4 {
		id := PeerID(fmt.Sprintf("p%d", i))
		net.peers[id] = make(chan Inbound, 1024)
		hosts[i] = &testHost{id: i, vals: vs}
		dir := t.TempDir()
		r, err := NewReplica(Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(i), WALPath: dir + "/cs.wal", SignerPath: dir + "/state.json"}, hosts[i], 1, vs)
		if err != nil {
			t.Fatal(err)
		}
		drivers[i] = New(r, &chanTransport{net: net, self: id}, 100*time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, d := range drivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		}()
	}
	deadline := time.After(60 * time.Second)
	for done := false; !done; {
		select {
		case <-deadline:
			t.Fatal("drivers did not decide three heights within a minute")
		case <-time.After(20 * time.Millisecond):
		}
		done = true
		for _, h := range hosts {
			if h.height() < 3 {
				done = false
			}
		}
	}
	cancel()
	wg.Wait()
	for i := 1; i < 4; i++ {
		for hgt := 0; hgt < 3; hgt++ {
			if hosts[i].blocks[hgt].Hash() != hosts[0].blocks[hgt].Hash() {
				t.Fatalf("validators %d and 0 disagree at height %d", i, hgt+1)
			}
		}
	}
	// A block another validator proposed reaches a decoding peer's host as
	// the transport decoded it: the driver passed Inbound.Msg on rather
	// than decoding Data again.
	for i, h := range hosts {
		for hgt, blk := range h.blocks[:3] {
			own := blk.Txs[0].Nonce == uint64(i) // testHost names the proposer
			if want := net.decodes[PeerID(fmt.Sprintf("p%d", i))]; !own && net.decoded[blk] != want {
				t.Fatalf("validator %d, height %d: block taken from the transport's decoding %v, want %v", i, hgt+1, !want, want)
			}
		}
	}
	if s := drivers[0].State(); s.Height < 3 {
		t.Fatalf("driver state %s", s)
	}
}

// A replica that sees a message from a peer two or more heights ahead asks
// that peer at once, once per height, where it stands (a Status), so the
// peer answers with the decided block without waiting for the next tick.
func TestReplicaAsksAPeerAheadForCatchUp(t *testing.T) {
	vs := valset(4)
	cfg := Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(0), WALPath: "data/cs.wal", SignerPath: "data/state.json", FS: disk.NewMem()}
	r, err := NewReplica(cfg, &testHost{id: 0, vals: vs}, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	r.Outbox()
	h := ledger.Hash{7}
	vote := func(height uint64, from int) []byte {
		v := &ledger.Vote{Type: ledger.Prevote, Height: height, Round: 0, BlockHash: &h, Validator: uint16(from)}
		_ = v.Sign(chain, key(from))
		return wire.Encode(&wire.Vote{Vote: v})
	}
	// A message for the next height is normal (a peer slightly ahead):
	// nothing is asked.
	_ = r.Receive("near", vote(2, 1))
	if out, _ := r.Outbox(); len(out) != 0 {
		t.Fatalf("asked a peer one height ahead: %d messages", len(out))
	}
	_ = r.Receive("far", vote(4, 2))
	_ = r.Receive("far", vote(5, 3))
	out, _ := r.Outbox()
	if len(out) != 1 || out[0].To != "far" {
		t.Fatalf("want one message to the peer ahead, got %+v", out)
	}
	m, err := wire.Decode(out[0].Data)
	if st, ok := m.(*wire.Status); err != nil || !ok || st.At != 1 {
		t.Fatalf("sent %v (%v), want Status at 1", m, err)
	}
}

// TestLoneValidatorDecidesOneHeightPerCall: a validator that is a quorum by
// itself decides without any message. Each call must return after one
// height, leaving the next for Resume, so that the caller gets to send,
// pace and stop between heights.
func TestLoneValidatorDecidesOneHeightPerCall(t *testing.T) {
	vs := valset(1)
	cfg := Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(0), WALPath: "data/cs.wal", SignerPath: "data/state.json", FS: disk.NewMem()}
	h := &testHost{id: 0, vals: vs}
	r, err := NewReplica(cfg, h, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	if h.height() != 1 || !r.Pending() {
		t.Fatalf("after start: %d heights stored, pending %v; want 1 and true", h.height(), r.Pending())
	}
	for want := 2; want <= 5; want++ {
		if err := r.Resume(); err != nil {
			t.Fatal(err)
		}
		if h.height() != want {
			t.Fatalf("after a Resume: %d heights stored, want %d", h.height(), want)
		}
		out, _ := r.Outbox()
		if len(out) == 0 {
			t.Fatalf("height %d: nothing queued to send; observers would hear nothing", want)
		}
	}
}

// A message whose signature does not verify on this chain, such as a vote
// signed by a genesis validator for another chain with the same chain id
// and keys, is its sender's fault: the driver reports the sender to the
// transport. A message merely early (the next height, kept unverified) is
// not.
func TestBadSignaturePenalisesTheSender(t *testing.T) {
	vs := valset(4)
	net := &chanNet{peers: map[PeerID]chan Inbound{"self": make(chan Inbound, 16)}}
	r, err := NewReplica(Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(0), WALPath: "data/cs.wal", SignerPath: "data/state.json", FS: disk.NewMem()},
		&testHost{id: 0, vals: vs}, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	d := New(r, &chanTransport{net: net, self: "self"}, time.Hour)
	relaunch := ledger.NewChainIdentity(chainID, ledger.Sum([]byte("genesis of the relaunch")))
	vote := func(on ledger.ChainIdentity, height uint64) []byte {
		v := &ledger.Vote{Type: ledger.Prevote, Height: height, Round: 0, Validator: 2}
		_ = v.Sign(on, key(2))
		return wire.Encode(&wire.Vote{Vote: v})
	}
	net.peers["self"] <- Inbound{From: "early", Data: vote(relaunch, 2)}
	net.peers["self"] <- Inbound{From: "relaunch", Data: vote(relaunch, 1)}
	net.peers["self"] <- Inbound{From: "honest", Data: vote(chain, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for d.Rejected() < 1 || len(net.peers["self"]) > 0 {
		select {
		case err := <-done:
			t.Fatalf("driver stopped: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
	net.mu.Lock()
	defer net.mu.Unlock()
	if net.penalised["relaunch"] != 1 || net.penalised["early"] != 0 || net.penalised["honest"] != 0 {
		t.Fatalf("penalised %v; want the relaunch's sender once, no one else", net.penalised)
	}
	if d.Rejected() != 1 {
		t.Fatalf("%d rejected, want 1", d.Rejected())
	}
}

// TestReceiveUsesTheTransportsDecoding: a message the transport has
// decoded already (Inbound.Msg) is not decoded again by the replica. A
// proposal the replica already holds, received again, allocates nothing
// when it comes decoded (a few at most), and the block's decoding when it
// does not.
func TestReceiveUsesTheTransportsDecoding(t *testing.T) {
	vs := valset(4)
	dir := t.TempDir()
	cfg := Config{Chain: chain, Timeouts: fastTimeouts(), Key: key(0), WALPath: dir + "/cs.wal", SignerPath: dir + "/state.json"}
	r, err := NewReplica(cfg, &testHost{id: 0, vals: vs}, 1, vs)
	if err != nil {
		t.Fatal(err)
	}
	proposer := consensus.Proposer(vs, 1, 0)
	blk, _ := (&testHost{id: proposer, vals: vs}).ProposeBlock(1, 0)
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: blk.Hash(), Proposer: uint16(proposer)}
	_ = p.Sign(chain, key(proposer))
	data := wire.Encode(&wire.Proposal{Proposal: p, Block: blk})
	msg, err := wire.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.receive("peer", data, msg); err != nil {
		t.Fatal(err)
	}
	if !r.m.Holds(consensus.Message{Proposal: p}) {
		t.Fatal("the replica does not hold the proposal it received decoded")
	}
	decoded := testing.AllocsPerRun(20, func() { _ = r.receive("peer", data, msg) })
	raw := testing.AllocsPerRun(20, func() { _ = r.receive("peer", data, nil) })
	if decoded > raw/4 || raw < 1 {
		t.Fatalf("allocations per receive: %v decoded by the transport (want 0), %v from bytes (want the decoding's)", decoded, raw)
	}
}
