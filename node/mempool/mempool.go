// Package mempool holds transactions that are admitted but not yet
// committed, in arrival order.
//
// Admission checks, cheapest first: size, canonical decoding, chain id,
// duplicates in the mempool, replay against the ledger's transaction index,
// the signature (once: the result goes into the shared signature cache that
// block validation consults), the contracts' read-only pre-check, and
// capacity. Every rejection is an *Error with a stable code.
//
// After a block commits, Update drops its transactions (by hash: whichever
// node proposed the block) and, when the block changed membership, rechecks
// the rest against the new state, so a transaction whose sender was revoked
// does not linger.
package mempool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/sigcache"
)

// Ledger answers whether a transaction is already committed.
type Ledger interface {
	HasTx(h ledger.Hash) (bool, error)
}

// Checker is the contracts' read-only pre-check against committed state. It
// returns a coded error (any error with a code) for a transaction that would
// certainly fail, or nil and what it made of the transaction (the
// contracts' decoded payload, or nil): the mempool keeps that value with
// the transaction, never looks into it, and hands it back from Checked
// until the transaction leaves, so that execution need not decode the
// payload again.
type Checker func(tx *ledger.Tx) (checked any, err error)

// Config sets the mempool's limits.
type Config struct {
	ChainID      string
	MaxTxs       int // count capacity
	MaxBytes     int // byte capacity (sum of encodings; a transaction is held both decoded and encoded, so about twice this in memory)
	MaxPerSender int // pending transactions per sender key
	MaxTxBytes   int // largest transaction admitted (genesis max_tx_bytes)
	// RelayReserve of MaxTxs only transactions relayed by validators may
	// fill (AddRelayed; the node admits an observer's relays as a
	// client's): a client's transaction is refused ERR_MEMPOOL_FULL once
	// the mempool holds MaxTxs-RelayReserve. Under overload every mempool
	// would otherwise fill with its own clients' transactions and refuse
	// its peers' relays, so that each transaction waited in its one
	// mempool for that validator's turn to propose (one height in as many
	// as there are validators, and behind the rest of its queue): the
	// tail of the latency. With room kept for relays, what one validator
	// admits reaches the others, and whoever proposes next can include it.
	// The reserve counts transactions only; MaxBytes is shared. It holds
	// while the node has another validator to relay to it
	// (SetRelayPeers): a lone validator's reserve could never fill.
	RelayReserve int
}

// Mempool is safe for concurrent use.
type Mempool struct {
	cfg    Config
	ledger Ledger
	sigs   *sigcache.Cache
	check  Checker

	mu sync.Mutex
	// reserve is the relay reserve in force: Config.RelayReserve while
	// another validator may relay, else 0 (SetRelayPeers).
	reserve int
	// relayPeers is SetRelayPeers' last word: another validator may relay
	// here.
	relayPeers bool
	byHash     map[ledger.Hash]*entry
	// recent holds the hashes of the transactions of the last few
	// committed blocks. Admission checks the ledger before the (slow)
	// signature check and inserts after it; a block carrying the same
	// transaction can commit in between, and Update would then find
	// nothing to remove. insert refuses what recent holds, under the same
	// lock as Update, which closes that window.
	recent [recentBlocks]map[ledger.Hash]struct{}
	// updates counts Update calls (committed blocks). An admission notes it
	// before its ledger check; if recentBlocks or more blocks committed
	// before it inserts, recent no longer covers the window and insert
	// asks the ledger again.
	updates uint64
	// bySig finds a waiting transaction by the first 8 bytes of its
	// signature, the end of its encoding (Known): a block's transactions
	// are looked up there before they are hashed. The first entry for a
	// key keeps it; a later one with the same 8 bytes is found only by
	// hash.
	bySig    map[uint64]*entry
	queue    []*entry // arrival order; removed entries are nil'd and compacted lazily
	live     int      // non-removed entries in queue
	bytes    int
	bySender map[ledger.PublicKey]int
	// proposed counts the transactions of this node's last proposal
	// (Propose) until the next commit (Update) or proposal: the count
	// capacity (roomFor) compares with MaxTxs leaves them out; the bytes,
	// a memory bound, do not. A transaction stays here until its block
	// commits, so without this a lone validator's mempool held its block
	// in flight and the clients' next block in the same MaxTxs, and it
	// refused its clients what its next block could carry: at qian bench
	// --inflight 6000 about a million transactions a minute, committing
	// 11,386-11,460 tx/s at 119 µs per transaction; with this room
	// 0.15-0.17 million, 12,135-12,481 tx/s and 109-111 µs
	// (docs/benchmarks.md, "Room for the block in flight"). Only a
	// validator with no relay peers sets its proposal aside: the other
	// validators hold the same transactions, counted, and a proposer with
	// room they lack would admit what they then refuse as relays, which
	// waits for its next turn ("Room for relays").
	proposed int
	// freed, when not nil, is closed at the next change that may give
	// clients room (ClientRoom): a commit, a removal, a lone validator's
	// proposal.
	freed chan struct{}
}

