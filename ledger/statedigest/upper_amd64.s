#include "textflag.h"

// func vzeroupper()
TEXT ·vzeroupper(SB), NOSPLIT|NOFRAME, $0-0
	VZEROUPPER
	RET

// func xinuse() (inUse uint64, ok bool)
// XGETBV with ECX = 1: the state components not in their initial
// configuration (bit 2: the upper halves of YMM0-15; bit 6: the upper
// halves of ZMM0-15). ok is false where the CPU has no XGETBV with ECX = 1
// (CPUID leaf 0xD, sub-leaf 1, EAX bit 2); the caller has checked AVX, so
// XGETBV itself is enabled.
TEXT ·xinuse(SB), NOSPLIT|NOFRAME, $0-9
	MOVL $0xD, AX
	MOVL $1, CX
	CPUID
	BTL  $2, AX
	JCC  none
	MOVL $1, CX
	XGETBV
	SHLQ $32, DX
	ORQ  DX, AX
	MOVQ AX, inUse+0(FP)
	MOVB $1, ok+8(FP)
	RET
none:
	MOVQ $0, inUse+0(FP)
	MOVB $0, ok+8(FP)
	RET
