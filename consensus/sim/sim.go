// Package sim is a deterministic simulator that runs a network of consensus
// replicas (consensus/driver.Replica: the real machine, WAL and signer) on a
// virtual clock, attacks it, and checks the safety and liveness invariants
// as it goes.
//
// One seed decides everything: the fault mix, the number of validators and
// their power, the validator-set changes governance asks for (valset.go),
// latencies, losses, duplications, partitions, crash times and how much of
// an unsynced WAL tail survives each crash, and what the byzantine
// validators do. The simulator has one goroutine and one random
// source, and its event queue orders events by (virtual time, sequence
// number), so a seed replays exactly.
//
// Run a seed again, with a trace of every event:
//
//	QIAN_SIM_SEED=1234 QIAN_SIM_TRACE=1 go test ./consensus/sim -run 'TestSimulation$' -v
package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/driver"
	"github.com/qianchain/qianchain/ledger"
)

// Options configure one run. Zero fields are chosen from the seed.
type Options struct {
	Seed       uint64
	Validators int  // number of validators
	Heights    int  // heights every honest node must decide
	Mix        *Mix // fault mix
	Weighted   *bool
	Changes    *bool     // validator-set changes (add, remove, power, rotate)
	Trace      io.Writer // nil: no trace
}

// Result is what a run found.
type Result struct {
	Seed       uint64
	Mix        string
	Validators int
	Byzantine  []string // "validator 2: equivocator", ...
	Violations []string
	// Figures for the benchmark: all counted over the whole run.
	Heights        int
	VirtualTime    time.Duration
	GST            time.Duration
	AfterGST       time.Duration // from GST until every honest node decided every height
	Messages       int           // point-to-point deliveries scheduled (a broadcast to n-1 peers counts n-1)
	Bytes          int
	Rounds         int // sum over heights of (round of the first honest decision + 1)
	Crashes        int
	CatchUps       uint64
	VerifyMisses   int
	VerifyRequests int
	// Changes is how many validator-set changes took effect within the
	// decided heights (of the first decided block of each height);
	// Outsider counts the messages injected signed with keys outside the
	// set of their height.
	Changes  int
	Outsider int
}

// OK reports whether no invariant was violated.
func (r *Result) OK() bool { return len(r.Violations) == 0 }

// Timing of the simulated network.
const (
	retransmitEvery = time.Second
	baseLatency     = 5 * time.Millisecond
)

func simTimeouts() consensus.Timeouts {
	return consensus.Timeouts{
		Propose: time.Second, ProposeDelta: 500 * time.Millisecond,
		Prevote: 500 * time.Millisecond, PrevoteDelta: 500 * time.Millisecond,
		Precommit: 500 * time.Millisecond, PrecommitDelta: 500 * time.Millisecond,
	}
}

// livenessBound is how long after GST every honest node has to decide all
// the target heights.
func livenessBound(heights int) time.Duration {
	return time.Duration(heights)*30*time.Second + 60*time.Second
}

type node struct {
	id    int
	ident int // the validator identity it runs (idents), or -1 for an observer
	kind  Behaviour
	peer  driver.PeerID
	fs    *disk.Mem
	store *chainStore
	host  *host
	rep   *driver.Replica // nil while down
	inc   int             // incarnation: events of a previous life are dropped
	// resuming: an evResume is queued for the replica's pending work.
	resuming bool
}

func (n *node) honest() bool { return n.kind == Honest || n.kind == ObserverNode }

// ident is a validator identity: an organisation's validator, in the
// genesis set or a candidate governance may vote in. keys[0] is its key
// from the start, keys[1] the key a rotation moves it to; its nodes hold
// both (driver.Config.NextKey) and sign each height with the one that
// height's set names.
type ident struct {
	keys [2]ledger.PrivateKey
	kind Behaviour
	byz  bool
}

// selfAt returns the index and key of nd's identity in the set of height h
// as nd's own chain has it (h at most two above its stored height), or -1.
func (w *world) selfAt(nd *node, h uint64) (int, ledger.PrivateKey) {
	if nd.ident < 0 {
		return -1, ledger.PrivateKey{}
	}
	vals := nd.store.sets.at(h)
	for _, k := range w.idents[nd.ident].keys {
		if i := vals.IndexOf(k.PublicKey()); i >= 0 {
			return i, k
		}
	}
	return -1, ledger.PrivateKey{}
}