type entry struct {
	tx       *ledger.Tx
	hash     ledger.Hash
	size     int
	checked  any // what the Checker returned at admission
	removed  bool
	proposed bool // in this node's proposal since the last commit
}

// New returns an empty mempool. check may be nil.
func New(cfg Config, l Ledger, sigs *sigcache.Cache, check Checker) *Mempool {
	return &Mempool{cfg: cfg, ledger: l, sigs: sigs, check: check, reserve: cfg.RelayReserve, relayPeers: true,
		byHash: map[ledger.Hash]*entry{}, bySig: map[uint64]*entry{}, bySender: map[ledger.PublicKey]int{}}
}

// SetRelayPeers tells the mempool whether another validator may relay
// transactions to it, as the validator set changes: the relay reserve
// holds only then. A lone validator (a chain of one) has no relays to
// keep room for; with the reserve in force its blocks, which the mempool
// feeds and which leave it only at commit, would be cut to the clients'
// share (docs/benchmarks.md, "One validator's reserve").
func (m *Mempool) SetRelayPeers(others bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.relayPeers = others
	m.reserve = 0
	if others {
		m.reserve = m.cfg.RelayReserve
	}
	m.roomFreedLocked()
}

// Result is the outcome of admitting one transaction.
type Result struct {
	Tx   *ledger.Tx // nil when the bytes did not decode
	Hash ledger.Hash
	Err  error // nil when admitted
}

// Add admits the transaction encoded in raw, from a client.
func (m *Mempool) Add(raw []byte) (*ledger.Tx, ledger.Hash, error) {
	r := m.AddBatch([][]byte{raw})[0]
	return r.Tx, r.Hash, r.Err
}

// AddBatch admits the transactions encoded in raws, from clients, and
// returns one result for each, in order. The signatures that survive the
// cheap checks are verified together (batch verification: several times
// cheaper per signature than one by one); the cheap checks run first so
// that junk costs no signature check.
func (m *Mempool) AddBatch(raws [][]byte) []Result { return m.addBatch(raws, false) }

// AddRelayed is AddBatch for transactions a validator relayed, which may
// also fill the Config.RelayReserve.
func (m *Mempool) AddRelayed(raws [][]byte) []Result { return m.addBatch(raws, true) }

// ClientRoom is how many more clients' transactions the count capacity
// takes now (0 when the mempool is full for clients), the most it could
// ever take (MaxTxs less the relay reserve), and a channel closed at the
// next change that may give them more room: a commit, a removal, a lone
// validator's proposal. (MaxBytes is not counted: the next transaction's
// size is not known.)
func (m *Mempool) ClientRoom() (room, capacity int, freed <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.freed == nil {
		m.freed = make(chan struct{})
	}
	return max(0, m.countRoomLocked(false)), m.cfg.MaxTxs - m.reserve, m.freed
}

// countRoomLocked is, with m.mu held, how many more transactions MaxTxs
// takes (negative when over it): a client's within MaxTxs less the relay
// reserve, a validator's relay (relayed) within MaxTxs. The transactions
// of this node's proposal do not count (Propose).
func (m *Mempool) countRoomLocked(relayed bool) int {
	capacity := m.cfg.MaxTxs
	if !relayed {
		capacity -= m.reserve
	}
	return capacity - (m.live - m.proposed)
}

// roomFreedLocked tells ClientRoom's callers, with m.mu held, that clients
// may have more room.
func (m *Mempool) roomFreedLocked() {
	if m.freed != nil {
		close(m.freed)
		m.freed = nil
	}
}

// fullError is the refusal of a transaction at capacity; a client's names
// the room kept for validators' relays (reserve, read with m.mu held),
// when there is any.
func (m *Mempool) fullError(relayed bool, reserve int) error {
	if !relayed && reserve > 0 {
		return errorf(ErrMempoolFull, "mempool is full for clients (%d of its %d transactions are kept for validators' relays); try again shortly", reserve, m.cfg.MaxTxs)
	}
	return errorf(ErrMempoolFull, "mempool is full; try again shortly")
}

