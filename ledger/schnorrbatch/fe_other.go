//go:build !amd64 || purego

package schnorrbatch

// Without the assembly (fe_amd64.s) Mul and Square are Go's everywhere.
var haveADX = false

func feMulADX(z, x, y *fe) { panic("schnorrbatch: feMulADX without the assembly") }

func feSquareADX(z, x *fe) { panic("schnorrbatch: feSquareADX without the assembly") }
