#!/usr/bin/env bash
# The gateway's measurements (docs/benchmarks.md, "The gateway"); not part
# of CI. Usage:
#   scripts/gateway-bench.sh capture   # events/s through the gateway, p50/p99 POST→committed, 4 validators
#   scripts/gateway-bench.sh query     # index build time and GET /events p50/p99 on a 1,000,000-event chain
# Knobs: QIAN_BENCH_CLIENTS, QIAN_BENCH_DOCS, QIAN_BENCH_DOC_EVENTS (capture);
# QIAN_BENCH_EVENTS (query, default 1000000; needs ~5 GB of disk in $TMPDIR).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
capture) run=TestBenchCaptureThroughput ;;
query) run=TestBenchQueryLatency ;;
*) echo "usage: $0 capture|query" >&2; exit 2 ;;
esac
QIAN_GATEWAY_BENCH="$1" go test -count=1 -timeout 4h -run "^$run\$" -v ./node/gateway/ 2>&1 | grep -v 'WAL'
