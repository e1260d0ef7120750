#!/usr/bin/env bash
# The gateway's measurements (docs/benchmarks.md, "The gateway"); not part
# of CI. Usage:
#   scripts/gateway-bench.sh capture            # events/s through the gateway and p50/p99 POST→committed:
#                                               # 4 validators and the gateway in one test process
#   scripts/gateway-bench.sh capture-processes  # the same against 4 `qian start` processes and a `qian gateway` process
#   scripts/gateway-bench.sh query              # index build time and GET /events p50/p99 on a 1,000,000-event chain
# Knobs: QIAN_BENCH_CLIENTS, QIAN_BENCH_DOCS, QIAN_BENCH_DOC_EVENTS (capture);
# QIAN_BENCH_EVENTS (query, default 1000000; needs ~2 GB of disk in $TMPDIR).
set -euo pipefail
cd "$(dirname "$0")/.."

run_test() {
	QIAN_GATEWAY_BENCH="$1" go test -count=1 -timeout 4h -run "^$2\$" -v ./node/gateway/ 2>&1 | grep -v 'WAL'
}

case "${1:-}" in
capture) run_test capture TestBenchCaptureThroughput ;;
query) run_test query TestBenchQueryLatency ;;
capture-processes)
	work=$(mktemp -d)
	pids=()
	cleanup() {
		for p in "${pids[@]:-}"; do kill -TERM "$p" 2>/dev/null || true; done
		wait 2>/dev/null || true
		rm -rf "$work"
	}
	trap cleanup EXIT
	export QIAN_PASSPHRASE=bench-passphrase
	go build -o "$work/qian" ./cmd/qian
	. scripts/free-ports.sh
	base=$(free_base)
	"$work/qian" testnet --validators 4 --observers 0 --out "$work/net" --base-port "$base" >/dev/null
	for i in 0 1 2 3; do
		"$work/qian" start --home "$work/net/node$i" >"$work/node$i.log" 2>&1 &
		pids+=($!)
	done
	node="http://127.0.0.1:$((base + 1))"
	for _ in $(seq 1 150); do
		"$work/qian" status --node "$node" 2>/dev/null | grep -q '^height: *[1-9]' && break
		sleep 0.2
	done
	"$work/qian" status --node "$node" 2>/dev/null | grep -q '^height: *[1-9]' || {
		tail -n 20 "$work"/node*.log
		echo "the testnet did not start" >&2
		exit 1
	}
	key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	echo "$key" >"$work/api-keys"
	chmod 600 "$work/api-keys"
	gw=127.0.0.1:$((base + 45))
	"$work/qian" gateway --home "$work/gateway" --node "$node" --genesis "$work/net/genesis.json" --keyring "$work/net/keys" \
		--key farm --api-key-file "$work/api-keys" --listen "$gw" --log-level warn >"$work/gateway.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		grep -q "listening on" "$work/gateway.log" 2>/dev/null && break
		sleep 0.2
	done
	QIAN_BENCH_GATEWAY="http://$gw" QIAN_BENCH_API_KEY="$key" run_test capture TestBenchCaptureThroughput
	;;
*) echo "usage: $0 capture|capture-processes|query" >&2; exit 2 ;;
esac