// simChain is the simulated chain's identity: its id and a stand-in
// genesis hash (the simulator has no genesis document).
var simChain = ledger.NewChainIdentity("qian-sim", ledger.Sum([]byte("genesis of qian-sim")))

type world struct {
	rng      *rand.Rand
	now      time.Duration
	seq      uint64
	events   eventQueue
	nodes    []*node
	chain    ledger.ChainIdentity
	genesis  *ledger.ValidatorSet
	idents   []*ident
	owner    map[ledger.PublicKey]int // identity by key, either of its two
	plan     []plannedChange          // what governance asks for
	ghost    *node                    // sender of messages signed outside the set; nil without changes
	proposed map[uint64][]*ledger.Block
	verifier *cachingVerifier
	mix      Mix
	gst      time.Duration
	target   uint64
	group    []int // partition group per node while partitioned, else nil
	trace    io.Writer

	decided      []ledger.Hash // by height-1: the first honest decision
	decidedRound []uint32
	// ref is the validator-set history of the first decided blocks: the
	// checkers' reference for the set of each height. Replicas never read
	// it; each derives its own from its store.
	ref    *setHistory
	signed map[signKey]signed
	res    *Result
}

type signKey struct {
	ident  int
	step   uint8 // 0 proposal, 1 prevote, 2 precommit
	height uint64
	round  uint32
}

// signed is what an identity signed for a signKey, and with which key.
type signed struct {
	msg ledger.Hash
	key ledger.PublicKey
}

func (w *world) violate(format string, args ...any) {
	msg := fmt.Sprintf("t=%s: ", w.now) + fmt.Sprintf(format, args...)
	if len(w.res.Violations) < 20 {
		w.res.Violations = append(w.res.Violations, msg)
	}
	w.tracef("VIOLATION %s", msg)
}

func (w *world) tracef(format string, args ...any) {
	if w.trace != nil {
		fmt.Fprintf(w.trace, "%10s  %s\n", w.now, fmt.Sprintf(format, args...))
	}
}

// Run runs one seed.
func Run(o Options) Result {
	r, _ := run(o)
	return r
}

// run runs one seed and returns the world too, for tests.
func run(o Options) (Result, *world) {
	rng := rand.New(rand.NewPCG(o.Seed, 0x51a4c4a1))
	w := &world{rng: rng, chain: simChain, verifier: newCachingVerifier(), signed: map[signKey]signed{}, proposed: map[uint64][]*ledger.Block{}, trace: o.Trace}
	w.res = &Result{Seed: o.Seed}
	if o.Mix != nil {
		w.mix = *o.Mix
	} else {
		w.mix = Mixes[o.Seed%uint64(len(Mixes))]
	}
	n := o.Validators
	if n == 0 {
		n = []int{4, 4, 5, 6, 7, 7}[rng.IntN(6)]
	}
	heights := o.Heights
	if heights == 0 {
		heights = 3 + rng.IntN(3)
	}
	weighted := rng.IntN(3) == 0
	if o.Weighted != nil {
		weighted = *o.Weighted
	}
	changes := rng.IntN(4) != 0
	if o.Changes != nil {
		changes = *o.Changes
	}
	if changes && o.Heights == 0 {
		// Room for changes approved in the first heights to take effect
		// (two heights later) and be signed with.
		heights += 3
	}
	w.target = uint64(heights)
	w.res.Mix, w.res.Validators = w.mix.Name, n
	w.setupValidators(n, weighted)
	w.setupNodes()
	if changes {
		w.setupChanges(heights, weighted)
	}
	if w.mix.faulty() {
		w.gst = time.Duration(5+rng.IntN(16)) * time.Second
	}
	w.res.GST = w.gst
	w.tracef("seed %d mix %s validators %d weighted %v heights %d gst %s byzantine %v", o.Seed, w.mix.Name, n, weighted, heights, w.gst, w.res.Byzantine)
	for _, p := range w.plan {
		w.tracef("governance asks from height %d: %s", p.from, p.change)
	}
	w.scheduleFaults()
	if w.ghost != nil {
		w.push(&event{at: time.Duration(w.rng.Int64N(int64(ghostEvery))), kind: evGhost, node: w.ghost.id})
	}
	for _, nd := range w.nodes {
		if nd.kind != Silent && nd.kind != Ghost {
			w.start(nd)
		}
	}
	deadline := w.gst + livenessBound(heights)
	for w.events.Len() > 0 && len(w.res.Violations) == 0 {
		e := heap.Pop(&w.events).(*event)
		if e.at > deadline {
			break
		}
		w.now = e.at
		w.handle(e)
		if w.now >= w.gst && w.allDone() {
			break
		}
	}
	w.res.VirtualTime = w.now
	if len(w.res.Violations) == 0 {
		w.checkLiveness(deadline)
	}
	w.res.Heights = len(w.decided)
	for _, r := range w.ref.records[1:] {
		if r.from <= uint64(len(w.decided)) {
			w.res.Changes += len(r.changes)
		}
	}
	for _, r := range w.decidedRound {
		w.res.Rounds += int(r) + 1
	}
	w.res.VerifyMisses, w.res.VerifyRequests = w.verifier.misses, w.verifier.misses+w.verifier.hits
	for _, nd := range w.nodes {
		if nd.rep != nil {
			w.res.CatchUps += nd.rep.Stats().CatchUpsServed
		}
	}
	return *w.res, w
}

