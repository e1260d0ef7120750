//go:build unix

package contracts_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used. The
// benchmarks report it beside wall time because the machine is shared: a
// busy neighbour stretches wall time but not the CPU time a verification
// needs, which is what a validator's throughput ceiling depends on.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
