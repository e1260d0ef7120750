#!/usr/bin/env bash
# Reproduce the throughput figures of docs/benchmarks.md from scratch: build qian, write a fresh
# 4-validator testnet, run each validator as its own process on 127.0.0.1, offer load at each rate,
# then as fast as the nodes admit it, and draw the chart; then the same at --max for one validator.
#
#   scripts/bench.sh [--duration 60s] [--rates "500 1000 2000 3000 3500 4000"] [--kind mixed] [--out DIR]
#                    [--stages "target sweep single"] [--repeat 3]
#
# Stages: target = 3,000 tx/s on a fresh 4-validator network (the issue's target); sweep = every
# rate one after another on one network, which by the 3,000 tx/s run already holds ~270,000
# transactions from the earlier rates, then --max; single = --max on one validator.
#
# Headroom stages (issue 14; each run --repeat times, every run on a fresh network, then a table of
# the median and worst of each target in DIR/headroom.md, from qian bench table):
#   h4000    4,000 tx/s offered for 5 minutes, 50 per request; then the store of node0 compacted and
#            measured by table (qian bench disk --compact: disk bytes per committed transaction)
#   h3000    3,000 tx/s offered for 10 minutes, 50 per request
#   hsingle  3,000 tx/s offered for 60 s, one transaction per request (64 workers per node)
#   h1v      one validator, as fast as committed (at most 6,000 in flight), 50 per request, 60 s
# The one-validator runs keep 6,000 in flight: the mempool's 4,000 (mempool.max_txs) and 2,000 more to
# refill it as each block commits. More only circle through the validator's API as batches it refuses
# (ERR_MEMPOOL_FULL) and the bench offers again, at the validator's and the bench's cost on the same cores.
#   headroom all four; sidebyside runs scripts/cometbft-bench.sh --runs REPEAT (CometBFT v0.38.25)
# An explicit --duration replaces each headroom and side-by-side run's own duration (a quick check that
# every stage works end to end: --stages "headroom sidebyside sweep" --repeat 1 --duration 10s).
# Every summary carries each validator's CPU µs per committed transaction, idle and peak RSS and disk.
# The figures of issue 14 and the redrawn chart, on a quiet machine (about two hours):
#   scripts/bench.sh --stages "headroom sidebyside sweep" --repeat 3 --out DIR
#
# The rate runs submit in requests of 50 transactions (POST /v1/txs/batch, as a co-op's or exchange's
# gateway would); one more run at 1,000 tx/s submits each transaction on its own request.
#
# Summaries (qian bench --json) go to DIR (default ./bench-results), the chart to DIR/throughput.svg.
# Copy the chart to docs/benchmarks-throughput.svg to update the docs.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=60s
rates="500 1000 2000 3000 3500 4000"
kind=mixed
out=./bench-results
stages="target sweep single"
repeat=3
quick=""
while [ $# -gt 0 ]; do
	case "$1" in
	--repeat) repeat=$2; shift 2 ;;
	--duration) duration=$2; quick=$2; shift 2 ;;
	--rates) rates=$2; shift 2 ;;
	--kind) kind=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--stages) stages=$2; shift 2 ;;
	*) sed -n '2,31p' "$0"; exit 2 ;;
	esac
done