// roomFor reports, with m.mu held, whether one more transaction of size
// bytes fits: a client's within MaxTxs less the relay reserve, a
// validator's relay (relayed) within MaxTxs; both within MaxBytes. The
// transactions of this node's proposal do not count against MaxTxs
// (Propose).
func (m *Mempool) roomFor(size int, relayed bool) bool {
	return m.countRoomLocked(relayed) > 0 && m.bytes+size <= m.cfg.MaxBytes
}

func (m *Mempool) addBatch(raws [][]byte, relayed bool) []Result {
	gen := m.generation()
	res := make([]Result, len(raws))
	var cand []int
	var txs []*ledger.Tx
	var hashes []ledger.Hash
	inBatch := make(map[ledger.Hash]bool, len(raws))
	for i, raw := range raws {
		r := &res[i]
		if len(raw) > m.cfg.MaxTxBytes {
			r.Err = errorf(ErrTxTooLarge, "transaction of %d bytes exceeds the limit of %d", len(raw), m.cfg.MaxTxBytes)
			continue
		}
		tx, err := ledger.DecodeTx(raw)
		if err != nil {
			r.Err = errorf(ErrDecode, "%v", err)
			continue
		}
		r.Tx, r.Hash = tx, tx.Hash()
		if r.Err = m.precheck(tx, r.Hash, len(raw), relayed); r.Err != nil {
			continue
		}
		if inBatch[r.Hash] {
			r.Err = errorf(ErrDuplicateTx, "transaction %s is already in the mempool", r.Hash)
			continue
		}
		inBatch[r.Hash] = true
		cand = append(cand, i)
		txs = append(txs, tx)
		hashes = append(hashes, r.Hash)
	}
	for _, b := range m.sigs.VerifyBatch(txs, hashes) {
		r := &res[cand[b]]
		r.Err = errorf(ErrBadSignature, "signature does not verify against sender %s", r.Tx.Sender)
	}
	for _, i := range cand {
		r := &res[i]
		if r.Err != nil {
			continue
		}
		var checked any
		if m.check != nil {
			if checked, r.Err = m.check(r.Tx); r.Err != nil {
				continue
			}
		}
		r.Err = m.insert(r.Tx, r.Hash, len(raws[i]), checked, gen, relayed)
	}
	return res
}

// AddTx admits a decoded transaction whose encoding is size bytes, from a
// client.
func (m *Mempool) AddTx(tx *ledger.Tx, size int) (ledger.Hash, error) {
	gen := m.generation()
	h := tx.Hash()
	if err := m.precheck(tx, h, size, false); err != nil {
		return h, err
	}
	if err := m.sigs.Verify(tx, h); err != nil {
		return h, errorf(ErrBadSignature, "signature does not verify against sender %s", tx.Sender)
	}
	var checked any
	if m.check != nil {
		var err error
		if checked, err = m.check(tx); err != nil {
			return h, err
		}
	}
	return h, m.insert(tx, h, size, checked, gen, false)
}

// precheck is everything cheaper than the signature: chain, size,
// duplicates, replay.
func (m *Mempool) precheck(tx *ledger.Tx, h ledger.Hash, size int, relayed bool) error {
	if tx.ChainID != m.cfg.ChainID {
		return errorf(ErrWrongChain, "transaction is for chain %q, this is %q", tx.ChainID, m.cfg.ChainID)
	}
	if size > m.cfg.MaxTxBytes {
		return errorf(ErrTxTooLarge, "transaction of %d bytes exceeds the limit of %d", size, m.cfg.MaxTxBytes)
	}
	m.mu.Lock()
	_, dup := m.byHash[h]
	full := !m.roomFor(size, relayed)
	reserve := m.reserve
	senderFull := m.bySender[tx.Sender] >= m.cfg.MaxPerSender
	m.mu.Unlock()
	if dup {
		return errorf(ErrDuplicateTx, "transaction %s is already in the mempool", h)
	}
	// Capacity is checked again at insert; checking it here too means a
	// client hammering a full mempool costs no signature checks.
	if full {
		return m.fullError(relayed, reserve)
	}
	if senderFull {
		return errorf(ErrSenderLimit, "sender %s has too many transactions waiting (limit %d)", tx.Sender.Short(), m.cfg.MaxPerSender)
	}
	if committed, err := m.ledger.HasTx(h); err != nil {
		return fmt.Errorf("mempool: look up %s: %w", h.Short(), err)
	} else if committed {
		return errorf(ErrAlreadyCommitted, "transaction %s is already committed", h)
	}
	return nil
}

