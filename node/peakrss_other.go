//go:build !linux

package node

// peakRSS is not measured on this platform (the gauge reads 0).
func peakRSS() float64 { return 0 }
