#!/usr/bin/env bash
# Alternating A/B runs, how docs/benchmarks.md (Headroom) compares two versions of the code or two
# settings on this shared, noisy machine: each run on a fresh 4-validator network of separate processes
# on 127.0.0.1, A then B, --rounds times, so that the machine's drift falls on both sides alike.
#
#   scripts/bench-pair.sh --a REV|BIN [--b REV|BIN] [--a-env "K=V ..."] [--b-env "K=V ..."]
#                         [--rounds 2] [--validators 4] [--profile-at "200"] [--profile-secs 45]
#                         [--out DIR] [-- qian bench args]
#
# REV is a git revision (built from `git archive` of it), BIN a qian binary; --b defaults to --a, and
# then the environments are what differs. An environment is given to every validator: QIAN_ and a
# config key, upper-case, dots as underscores (--b-env "QIAN_MEMPOOL_RELAY_RESERVE=0"). The bench
# arguments default to the headroom run of 4,000 tx/s offered in requests of 50 for 5 minutes
# (--rate 4000 --batch 50 --duration 5m); --kind mixed --accounts 64 are always given.
# --profile-at lists seconds after the load starts at which node1's CPU is profiled for --profile-secs
# (and its allocations so far are saved): DIR/A1/cpu-200.pprof, allocs-200.pprof (pprof is turned on
# in every validator of every run, profiled or not, so that both sides run alike), and the bench's own CPU
# over its whole load goes to DIR/<run>/bench-cpu.pprof.
#
# Each run prints one line (committed, latency, CPU µs per transaction of each validator, blocks); its
# summary goes to DIR/A1.json, B1.json, ..., its bench output and node logs to DIR/A1/; the median and
# worst of each side (qian bench table) to DIR/table.md. Run nothing else meanwhile: two cores.
set -euo pipefail
shopt -s inherit_errexit
repo=$(cd "$(dirname "$0")/.." && pwd)

a="" b="" aenv="" benv="" rounds=2 validators=4 profile_at="" profile_secs=45
out=./bench-results/pair
while [ $# -gt 0 ]; do
	case "$1" in
	--a) a=$2; shift 2 ;;
	--b) b=$2; shift 2 ;;
	--a-env) aenv=$2; shift 2 ;;
	--b-env) benv=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--validators) validators=$2; shift 2 ;;
	--profile-at) profile_at=$2; shift 2 ;;
	--profile-secs) profile_secs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--) shift; break ;;
	*) sed -n '2,21p' "$0"; exit 2 ;;
	esac
done
if [ -z "$a" ]; then
	sed -n '2,21p' "$0"
	exit 2
