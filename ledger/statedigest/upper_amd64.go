package statedigest

import "golang.org/x/sys/cpu"

// BLAKE3's AVX-512 code (lukechampine.com/blake3 runs it for every
// expansion on a CPU that has AVX-512) returns without VZEROUPPER, leaving
// the upper halves of the vector registers dirty. Until something clears
// them, the SSE instructions the thread runs next pay for it: Go's compiled
// code copies and zeroes memory with SSE, and crypto/sha256 hashes with
// SHA-NI, which is SSE too. On the machine the benchmarks run on, a
// SHA-256 of 500 bytes took 60-100 µs right after an expansion instead of
// 0.35 µs (BenchmarkSHA256AfterExpand), and the executor hashes every
// write of a block for the app hash right after the state digest has
// expanded them (docs/benchmarks.md, Headroom). So expand clears the upper
// state before it returns.

// vzeroupper zeroes bits 128 and above of the vector registers 0-15, the
// state SSE instructions would otherwise have to merge with. It touches no
// memory and no general-purpose register; Go's ABI keeps nothing there
// across calls (X15, which it keeps zero, stays zero).
func vzeroupper()

// xinuse reports which register state components are in use (XGETBV with
// ECX = 1), or ok false where the CPU cannot tell. For tests: expand must
// leave the upper halves clean.
func xinuse() (inUse uint64, ok bool)

// upperDirty reports whether the upper halves of the vector registers hold
// anything (XINUSE bits 2 and 6), as far as this CPU can tell.
func upperDirty() (dirty, known bool) {
	if !hasAVX {
		return false, true
	}
	in, ok := xinuse()
	return in&(1<<2|1<<6) != 0, ok
}

// hasAVX is whether VZEROUPPER exists here (and BLAKE3's vector code runs
// only where it does).
var hasAVX = cpu.X86.HasAVX

// cleanUpperState leaves the vector registers' upper state clean.
func cleanUpperState() {
	if hasAVX {
		vzeroupper()
	}
}