// generation is the number of committed blocks seen so far; an admission
// notes it before its ledger check and hands it to insert.
func (m *Mempool) generation() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.updates
}

// insert adds a checked transaction, within the limits (roomFor), with
// what the Checker made of it. gen is the number of updates seen before the
// transaction's ledger check.
func (m *Mempool) insert(tx *ledger.Tx, h ledger.Hash, size int, checked any, gen uint64, relayed bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byHash[h]; dup {
		return errorf(ErrDuplicateTx, "transaction %s is already in the mempool", h)
	}
	if m.recentlyCommitted(h) {
		return errorf(ErrAlreadyCommitted, "transaction %s is already committed", h)
	}
	if m.updates-gen >= recentBlocks {
		// Rare: the admission took longer than recent covers.
		if committed, err := m.ledger.HasTx(h); err != nil {
			return fmt.Errorf("mempool: look up %s: %w", h.Short(), err)
		} else if committed {
			return errorf(ErrAlreadyCommitted, "transaction %s is already committed", h)
		}
	}
	if m.bySender[tx.Sender] >= m.cfg.MaxPerSender {
		return errorf(ErrSenderLimit, "sender %s already has %d transactions waiting (limit %d)", tx.Sender.Short(), m.bySender[tx.Sender], m.cfg.MaxPerSender)
	}
	if !m.roomFor(size, relayed) {
		return m.fullError(relayed, m.reserve)
	}
	e := &entry{tx: tx, hash: h, size: size, checked: checked}
	m.byHash[h] = e
	if k := sigKey(tx.Sig[:]); m.bySig[k] == nil {
		m.bySig[k] = e
	}
	m.queue = append(m.queue, e)
	m.live++
	m.bytes += size
	m.bySender[tx.Sender]++
	return nil
}

// Known returns a waiting transaction whose signature begins with the same
// 8 bytes as the one that ends enc, a transaction's canonical encoding, or
// nil: a candidate for a block's decoder (ledger.KnownTx), which takes it
// only if its whole encoding is enc. It is looked up by signature because
// the block's decoder has not hashed enc. It takes the lock once per
// transaction; uncontended, that is tens of microseconds per block.
func (m *Mempool) Known(enc []byte) *ledger.Tx {
	if len(enc) < ledger.SignatureSize {
		return nil
	}
	k := sigKey(enc[len(enc)-ledger.SignatureSize:])
	m.mu.Lock()
	e := m.bySig[k]
	m.mu.Unlock()
	if e == nil {
		return nil
	}
	return e.tx
}

// sigKey is the bySig key of a signature: its first 8 bytes (of R's
// x-coordinate, which its signer chose: a sender can make its own
// signatures collide, and a collision only costs a decoding).
func sigKey(sig []byte) uint64 { return binary.LittleEndian.Uint64(sig) }

// Has reports whether h is waiting in the mempool.
func (m *Mempool) Has(h ledger.Hash) bool {
	m.mu.Lock()
	_, ok := m.byHash[h]
	m.mu.Unlock()
	return ok
}

// Checked returns what the Checker made of the transaction with hash h when
// it was admitted (nil when h is not waiting here, or the Checker returned
// nil). The hash names the transaction's bytes, so a block carrying the
// same transaction, whoever proposed it, gets this node's own value.
func (m *Mempool) Checked(h ledger.Hash) any {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.byHash[h]; ok {
		return e.checked
	}
	return nil
}

// Size returns the number of transactions and their total bytes.
func (m *Mempool) Size() (txs, bytes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.live, m.bytes
}

// Reap returns up to maxTxs transactions totalling at most maxBytes, in
// arrival order, leaving them in the mempool (they leave when committed).
func (m *Mempool) Reap(maxTxs, maxBytes int) []*ledger.Tx {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reapLocked(maxTxs, maxBytes, false)
}

// reapLocked is Reap with m.mu held; with propose it marks what it returns
// as proposed.
func (m *Mempool) reapLocked(maxTxs, maxBytes int, propose bool) []*ledger.Tx {
	out := make([]*ledger.Tx, 0, min(maxTxs, m.live))
	bytes := 0
	for _, e := range m.queue {
		if e.removed {
			continue
		}
		if len(out) == maxTxs || bytes+e.size > maxBytes {
			break
		}
		out = append(out, e.tx)
		bytes += e.size
		if propose {
			e.proposed = true
		}
	}
	return out
}