export QIAN_PASSPHRASE=bench-passphrase
bin=$(mktemp -d)/qian
go build -o "$bin" ./cmd/qian
work=$(mktemp -d)
mkdir -p "$out"
pids=()
cleanup() {
	for p in "${pids[@]:-}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# shellcheck source=scripts/free-ports.sh
. scripts/free-ports.sh

# network N: write and start an N-validator testnet on a free range of ports (so that a network some
# earlier run left behind is never the one measured); sets urls.
network() {
	local n=$1 base dir=$work/net$1
	base=$(free_base $((10 * n > 50 ? 10 * n : 50)))
	"$bin" testnet --validators "$n" --observers 0 --out "$dir" --base-port "$base" >/dev/null
	urls=""
	for i in $(seq 0 $((n - 1))); do
		"$bin" start --home "$dir/node$i" >"$dir/node$i/node.log" 2>&1 &
		pids+=($!)
		urls="${urls:+$urls,}http://127.0.0.1:$((base + 10 * i + 1))"
	done
	# Wait for the first blocks.
	for _ in $(seq 1 100); do
		if "$bin" status --node "http://127.0.0.1:$((base + 1))" 2>/dev/null | grep -q '^height: *[1-9]'; then
			return
		fi
		sleep 0.2
	done
	echo "the network did not start; see $dir/node*/node.log" >&2
	exit 1
}

stop_network() {
	cleanup
	pids=()
}

common=(--duration "$duration" --kind "$kind" --accounts 64)
# old_stage: the stages before issue 14 run when named. stage: a headroom stage runs when named or
# when "headroom" is (sidebyside only when named).
old_stage() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
stage() { old_stage "$1" || { [ "$1" != sidebyside ] && old_stage headroom; }; }

# datadirs N: the data directories of network N's nodes, comma-separated.
datadirs() {
	local d=""
	for i in $(seq 0 $(($1 - 1))); do d="${d:+$d,}$work/net$1/node$i/data"; done
	echo "$d"
}

# headroom TARGET LABEL VALIDATORS BENCH-ARGS...: the target's runs, each on a fresh network.
headroom_runs() {
	local t=$1 label=$2 n=$3
	shift 3
	for r in $(seq 1 "$repeat"); do
		echo "== $t, run $r of $repeat: $label"
		network "$n"
		"$bin" bench --nodes "$urls" --keyring "$work/net$n/keys" --kind "$kind" --accounts 64 \
			--data-dirs "$(datadirs "$n")" --label "$label" --json "$out/$t-$r.json" "$@" ${quick:+--duration "$quick"}
		stop_network
		if [ "$t" = h4000 ]; then
			"$bin" bench disk --home "$work/net$n/node0" --compact --json "$out/disk-$t-$r.json"
		fi
		rm -rf "$work/net$n"
		sleep 5
	done
}

if old_stage target; then
	echo "== target: 3,000 tx/s on a fresh 4-validator network"
	network 4
	"$bin" bench --nodes "$urls" --keyring "$work/net4/keys" --rate 3000 "${common[@]}" --batch 50 \
		--json "$out/fresh-4v-rate-3000.json"
	stop_network
	mv "$work/net4" "$work/net4-target" # keep its logs
fi

if old_stage sweep; then
	echo "== 4 validators, separate processes"
	network 4
	echo "-- offered 1000 tx/s, one transaction per request, for $duration"
	"$bin" bench --nodes "$urls" --keyring "$work/net4/keys" --rate 1000 "${common[@]}" --workers 64 \
		--json "$out/single-4v-rate-1000.json"
	sleep 5
	for r in $rates; do
		echo "-- offered $r tx/s, 50 per request, for $duration"
		"$bin" bench --nodes "$urls" --keyring "$work/net4/keys" --rate "$r" "${common[@]}" --batch 50 \
			--json "$out/4v-rate-$r.json"
		sleep 5
	done
	echo "-- as fast as committed (at most 4,000 in flight), 50 per request, for $duration"
	"$bin" bench --nodes "$urls" --keyring "$work/net4/keys" --max "${common[@]}" --batch 50 --json "$out/4v-max.json"
	stop_network
	mv "$work/net4" "$work/net4-sweep" # keep its logs; the headroom stages make their own net4
fi

if old_stage single; then
	echo "== 1 validator"
	network 1
	"$bin" bench --nodes "$urls" --keyring "$work/net1/keys" --max "${common[@]}" --batch 50 --inflight 6000 \
		--json "$out/1v-max.json"
	stop_network
	mv "$work/net1" "$work/net1-single"
fi

if stage h4000; then
	headroom_runs h4000 "4,000 tx/s offered, 50 per request, 5 min" 4 --rate 4000 --batch 50 --duration 5m
fi
if stage h3000; then
	headroom_runs h3000 "3,000 tx/s offered, 50 per request, 10 min" 4 --rate 3000 --batch 50 --duration 10m
fi
if stage hsingle; then
	headroom_runs hsingle "3,000 tx/s offered, 1 per request, 60 s" 4 --rate 3000 --batch 1 --workers 64 --duration 60s
fi
if stage h1v; then
	headroom_runs h1v "1 validator, max, 50 per request, 60 s" 1 --max --batch 50 --inflight 6000 --duration 60s
fi
if ls "$out"/h*-[0-9]*.json >/dev/null 2>&1; then
	"$bin" bench table "$out"/h*-[0-9]*.json | tee "$out/headroom.md"
fi
if stage sidebyside; then
	scripts/cometbft-bench.sh --runs "$repeat" --out "$out/side-by-side" ${quick:+--duration "$quick"}
fi

if old_stage sweep; then
	"$bin" bench chart "$out"/4v-*.json -o "$out/throughput.svg" \
		--title "4 validators on this machine: offered load, committed throughput, p99 latency"
fi
echo "summaries and chart in $out"
