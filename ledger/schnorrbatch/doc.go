// Package schnorrbatch verifies many BIP-340 Schnorr signatures at once.
//
// Every validator checks the signature of every transaction. One
// verification with btcec costs about 100 µs on the reference machine; in a
// batch of a thousand a signature costs between a third (new keys) and a
// fifth (keys in the cache) of that, and a seventh when a few accounts sign
// most transactions (Figures). The verdict
// is the same as checking each signature on its own with BIP-340 Verify,
// except that a batch containing an invalid signature is accepted with
// probability at most 2^-128.
//
// # Use
//
//	items := make([]schnorrbatch.Item, len(txs))
//	for i, tx := range txs {
//		items[i] = schnorrbatch.Item{Key: tx.Sender, Msg: tx.Hash(), Sig: tx.Sig}
//	}
//	if !schnorrbatch.Verify(items) {
//		bad := schnorrbatch.VerifyEach(items) // positions of the invalid ones
//		...
//	}
//
// Verify answers "are all valid?". VerifyEach answers "which are invalid?":
// it costs what Verify costs when all are valid, and otherwise bisects
// (halves that pass are accepted, halves that fail are split again, groups
// of four are checked one by one; once one invalid signature in 64 has
// turned up the rest are checked one by one, so a flood of bad signatures
// costs at most about 1.5 times single verification). A position reported by
// VerifyEach is certainly invalid. The package-level functions share one
// Verifier with a cache of DefaultCacheKeys keys; NewVerifier makes one with
// a cache of another size, or none.
//
// Contracts for callers:
//
//   - Concurrency: Verify, VerifyEach and every Verifier method are safe for
//     concurrent use. Each call runs on the calling goroutine and uses one
//     core; to use several cores, split a large batch into one part per core
//     and verify the parts in parallel (see the example). The key cache is
//     shared under a mutex taken twice per call, not per signature.
//   - Inputs are only read. Scratch memory comes from a pool, so a steady
//     stream of batches allocates almost nothing (VerifyEach allocates its
//     result).
//   - When batching pays: always, and more with size. A single signature
//     costs about what ledger.PublicKey.Verify costs (slightly less); 2-16
//     signatures give 1.4-2×, a few hundred 3-4×, thousands 4-5.5×, and
//     repeated senders up to 9× (Figures). So there is no need to
//     special-case small batches, but it pays to verify the transactions of
//     a block, or of a mempool admission round, together, and to split a
//     batch across cores only into parts of several hundred.
//   - The key cache holds lifted public keys (lift_x costs a field square
//     root, about 9 µs). It is bounded (about 150 bytes per key), keeps keys
//     in use and drops keys seen once (two generations), and stores only valid
//     keys; a cached point is a pure function of the key bytes, so the cache
//     can make verification faster but never change a verdict.
//   - Verification is randomised (see Security) but its verdict is not: for
//     valid signatures the result is always true; for a batch with an invalid
//     signature it is false except with probability at most 2^-128. Nodes
//     therefore agree on every block, as with single verification.
//
// # Strictness
//
// An item is valid exactly when BIP-340 Verify(Key, Msg, Sig) succeeds:
// Key must be the x coordinate (< p) of a curve point; Sig = r || s with
// r < p the x coordinate of a curve point and s < n; and s·G - e·P must be
// the point with x coordinate r and even y, where P = lift_x(Key) and
// e = int(hash_BIP0340/challenge(r || Key || Msg)) mod n. The tests check
// this against the official BIP-340 vectors, against ledger.PublicKey.Verify
// (btcec) and against an independent math/big transcription of the BIP.
//
// The range of s is where btcec alone would differ: v2.3.5's
// schnorr.ParseSignature reduces s modulo n instead of rejecting s >= n, so
// r || (s+n) would pass beside a valid r || s whenever s + n < 2^256.
// ledger.PublicKey.Verify checks s < n before calling btcec, and so does this
// package (a scalar that overflows fails the item), so the two agree on such
// signatures as on every other; TestSignatureSMustBeBelowOrder in ledger and
// the corruptions of this package's property test hold them to it.
//
// # How it works
//
// A signature (r, s) on m by P is valid when R = lift_x(r) exists and
// s·G = R + e·P. For items 1…u with random coefficients a_1 = 1 and
// a_2, …, a_u, the batch is accepted when
//
//	Σ a_i·R_i + Σ (a_i·e_i)·P_i - (Σ a_i·s_i)·G = 0.
//
// Steps, per call:
//
//  1. Prepare each item: check the ranges, lift R (a square root) and P (from
//     the cache, or a square root), hash e. A malformed item fails the batch
//     at once.
//  2. Draw the coefficients (Security).
//  3. Signatures by the same key share one key term: Σ over a key's items of
//     a_i·e_i is one scalar. A batch from 64 senders has 64 key terms,
//     whatever its size.
//  4. Split each key's scalar and G's with the secp256k1 endomorphism (GLV):
//     k = k1 + k2·λ with k1, k2 about 128 bits, and k·P = k1·P + k2·φ(P)
//     where φ(x, y) = (β·x, y) costs one field multiplication. Every term of
//     the sum then has a scalar of about 128 bits (the a_i already do), which
//     halves the doublings.
//  5. Compute the sum as one multi-scalar multiplication and accept when it
//     is the point at infinity. Below 48 terms (a batch of about 12
//     signatures by distinct keys) Strauss's method is used: width-4 NAF
//     digits, one chain of 129 doublings shared by all terms, tables of odd
//     multiples converted to affine form together, static width-8 tables for
//     G and φ(G). From 48 terms, Pippenger's bucket method with signed
//     digits: the window width c (4 to 10 here) comes from a cost model; the
//     buckets of all windows are filled together, and the bucket additions
//     (one per term per window, the bulk of the work) are done in affine
//     coordinates in batches of up to 512 that share one field inversion
//     (5 multiplications and a squaring each, against 7 and 4 for a mixed
//     Jacobian addition). Doubling and cancellation inside a bucket are
//     handled exactly. BenchmarkMSM places the crossover.
//
// All field and group arithmetic is btcec's (the decred secp256k1 package's
// FieldVal, ModNScalar, JacobianPoint, AddNonConst, DoubleNonConst,
// ScalarBaseMultNonConst and DecompressY); this package adds only the affine
// batch addition, the GLV split (the decred constants, re-derived in the
// tests) and the digit recodings, each tested against math/big or a naive
// sum of btcec scalar multiplications. None of it is constant time; nothing
// here touches secrets.
//
// # Security
//
// Let D_i = s_i·G - R_i - e_i·P_i for the well-formed items. Item i is
// valid exactly when D_i = 0. The group has prime order n, so D_i = d_i·G
// for a unique d_i in [0, n), and the batch equation is Σ a_i·d_i ≡ 0
// (mod n). If every item is valid every d_i is 0 and the batch is accepted,
// whatever the coefficients. If some item j >= 2 is invalid, fix all
// coefficients but a_j: at most one value of a_j mod n satisfies the
// equation, and a_j is uniform over 2^128 - 1 values that are distinct
// mod n (2^128 < n), so the batch is accepted with probability at most
// 2^-127.99, about 2^-128. If only item 1 (coefficient 1) is invalid, the
// sum is d_1 ≠ 0 and the batch is always rejected. This needs the
// coefficients to be unpredictable to whoever chose the signatures: they
// are drawn from ChaCha8 (math/rand/v2, a cryptographically strong
// generator) keyed by SHA-256 of 32 bytes from crypto/rand and of every
// input of the batch. Either half suffices: the operating system's
// randomness alone, or the hash of all inputs alone as BIP-340's batch
// verification allows (changing any input changes every coefficient, so
// trying batches is trying 2^-128 chances). Bisection reuses a call's
// coefficients for sub-batches with the first item's coefficient set to 1;
// each check is sound by the same argument, and a check of a single item is
// exact (a·D = 0 only if D = 0). The forgery test builds two invalid
// signatures whose errors cancel under fixed coefficients, shows that a
// check with those coefficients accepts them, and that Verify rejects them.
//
// # Figures
//
// Measured on the reference machine (2-core AMD EPYC VM shared with other
// work, Go 1.26, GOMAXPROCS=1) with
//
//	GOMAXPROCS=1 go test -run XXX -bench 'Single|Verify' -count 3 ./ledger/schnorrbatch
//
// in CPU time per signature (process user+system time, which a busy
// neighbour inflates less than wall time), median of three runs; the
// speedup divides the CPU time of ledger.PublicKey.Verify, measured in the
// same process just before each batch, by the batch's. Keys are distinct
// unless stated; "cached" means every key is already in the key cache.
//
//	signatures   distinct keys, cold cache   distinct keys, cached    64 senders
//	per batch    CPU µs/sig   speedup        CPU µs/sig   speedup     CPU µs/sig   speedup
//	       1        144        1.13×            150        1.30×
//	       2        117        1.40×            122        1.50×
//	       4        105        1.57×            101        1.71×
//	       8         97        1.69×             96        1.77×
//	      16         96        1.79×             91        2.01×
//	      64         68        2.43×             65        2.68×
//	     256         58        3.05×             46        3.82×            32        5.37×
//	    1024         50        3.51×             37        4.72×            23        7.31×
//	    4096         40        4.03×             31        5.47×            20        8.85×
//
//	VerifyEach, one invalid among 64:    165 µs/sig, 1.00× (as fast as single verification)
//	VerifyEach, one invalid among 1024:   98 µs/sig, 1.76×
//	VerifyEach, all 256 invalid:          222 µs/sig, 0.74× (the flood case: 1.35 times single cost)
//
// The machine was busy during this run (load average 8 to 12 on 2 cores):
// single verification took 162 CPU µs against about 100-107 µs when it is
// quiet, and the batch figures are inflated alike. The speedups, measured
// under the same load, are the figures to rely on: with batches of a
// thousand, a node's signature-verification ceiling rises by 3.5× (new
// keys) to 4.7× (known keys), and to 7× or more when the same accounts sign
// many transactions (the 64-sender column: keys are lifted once per batch
// and share one term, so the cache matters little there). The 64-sender
// column for batches below 256 is omitted: there the sender count is close
// to the batch size.
//
// The profile of a 1024-signature batch with cached keys: 30% lifting R
// (the square root in DecompressY, about 9 µs per signature, which no
// batching removes), 48% the affine bucket additions (field
// multiplications), the rest the bucket sums, GLV splits and scalar
// products; hashing and coefficients are under 2%. The field arithmetic is
// the limit: a field multiplication costs about 57 ns here. A faster field
// implementation would speed up lifting and the sum alike, but would be new
// arithmetic code in the consensus path; this package deliberately builds on
// btcec's.
package schnorrbatch