fi
b=${b:-$a}
bench_args=("$@")
if [ ${#bench_args[@]} -eq 0 ]; then
	bench_args=(--rate 4000 --batch 50 --duration 5m)
fi

export QIAN_PASSPHRASE=bench-passphrase
tmp=$(mktemp -d)
mkdir -p "$out"
pids=()
bp=""
stop_network() {
	for p in "${pids[@]:-}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}
trap '[ -n "$bp" ] && kill -TERM "$bp" 2>/dev/null; stop_network; rm -rf "$tmp"' EXIT

# binary SIDE REV|BIN: the path of that side's qian.
binary() {
	if [ -x "$2" ] && [ -f "$2" ]; then
		realpath "$2"
		return
	fi
	local src=$tmp/src-$1
	mkdir -p "$src"
	git -C "$repo" archive "$2" | tar -x -C "$src"
	(cd "$src" && go build -o "$tmp/qian-$1" ./cmd/qian) >&2
	echo "$tmp/qian-$1"
}
echo "== building A ($a) and B ($b)"
bin_a=$(binary a "$a") || exit 1
if [ "$b" = "$a" ]; then bin_b=$bin_a; else bin_b=$(binary b "$b") || exit 1; fi

# shellcheck source=scripts/free-ports.sh
. "$repo/scripts/free-ports.sh"

# run NAME BIN ENV: one run on a fresh network.
run() {
	local name=$1 bin=$2 env=$3 dir=$out/$1 net base urls="" dd="" t0
	rm -rf "$dir" "$out/$name.json"
	mkdir -p "$dir"
	net=$(mktemp -d "$tmp/net.XXXX")
	base=$(free_base $((10 * validators > 50 ? 10 * validators : 50)))
	"$bin" testnet --validators "$validators" --observers 0 --out "$net" --base-port "$base" >/dev/null
	for i in $(seq 0 $((validators - 1))); do
		# shellcheck disable=SC2086 # env is a list of K=V words
		env QIAN_HTTP_PPROF=true $env "$bin" start --home "$net/node$i" >"$net/node$i/node.log" 2>&1 &
		pids+=($!)
		urls="${urls:+$urls,}http://127.0.0.1:$((base + 10 * i + 1))"
		dd="${dd:+$dd,}$net/node$i/data"
	done
	for _ in $(seq 1 100); do
		"$bin" status --node "http://127.0.0.1:$((base + 1))" 2>/dev/null | grep -q '^height: *[1-9]' && break
		sleep 0.2
	done
	local own=()
	# With profiles, the bench's own CPU too (binaries older than its
	# --cpuprofile run without it). The help is read whole: grep -q leaving
	# early would kill qian with SIGPIPE, which pipefail reports as the flag
	# missing.
	if [ -n "$profile_at" ] && [[ $("$bin" bench --help 2>&1 || true) == *--cpuprofile* ]]; then
		own=(--cpuprofile "$dir/bench-cpu.pprof")
	fi
	"$bin" bench --nodes "$urls" --keyring "$net/keys" --kind mixed --accounts 64 --data-dirs "$dd" \
		--label "${name:0:1}" --json "$out/$name.json" ${own[@]+"${own[@]}"} "${bench_args[@]}" >"$dir/bench.log" 2>&1 &
	bp=$!
	if [ -n "$profile_at" ]; then
		local node=$(( validators > 1 ? 1 : 0 ))
		# The load starts once the bench has seen the network settle.
		until grep -q 'settle\.\.\. height' "$dir/bench.log" 2>/dev/null || ! kill -0 "$bp" 2>/dev/null; do sleep 1; done
		t0=$(date +%s)
		for at in $profile_at; do
			while [ $(($(date +%s) - t0)) -lt "$at" ] && kill -0 "$bp" 2>/dev/null; do sleep 1; done
			kill -0 "$bp" 2>/dev/null || break
			curl -s "http://127.0.0.1:$((base + 10 * node + 1))/debug/pprof/profile?seconds=$profile_secs" >"$dir/cpu-$at.pprof" || true
			curl -s "http://127.0.0.1:$((base + 10 * node + 1))/debug/pprof/allocs" >"$dir/allocs-$at.pprof" || true
		done
	fi
	wait "$bp" || echo "   the bench of $name failed: $dir/bench.log" >&2
	bp=""
	stop_network
	for i in $(seq 0 $((validators - 1))); do cp "$net/node$i/node.log" "$dir/node$i.log" 2>/dev/null || true; done
	rm -rf "$net"
	echo "$name: $(grep -E '^committed|^latency' "$dir/bench.log" | tr -s ' ' | tr '\n' ' ')| µs/tx $(grep -E '^node [0-9]' "$dir/bench.log" | sed -E 's/.*CPU ([0-9]+) µs.*/\1/' | tr '\n' ' ')| $(grep -E '^blocks' "$dir/bench.log" | tr -s ' ')"
	sleep 5
}

summaries=()
for r in $(seq 1 "$rounds"); do
	run "A$r" "$bin_a" "$aenv"
	run "B$r" "$bin_b" "$benv"
	for s in "$out/A$r.json" "$out/B$r.json"; do
		if [ -f "$s" ]; then summaries+=("$s"); fi
	done
done
if [ ${#summaries[@]} -eq 0 ]; then
	echo "no run produced a summary" >&2
	exit 1
fi
"$bin_a" bench table "${summaries[@]}" >"$out/table.md"
echo "== A: $a${aenv:+ ($aenv)}; B: $b${benv:+ ($benv)}; median and worst in $out/table.md"
cat "$out/table.md"
