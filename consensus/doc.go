// Package consensus is Qianchain's Byzantine fault tolerant consensus: the
// Tendermint algorithm (Algorithm 1 of Buchman, Kwon and Milosevic, "The
// latest gossip on BFT consensus", arXiv:1807.04938) as a deterministic state
// machine, in the style of etcd-io/raft.
//
// With validators holding voting power, of which strictly less than a third
// is faulty (crashed, partitioned or malicious), no two honest validators
// decide different blocks at one height (safety, always), and after the
// network delivers messages within a bound, every height is decided
// (liveness). docs/consensus.md describes the algorithm as implemented, line
// by line, and the proof obligations the simulator checks.
//
// # The machine
//
// Machine holds one node's view of the current height: round, step, lock,
// valid value, and the votes and proposals received. It does no I/O, starts
// no goroutine, reads no clock, draws no random number and holds no key.
// Everything enters through Step, everything leaves through Ready:
//
//	m, _ := consensus.NewMachine(consensus.Config{Chain: doc.Identity(), Timeouts: consensus.DefaultTimeouts()}, app)
//	m.Step(consensus.StartHeight{Height: h, Validators: vals, Self: myIndex}) // or consensus.Observer
//	for each event {
//		m.Step(input)           // ProposalMessage, VoteMessage, TimeoutFired, BlockToPropose,
//		                        // CatchUp, Retransmit, StartHeight
//		rd := m.Ready()         // act on it in this order:
//		// 1. rd.State: persist (WAL); sync if there is anything to sign or a decision
//		// 2. rd.Sign: sign each (crash-safe signer), log it synced, broadcast it,
//		//    and Step it back in as a ProposalMessage or VoteMessage
//		// 3. rd.Send: broadcast as is (retransmissions, relayed polka)
//		// 4. rd.Timeouts: schedule; when one fires, Step(TimeoutFired{t})
//		// 5. rd.ProposalRequest: build a block, Step(BlockToPropose{...})
//		// 6. rd.Evidence: keep for a future block
//		// 7. rd.Decision: execute and store the block with its commit, then
//		//    Step(StartHeight{Height: h+1, ...})
//	}
//
// Why this order: a message must never leave before the state that produced
// it is durable, or a crash could make the validator sign something that
// contradicts what it already sent (step 1 before 2). The signer persists
// before it returns a signature, so the validator never signs two different
// messages for one height, round and step, even across crashes (package
// consensus/signer). The next height's header carries the application hash
// of the decided block, so the caller executes and stores the block before
// it starts the next height (step 7).
//
// The machine does not sign; it emits unsigned proposals and votes and
// counts them like everyone else's once the caller steps the signed versions
// back. It verifies every signature it counts through Config.Verifier.
//
// Stepping returns an *Error with a stable Code when an input is rejected
// (a bad signature, a message for another height, a proposal from a
// validator whose turn it is not, ...). Rejections are normal on an open
// network; none is fatal and none changes the state.
//
// # Lossy networks
//
// Algorithm 1 assumes that every message an honest validator sends
// eventually reaches every honest validator. Two inputs let a caller provide
// that over a network that loses messages:
//
//   - Retransmit: the machine re-sends its own signed messages of the
//     current height (every round, since a validator behind in rounds needs
//     the old ones to move on) and the 2f+1 prevotes behind its valid value
//     (a faulty validator's vote in that polka would otherwise never reach
//     the validators that need it to accept the proof of lock, line 28).
//   - CatchUp: a decided block and a commit for the current height, from a
//     peer that is ahead. The machine verifies the commit and decides the
//     block as if it had received the precommits itself (line 49).
//
// Messages for the next height are kept (up to Config.MaxFutureMessages)
// and stepped in when it starts, so a validator that decides a little later
// than the proposer of the next height does not miss the proposal.
//
// # Around the machine
//
//   - consensus/voteset counts votes by power.
//   - consensus/wire is the byte form of consensus messages between nodes.
//   - consensus/signer is the crash-safe signer; consensus/wal the
//     write-ahead log; consensus/disk the file-system surface they use.
//   - consensus/driver runs the machine with its WAL and signer: Replica
//     does it synchronously (the simulator drives it on a virtual clock);
//     Driver adds the goroutine, real timers and a Transport for the node.
//   - consensus/sim is the deterministic simulator that attacks all of the
//     above and checks the invariants.
package consensus
