// Package schnorrbatch verifies many BIP-340 Schnorr signatures at once.
//
// Every validator checks the signature of every transaction. One
// verification with btcec costs about 145 µs on the reference machine; in a
// batch of a thousand a signature costs about a tenth of that (new keys) and
// a twelfth (keys in the cache), and a twentieth when a few accounts sign
// most transactions (Figures, the last paragraph). The verdict
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
//     stream of batches allocates little: six small allocations per call
//     whatever its size (testing.AllocsPerRun, 16 and 1,024 signatures; the
//     field arithmetic allocates nothing), and VerifyEach its result.
//   - When batching pays: always, and more with size. A single signature
//     costs a third of what ledger.PublicKey.Verify (btcec) costs, because
//     the field arithmetic is faster (field.go); 2-16 signatures give
//     2.6-4×, a few hundred 5.5-7×, thousands 6.3-9.4×, and repeated
//     senders up to 14× (Figures, with fp.Element; with fe's assembly a
//     thousand give 9.6-12.6× and 64 senders 19-21×). So there is no need to
//     special-case small batches, but it pays to verify the transactions of
//     a block, or of a mempool admission round, together, and to split a
//     batch across cores only into parts of several hundred.
//   - The key cache holds lifted public keys (lift_x costs a field square
//     root, about 3 µs). It is bounded (about 150 bytes per key), keeps keys
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
//     is the point at infinity. Below 40 terms (a batch of about 10
//     signatures by distinct keys) Strauss's method is used: width-4 NAF
//     digits, one chain of 129 doublings shared by all terms, tables of odd
//     multiples converted to affine form together, static width-8 tables for
//     G and φ(G). From 40 terms, Pippenger's bucket method with signed
//     digits: the window width c (4 to 10 here) comes from a cost model; the
//     buckets of all windows are filled together, and the bucket additions
//     (one per term per window, the bulk of the work) are done in affine
//     coordinates in batches of up to 512 that share one field inversion
//     (5 multiplications and a squaring each, against 7 and 4 for a mixed
//     Jacobian addition). Doubling and cancellation inside a bucket are
//     handled exactly. BenchmarkMSM places the crossover.
//
// The field arithmetic is this package's fe (fe.go: four 64-bit limbs,
// reduced by folding the high half of a product back times 2^32 + 977;
// field.go says what it replaced and why); the group arithmetic on it is
// this package's too (point.go: Jacobian doubling and addition with the a =
// 0 formulas of the Explicit-Formulas Database, the affine batch addition,
// lift_x); scalars are btcec's ModNScalar, and this package adds the GLV
// split (the decred constants, re-derived in the tests)
// and the digit recodings. Each is tested against btcec (points, lift_x,
// whole multi-scalar multiplications by naive sums of btcec scalar
// multiplications) or math/big, and Verify against btcec's BIP-340 Verify,
// the official vectors and a math/big transcription of the BIP. None of it
// is constant time; nothing here touches secrets.
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
// Measured on the reference machine (2-core AMD EPYC VM, Go 1.26,
// GOMAXPROCS=1, nothing else running: load average under 1) with
//
//	GOMAXPROCS=1 go test -run XXX -bench 'Single|Verify' -count 3 ./ledger/schnorrbatch
//
// in CPU time per signature (process user+system time), median of three
// runs; the speedup divides the CPU time of ledger.PublicKey.Verify (btcec,
// 145 µs here), measured in the same process just before each batch, by the
// batch's. Keys are distinct unless stated; "cached" means every key is
// already in the key cache.
//
//	signatures   distinct keys, cold cache   distinct keys, cached    64 senders, cached
//	per batch    CPU µs/sig   speedup        CPU µs/sig   speedup     CPU µs/sig   speedup
//	       1         53        2.86×             48        3.29×
//	       2         56        2.57×             51        2.85×
//	       4         49        2.96×             44        3.33×
//	       8         46        3.15×             40        3.62×
//	      16         42        3.45×             36        4.03×
//	      64         33        4.50×             27        5.50×
//	     256         27        5.43×             21        6.97×            15        9.89×
//	    1024         24        6.33×             18        8.20×            12       12.92×
//	    4096         22        6.79×             16        9.38×            10       14.44×
//
//	VerifyEach, one invalid among 64:     73 µs/sig, 2.06×
//	VerifyEach, one invalid among 1024:   44 µs/sig, 3.39×
//	VerifyEach, all 256 invalid:          102 µs/sig, 1.43× (the flood case: still cheaper than single verification)
//
// With btcec's field (before field.go; the same benchmarks on the same quiet
// machine, alternating, two runs each) a cached batch of 1024 cost 31.8 µs
// per signature, a cold one 42.3, 64 senders 20.6-21.1 at 1024 and 17.9 at
// 4096, a single signature in a batch 120.5: the faster field takes 44-60 %
// off every batch size. The 64-sender column for batches below 256 is
// omitted: there the sender count is close to the batch size.
//
// Where a batch's time goes (a 1024-signature batch with cached keys, with
// btcec's field): 30% lifting R (the square root, which no batching
// removes), 48% the affine bucket additions (field multiplications), the
// rest the bucket sums, GLV splits and scalar products; hashing and
// coefficients under 2%. A field multiplication cost about 48 ns with
// btcec's FieldVal and 20 ns with fp.Element here, a square root 10.4 µs
// against 5.1 µs.
//
// The table above was measured with gnark-crypto's fp.Element on
// 2026-12-04. On 2026-12-06 the same benchmarks of the same code ran 16-25 %
// slower (the machine's drift: a cached batch of 1,024 at 21.2 µs against
// 18), so the comparisons below are each made within one session, before
// and after alternating, three runs each, medians. With fe in Go: a batch
// of 1,024 by distinct cached keys 21.2 → 16.3 µs per signature, cold keys
// 27.9 → 21.8, 64 senders 13.5 → 9.9 (4,096: 11.8 → 8.5); batches of 2 to
// 256 14-19 % less (two runs each); one signature alone 59-65 → 64-72 µs,
// more: its field inversions are Fermat's (x^(p-2), 4.4 µs) where
// fp.Element called math/big's ModInverse. With fe's multiplication and
// square in assembly (fe_amd64.s, MULX and ADX; SCHNORRBATCH_FE=go against
// the default): cached 1,024 15.8 → 11.8, cold 20.3 → 15.0, 64 senders 9.8
// → 7.5 (4,096: 8.4 → 6.3), 16 cached 36.0 → 25.8, one signature 61.6 →
// 44.7 (cold 66.6 → 46.6). BenchmarkField, fp.Element / fe in Go / fe with
// the assembly: Mul 20.1 / 20.0 / 12.7 ns, Square 19.4 / 15.7 / 11.3 ns,
// Sqrt 5.2 / 4.3 / 3.2 µs, Inverse (math/big's) / 4.4 / 3.2 µs. Against
// btcec's single Verify in the same process (the benchmarks' speedup), with
// the assembly: 1,024 cold keys 9.6-9.9×, cached 12.6×, 64 senders 19-21×.
package schnorrbatch
