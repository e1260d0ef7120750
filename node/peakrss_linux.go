package node

import "syscall"

// peakRSS is the process's highest resident memory so far, in bytes
// (getrusage's maxrss, which Linux gives in KiB).
func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) * 1024
}