// Propose is Reap for a block this node builds to propose. With no relay
// peers (SetRelayPeers(false): a lone validator), until the next commit
// (Update), whichever block it is, the transactions it returns do not
// count against MaxTxs (MaxBytes still counts them), so clients may fill
// the mempool again while the block is decided; the mempool then holds at
// most MaxTxs plus one block's transactions. A block built for a later
// round replaces the count; one consensus proposes again (its valid
// block) is not built here, and the last built one's count stands.
func (m *Mempool) Propose(maxTxs, maxBytes int) []*ledger.Tx {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearProposedLocked()
	if m.relayPeers {
		return m.reapLocked(maxTxs, maxBytes, false)
	}
	out := m.reapLocked(maxTxs, maxBytes, true)
	m.proposed = len(out)
	m.roomFreedLocked()
	return out
}

// clearProposedLocked makes the transactions of the last proposal count
// against the capacity again.
func (m *Mempool) clearProposedLocked() {
	if m.proposed == 0 {
		return
	}
	for _, e := range m.queue {
		e.proposed = false
	}
	m.proposed = 0
}

// Update removes the committed transactions. With recheck, it also runs
// the pre-check on the rest against the new state and drops what fails (a
// sender whose key was revoked, say); the caller asks for it only when the
// block changed what admission depends on, because at thousands of pending
// transactions it costs milliseconds per block. It returns how many the
// recheck dropped.
func (m *Mempool) Update(committed []*ledger.Tx, recheck bool) int {
	hs := make([]ledger.Hash, len(committed))
	for i, tx := range committed {
		hs[i] = tx.Hash()
	}
	return m.UpdateHashes(hs, recheck)
}

// UpdateHashes is Update for a block whose transactions' hashes the caller
// already has (the node, from executing it).
func (m *Mempool) UpdateHashes(committed []ledger.Hash, recheck bool) int {
	hashes := make(map[ledger.Hash]struct{}, len(committed))
	for _, h := range committed {
		hashes[h] = struct{}{}
	}
	m.mu.Lock()
	m.updates++
	copy(m.recent[1:], m.recent[:recentBlocks-1])
	m.recent[0] = hashes
	for h := range hashes {
		if e, ok := m.byHash[h]; ok {
			m.removeLocked(e)
		}
	}
	// What a proposal held and this block did not commit (another
	// proposer's block was decided) waits for the next like the rest.
	rest := make([]*entry, 0, m.live)
	for _, e := range m.queue {
		if !e.removed {
			e.proposed = false
			rest = append(rest, e)
		}
	}
	m.queue = rest
	m.proposed = 0
	m.roomFreedLocked()
	m.mu.Unlock()
	if !recheck || m.check == nil {
		return 0
	}

	// Recheck outside the lock: admission continues meanwhile.
	var drop []*entry
	for _, e := range rest {
		if _, err := m.check(e.tx); err != nil {
			drop = append(drop, e)
		}
	}
	if len(drop) > 0 {
		m.mu.Lock()
		for _, e := range drop {
			if !e.removed {
				m.removeLocked(e)
			}
		}
		m.roomFreedLocked()
		m.mu.Unlock()
	}
	return len(drop)
}

// recentBlocks is how many committed blocks' transactions insert refuses
// without a ledger lookup: far longer than an admission takes.
const recentBlocks = 4

func (m *Mempool) recentlyCommitted(h ledger.Hash) bool {
	for _, r := range m.recent {
		if _, ok := r[h]; ok {
			return true
		}
	}
	return false
}

// Remove drops the transactions with these hashes (the proposer found them
// already committed: a mempool must never hold a committed transaction, or
// every block proposed from it would be refused).
func (m *Mempool) Remove(hashes []ledger.Hash) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, h := range hashes {
		if e, ok := m.byHash[h]; ok {
			m.removeLocked(e)
		}
	}
	m.roomFreedLocked()
}

func (m *Mempool) removeLocked(e *entry) {
	if e.proposed {
		e.proposed = false
		m.proposed--
	}
	e.removed = true
	delete(m.byHash, e.hash)
	if k := sigKey(e.tx.Sig[:]); m.bySig[k] == e {
		delete(m.bySig, k)
	}
	m.live--
	m.bytes -= e.size
	if n := m.bySender[e.tx.Sender] - 1; n > 0 {
		m.bySender[e.tx.Sender] = n
	} else {
		delete(m.bySender, e.tx.Sender)
	}
}

// CodeOf returns the stable code of an admission error, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
