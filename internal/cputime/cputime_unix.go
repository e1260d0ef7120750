//go:build unix

// Package cputime reads the CPU time this process has used. Benchmarks
// report it beside wall time because the machine is shared: a busy
// neighbour stretches wall time but not the CPU time the work needs, which
// is what a validator's throughput ceiling depends on.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user + system) this process has used.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
