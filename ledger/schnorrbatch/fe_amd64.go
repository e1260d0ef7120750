//go:build !purego

package schnorrbatch

import "golang.org/x/sys/cpu"

// feMulADX and feSquareADX are Mul and Square in assembly (fe_amd64.s) for
// processors with BMI2's MULX and ADX's two carry flags: Intel's since
// Broadwell (2014), AMD's since Zen (2017), not some low-end parts — hence
// the check at run time.
//
//go:noescape
func feMulADX(z, x, y *fe)

//go:noescape
func feSquareADX(z, x *fe)

// haveADX says whether this processor runs feMulADX. A variable, so that
// the tests run both implementations.
var haveADX = cpu.X86.HasADX && cpu.X86.HasBMI2