func simKey(i int) ledger.PrivateKey {
	var b [32]byte
	copy(b[:], fmt.Sprintf("qian sim validator key %08d", i))
	h := ledger.Sum(b[:])
	k, err := ledger.PrivateKeyFromBytes(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

var keyCache = func() []ledger.PrivateKey {
	ks := make([]ledger.PrivateKey, 128)
	for i := range ks {
		ks[i] = simKey(i)
	}
	return ks
}()

// setupValidators makes the genesis set of n identities.
func (w *world) setupValidators(n int, weighted bool) {
	vals := make([]ledger.Validator, n)
	w.owner = map[ledger.PublicKey]int{}
	for i := range vals {
		id := w.addIdent()
		p := uint64(10)
		if weighted {
			p = uint64(1 + w.rng.IntN(30))
		}
		vals[i] = ledger.Validator{PubKey: w.idents[id].keys[0].PublicKey(), Power: p}
	}
	vs, err := ledger.NewValidatorSet(vals)
	if err != nil {
		panic(err)
	}
	w.genesis = vs
	w.ref = newSetHistory(vs)
}

// addIdent adds an identity with its two keys and returns its number.
func (w *world) addIdent() int {
	id := len(w.idents)
	w.idents = append(w.idents, &ident{keys: [2]ledger.PrivateKey{keyCache[id], keyCache[len(keyCache)/2+id]}})
	for _, k := range w.idents[id].keys {
		w.owner[k.PublicKey()] = id
	}
	return id
}

// byzantine reports whether key belongs to a byzantine identity.
func (w *world) byzantine(key ledger.PublicKey) bool {
	id, ok := w.owner[key]
	return ok && w.idents[id].byz
}

// setupNodes makes one node per validator, picks the byzantine ones within
// the budget (their power strictly below a third of the total), gives them
// the mix's behaviours, and adds twins and an observer.
func (w *world) setupNodes() {
	n := w.genesis.Size()
	kinds := make([]Behaviour, n)
	if len(w.mix.Byzantine) > 0 {
		order := w.rng.Perm(n)
		var power uint64
		k := 0
		for _, i := range order {
			v, _ := w.genesis.Get(i)
			if 3*(power+v.Power) >= w.genesis.TotalPower() {
				continue
			}
			power += v.Power
			kinds[i] = w.mix.Byzantine[k%len(w.mix.Byzantine)]
			if len(w.mix.Byzantine) > 1 {
				kinds[i] = w.mix.Byzantine[w.rng.IntN(len(w.mix.Byzantine))]
			}
			w.idents[i].byz = true
			k++
		}
	}
	for i := range n {
		w.idents[i].kind = kinds[i]
		w.addNode(i, kinds[i])
		if kinds[i] != Honest {
			w.res.Byzantine = append(w.res.Byzantine, fmt.Sprintf("validator %d: %s", i, kinds[i]))
		}
		if kinds[i] == Twin {
			w.addNode(i, Twin)
		}
	}
	if w.mix.Observer {
		w.addNode(-1, ObserverNode)
	}
}

func (w *world) addNode(identity int, kind Behaviour) *node {
	id := len(w.nodes)
	nd := &node{id: id, ident: identity, kind: kind, peer: driver.PeerID(fmt.Sprintf("n%d", id)), fs: disk.NewMem(), store: &chainStore{sets: newSetHistory(w.genesis)}}
	nd.host = &host{w: w, n: nd, store: nd.store}
	w.nodes = append(w.nodes, nd)
	return nd
}

// start (re)starts a node's replica from its store, WAL and signer state.
func (w *world) start(nd *node) {
	cfg := driver.Config{Chain: w.chain, Timeouts: simTimeouts(), Verifier: w.verifier, WALPath: "data/cs.wal", SignerPath: "data/priv_validator_state.json", FS: nd.fs, WALRotateBytes: 64 << 10}
	if nd.ident >= 0 {
		cfg.Key, cfg.NextKey = w.idents[nd.ident].keys[0], w.idents[nd.ident].keys[1]
	}
	h := nd.store.height() + 1
	rep, err := driver.NewReplica(cfg, nd.host, h, nd.store.sets.at(h))
	if err != nil {
		w.violate("node %d (identity %d) failed to start at height %d: %v", nd.id, nd.ident, h, err)
		return
	}
	nd.rep = rep
	w.tracef("node %d up at height %d state %s", nd.id, rep.Height(), rep.State())
	w.flush(nd)
	w.push(&event{at: w.now + time.Duration(w.rng.Int64N(int64(retransmitEvery))), kind: evTick, node: nd.id, inc: nd.inc})
}

func (w *world) crash(nd *node) {
	if nd.rep == nil {
		return
	}
	nd.rep = nil
	nd.inc++
	nd.resuming = false
	w.res.Crashes++
	nd.fs.CrashTorn(func(_ string, unsynced int) int { return w.rng.IntN(unsynced + 1) })
	w.tracef("node %d crashed", nd.id)
}

func (w *world) allDone() bool {
	for _, nd := range w.nodes {
		if nd.honest() && nd.store.height() < w.target {
			return false
		}
	}
	return true
}

func (w *world) checkLiveness(deadline time.Duration) {
	var behind []string
	for _, nd := range w.nodes {
		if nd.honest() && nd.store.height() < w.target {
			st := "down"
			if nd.rep != nil {
				st = nd.rep.State().String()
			}
			behind = append(behind, fmt.Sprintf("node %d at height %d (%s)", nd.id, nd.store.height()+1, st))
		}
	}
	if len(behind) > 0 {
		w.violate("liveness: %d heights not decided within %s after GST (%s): %v", w.target, deadline-w.gst, w.gst, behind)
		return
	}
	w.res.AfterGST = max(0, w.now-w.gst)
}

// --- events ---

type evKind uint8

const (
	evDeliver evKind = iota
	evTimeout
	evTick
	evCrash
	evRestart
	evPartition
	evHeal
	evResume
	evGhost
)

// resumeSpread bounds how long a node takes to start its next height after
// committing one (the replica returns to its driver in between, see
// driver.Replica.Pending). Messages arriving meanwhile are stepped first,
// as the node's driver may do.
const resumeSpread = 10 * time.Millisecond

type event struct {
	at      time.Duration
	seq     uint64
	kind    evKind
	node    int
	inc     int
	from    int
	data    []byte
	timeout consensus.Timeout
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (w *world) push(e *event) {
	w.seq++
	e.seq = w.seq
	heap.Push(&w.events, e)
}

func (w *world) handle(e *event) {
	nd := (*node)(nil)
	if e.node >= 0 && e.node < len(w.nodes) {
		nd = w.nodes[e.node]
	}
	switch e.kind {
	case evDeliver:
		if nd.rep == nil {
			return
		}
		if err := nd.rep.Receive(w.nodes[e.from].peer, e.data); err != nil && isStorage(err) {
			w.violate("node %d: storage failure: %v", nd.id, err)
		}
		w.flush(nd)
	case evTimeout:
		if nd.rep == nil || e.inc != nd.inc {
			return
		}
		if err := nd.rep.Timeout(e.timeout); err != nil {
			w.violate("node %d: %v", nd.id, err)
		}
		w.flush(nd)
	case evTick:
		if nd.rep == nil || e.inc != nd.inc {
			return
		}
		if err := nd.rep.Tick(); err != nil {
			w.violate("node %d: %v", nd.id, err)
		}
		w.flush(nd)
		w.push(&event{at: w.now + retransmitEvery, kind: evTick, node: nd.id, inc: nd.inc})
	case evResume:
		if nd.rep == nil || e.inc != nd.inc {
			return
		}
		nd.resuming = false
		if err := nd.rep.Resume(); err != nil {
			w.violate("node %d: %v", nd.id, err)
		}
		w.flush(nd)
	case evCrash:
		w.crash(nd)
	case evRestart:
		if nd.rep == nil {
			w.start(nd)
		}
	case evPartition:
		w.group = make([]int, len(w.nodes))
		for i := range w.group {
			w.group[i] = w.rng.IntN(2)
		}
		w.tracef("partition %v", w.group)
	case evHeal:
		w.group = nil
		w.tracef("partition healed")
	case evGhost:
		w.outsiderAttack()
		w.push(&event{at: w.now + ghostEvery/2 + time.Duration(w.rng.Int64N(int64(ghostEvery))), kind: evGhost, node: e.node})
	}
}

func isStorage(err error) bool {
	return err != nil && errors.Is(err, driver.ErrStorage)
}

// flush sends what a node's replica queued and schedules its timeouts.
func (w *world) flush(nd *node) {
	if nd.rep == nil {
		return
	}
	if nd.rep.Pending() && !nd.resuming {
		nd.resuming = true
		w.push(&event{at: w.now + time.Duration(w.rng.Int64N(int64(resumeSpread))), kind: evResume, node: nd.id, inc: nd.inc})
	}
	out, timers := nd.rep.Outbox()
	for _, t := range timers {
		w.push(&event{at: w.now + t.Duration, kind: evTimeout, node: nd.id, inc: nd.inc, timeout: t})
	}
	for _, o := range out {
		w.checkOutgoing(nd, o.Data)
		w.noteProposal(nd, o.Data)
		w.behave(nd, o)
	}
}

// deliver sends data from one node to the nodes in to, through the network
// model: partitions and loss before GST, latency spread and duplication.
func (w *world) deliver(from *node, to []*node, data []byte) {
	for _, dst := range to {
		if dst == from {
			continue
		}
		w.res.Messages++
		w.res.Bytes += len(data)
		if w.now < w.gst {
			if w.group != nil && w.group[from.id] != w.group[dst.id] {
				continue
			}
			if w.rng.Float64() < w.mix.Loss {
				continue
			}
		}
		copies := 1
		if w.rng.Float64() < w.mix.Dup {
			copies = 2
		}
		for range copies {
			lat := baseLatency + time.Duration(w.rng.Int64N(int64(w.mix.Spread)+1))
			w.push(&event{at: w.now + lat, kind: evDeliver, node: dst.id, from: from.id, data: data})
		}
	}
}

func (w *world) peers(except *node) []*node {
	out := make([]*node, 0, len(w.nodes))
	for _, nd := range w.nodes {
		if nd != except {
			out = append(out, nd)
		}
	}
	return out
}

func (w *world) byPeer(p driver.PeerID) *node {
	for _, nd := range w.nodes {
		if nd.peer == p {
			return nd
		}
	}
	return nil
}

// scheduleFaults lays out crashes and partitions before GST.
func (w *world) scheduleFaults() {
	if w.gst == 0 {
		return
	}
	if w.mix.Crashes {
		k := 1 + w.rng.IntN(3)
		for range k {
			var honest []*node
			for _, nd := range w.nodes {
				if nd.kind == Honest {
					honest = append(honest, nd)
				}
			}
			nd := honest[w.rng.IntN(len(honest))]
			at := time.Duration(w.rng.Int64N(int64(w.gst)))
			down := time.Duration(200+w.rng.IntN(4000)) * time.Millisecond
			w.push(&event{at: at, kind: evCrash, node: nd.id})
			w.push(&event{at: min(at+down, w.gst), kind: evRestart, node: nd.id})
		}
		// Every node is up at GST, whatever the order of the events above.
		for _, nd := range w.nodes {
			if nd.kind == Honest {
				w.push(&event{at: w.gst, kind: evRestart, node: nd.id})
			}
		}
	}
	if w.mix.Partitions {
		t := time.Duration(0)
		for t < w.gst {
			t += time.Duration(w.rng.Int64N(int64(3 * time.Second)))
			if t >= w.gst {
				break
			}
			d := time.Duration(500+w.rng.IntN(5000)) * time.Millisecond
			w.push(&event{at: t, kind: evPartition, node: -1})
			end := min(t+d, w.gst)
			w.push(&event{at: end, kind: evHeal, node: -1})
			t = end
		}
		w.push(&event{at: w.gst, kind: evHeal, node: -1})
	}
}
