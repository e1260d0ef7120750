//go:build !purego

#include "textflag.h"

// FOLD_AND_STORE reduces the 512-bit t0 (CX), t1…t7 (R8…R14) mod p into
// *z: r = t0…t3 + (t4…t7)·c with c = 2^32 + 977 (the low halves of the
// products on CF, the high halves one limb up on OF, the top limb r4, below
// 2^34, in R14); then r += r4·c (below 2^67), its carry out kept in BX as
// all ones; then once more below p: r + c carries out exactly when r ≥ p,
// and r + c (which is r - p mod 2^256) is taken then or when the fold
// carried out. Clobbers AX, BX, CX, DX, R8…R14 and the flags.
#define FOLD_AND_STORE \
	MOVQ  $0x1000003D1, DX; \
	XORQ  AX, AX; \
	MULXQ R11, AX, R11; \
	ADCXQ AX, CX; \
	MULXQ R12, AX, R12; \
	ADCXQ AX, R8; \
	ADOXQ R11, R8; \
	MULXQ R13, AX, R13; \
	ADCXQ AX, R9; \
	ADOXQ R12, R9; \
	MULXQ R14, AX, R14; \
	ADCXQ AX, R10; \
	ADOXQ R13, R10; \
	MOVQ  $0, AX; \
	ADCXQ AX, R14; \
	ADOXQ AX, R14; \
	MULXQ R14, AX, BX; \
	ADDQ  AX, CX; \
	ADCQ  BX, R8; \
	ADCQ  $0, R9; \
	ADCQ  $0, R10; \
	SBBQ  BX, BX; \
	MOVQ CX, R11; \
	MOVQ R8, R12; \
	MOVQ R9, R13; \
	MOVQ R10, R14; \
	ADDQ DX, R11; \
	ADCQ $0, R12; \
	ADCQ $0, R13; \
	ADCQ $0, R14; \
	SBBQ AX, AX; \
	ORQ  AX, BX; \
	TESTQ BX, BX; \
	CMOVQNE R11, CX; \
	CMOVQNE R12, R8; \
	CMOVQNE R13, R9; \
	CMOVQNE R14, R10; \
	MOVQ z+0(FP), AX; \
	MOVQ CX, 0(AX); \
	MOVQ R8, 8(AX); \
	MOVQ R9, 16(AX); \
	MOVQ R10, 24(AX)

// MUL_ROW adds x_i·y (x_i at off(SI), y at DI) into the product's limbs
// a…e, e being a fresh limb: the low halves on CF (ADCX), the high halves
// one limb up on OF (ADOX). Neither chain can carry out of e: the row's sum
// fits five limbs. Clobbers AX, BX, DX.
#define MUL_ROW(off, a, b, c, d, e) \
	MOVQ  off(SI), DX; \
	XORQ  e, e; \
	MULXQ 0(DI), AX, BX; \
	ADCXQ AX, a; \
	ADOXQ BX, b; \
	MULXQ 8(DI), AX, BX; \
	ADCXQ AX, b; \
	ADOXQ BX, c; \
	MULXQ 16(DI), AX, BX; \
	ADCXQ AX, c; \
	ADOXQ BX, d; \
	MULXQ 24(DI), AX, BX; \
	ADCXQ AX, d; \
	ADOXQ BX, e; \
	MOVQ  $0, AX; \
	ADCXQ AX, e

// func feMulADX(z, x, y *fe)
//
// z = x·y mod p with MULX (BMI2) and two independent carry chains, ADCX on
// CF and ADOX on OF (ADX): the 512-bit product row by row, then
// FOLD_AND_STORE (fe.go's fold). Limbs of the product: t0 in CX, t1…t7 in
// R8…R14 (an ABI0 function may use R14: every call from Go into ABI0
// reloads g into R14 after it, abi-internal.md).
TEXT ·feMulADX(SB), NOSPLIT, $0-24
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI

	// Row 0: t0…t4 = x0·y.
	MOVQ  0(SI), DX
	XORQ  AX, AX
	MULXQ 0(DI), CX, R8
	MULXQ 8(DI), AX, R9
	ADCXQ AX, R8
	MULXQ 16(DI), AX, R10
	ADCXQ AX, R9
	MULXQ 24(DI), AX, R11
	ADCXQ AX, R10
	MOVQ  $0, AX
	ADCXQ AX, R11

	// Rows 1 to 3: t_i…t_(i+4) += x_i·y.
	MUL_ROW(8, R8, R9, R10, R11, R12)
	MUL_ROW(16, R9, R10, R11, R12, R13)
	MUL_ROW(24, R10, R11, R12, R13, R14)

	FOLD_AND_STORE
	RET

// func feSquareADX(z, x *fe)
//
// z = x² mod p: the six cross products x_i·x_j (i < j) once, doubled, plus
// the four squares, then FOLD_AND_STORE: ten MULX against Mul's sixteen.
TEXT ·feSquareADX(SB), NOSPLIT, $0-16
	MOVQ x+8(FP), SI

	// x0·(x1, x2, x3) at t1…t4.
	MOVQ  0(SI), DX
	XORQ  AX, AX
	MULXQ 8(SI), R8, R9
	MULXQ 16(SI), AX, R10
	ADCXQ AX, R9
	MULXQ 24(SI), AX, R11
	ADCXQ AX, R10
	MOVQ  $0, AX
	ADCXQ AX, R11

	// x1·(x2, x3) at t3…t5.
	MOVQ  8(SI), DX
	XORQ  R12, R12
	MULXQ 16(SI), AX, BX
	ADCXQ AX, R10
	ADOXQ BX, R11
	MULXQ 24(SI), AX, BX
	ADCXQ AX, R11
	ADOXQ BX, R12
	MOVQ  $0, AX
	ADCXQ AX, R12

	// x2·x3 at t5…t6.
	MOVQ  16(SI), DX
	XORQ  R13, R13
	MULXQ 24(SI), AX, BX
	ADCXQ AX, R12
	ADOXQ BX, R13
	MOVQ  $0, AX
	ADCXQ AX, R13

	// Doubled, the top bit into t7.
	XORQ R14, R14
	ADDQ R8, R8
	ADCQ R9, R9
	ADCQ R10, R10
	ADCQ R11, R11
	ADCQ R12, R12
	ADCQ R13, R13
	ADCQ $0, R14

	// Plus x_i² at t(2i), t(2i+1); MOVQ and MULX leave the carry alone.
	MOVQ  0(SI), DX
	MULXQ DX, CX, AX
	ADDQ  AX, R8
	MOVQ  8(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R9
	ADCQ  BX, R10
	MOVQ  16(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R11
	ADCQ  BX, R12
	MOVQ  24(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R13
	ADCQ  BX, R14

	FOLD_AND_STORE
	RET
