package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/qianchain/qianchain/internal/cputime"
)

// BenchmarkSimulation runs the simulator on a healthy network (latency 5 to
// 105 ms, no loss, no faults) with 4 to 64 validators of equal power, and
// reports per decided height: point-to-point messages and bytes, virtual
// rounds, and the process CPU time it took to simulate the whole network
// (signing, verification with the simulator's verification cache, WAL and
// signer writes to the in-memory file system, encoding). One iteration is
// one run of 5 heights.
//
//	go test ./consensus/sim -run '^$' -bench Simulation -benchtime 3x
func BenchmarkSimulation(b *testing.B) {
	clean, _ := MixByName("clean")
	no := false
	for _, n := range []int{4, 7, 16, 31, 64} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			var heights, msgs, bytes, rounds, misses, requests int
			var virtual time.Duration
			start := cputime.Process()
			for i := 0; i < b.N; i++ {
				r := Run(Options{Seed: uint64(i + 1), Validators: n, Heights: 5, Mix: &clean, Weighted: &no})
				if !r.OK() {
					b.Fatalf("seed %d: %v", i+1, r.Violations)
				}
				heights += r.Heights
				msgs += r.Messages
				bytes += r.Bytes
				rounds += r.Rounds
				virtual += r.VirtualTime
				misses += r.VerifyMisses
				requests += r.VerifyRequests
			}
			cpu := cputime.Process() - start
			h := float64(heights)
			b.ReportMetric(float64(msgs)/h, "msgs/height")
			b.ReportMetric(float64(bytes)/h, "bytes/height")
			b.ReportMetric(float64(rounds)/h, "rounds/height")
			b.ReportMetric(float64(cpu.Microseconds())/1000/h, "cpu-ms/height")
			b.ReportMetric(float64(virtual.Milliseconds())/h, "virtual-ms/height")
			b.ReportMetric(float64(requests)/h, "sigchecks/height")
			b.ReportMetric(float64(misses)/h, "unique-sigchecks/height")
		})
	}
}
