//go:build !unix

package bench

// ownCPU is not measured on this platform.
func ownCPU() float64 { return 0 }
