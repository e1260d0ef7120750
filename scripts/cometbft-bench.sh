#!/usr/bin/env bash
# Side by side with CometBFT (docs/benchmarks.md, "Side by side with CometBFT"): on this machine, in
# alternating runs on fresh 4-node networks of separate processes on 127.0.0.1, for --duration each:
#
#   cometbft-default  CometBFT v0.38.25, built-in kvstore, its default config (timeout_commit 1s)
#   cometbft-fast     the same with timeout_commit = 0s
#   qian-single       Qianchain, signed transactions, one per request
#   qian-batch        Qianchain, signed transactions, 50 per request (a gateway)
#
# Every target is loaded as fast as it takes the load by 16 workers per node (closed loop, HTTP/1.1
# keep-alive): CometBFT with 300-byte unsigned kvstore transactions, one per broadcast_tx_sync request
# (scripts/cometload), Qianchain with qian bench --max. Both measure the same way: committed tx/s from the
# blocks, latency from the request to the first node's block holding it (polled every 10 ms), CPU
# seconds per committed transaction and peak RSS of every node process, disk per transaction (the
# nodes' whole data directories). Each round runs the targets in turn; the table is the median and worst
# of the rounds.
#
#   scripts/cometbft-bench.sh [--duration 60s] [--runs 3] [--targets "cometbft-default cometbft-fast qian-single qian-batch"] [--out DIR]
#
# CometBFT is a benchmark tool here: installed with `go install` into GOPATH/bin (never a dependency of
# this module). Summaries go to DIR (default ./bench-results/side-by-side), the table to DIR/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."

comet_version=v0.38.25
duration=60s
runs=3
targets="cometbft-default cometbft-fast qian-single qian-batch"
out=./bench-results/side-by-side
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) sed -n '2,21p' "$0"; exit 2 ;;
	esac
done

comet=$(go env GOPATH)/bin/cometbft
if ! [ -x "$comet" ] || [ "$("$comet" version 2>/dev/null)" != "${comet_version#v}" ]; then
	echo "== installing CometBFT $comet_version (go install; a benchmark tool, not a dependency)"
	go install "github.com/cometbft/cometbft/cmd/cometbft@$comet_version"
fi
export QIAN_PASSPHRASE=bench-passphrase
bin=$(mktemp -d)/qian
go build -o "$bin" ./cmd/qian
load=$(dirname "$bin")/cometload
go build -o "$load" ./scripts/cometload
work=$(mktemp -d)
mkdir -p "$out"
pids=()
cleanup() {
	for p in "${pids[@]:-}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}
trap cleanup EXIT

base=38656

# comet_network DIR TIMEOUT_COMMIT: a 4-validator CometBFT testnet on 127.0.0.1 running kvstore; sets
# urls, dirs and the pids of the node processes.
comet_network() {
	local dir=$1 tc=$2
	"$comet" testnet --v 4 --o "$dir" --starting-ip-address 127.0.0.1 >/dev/null
	local peers=""
	for i in 0 1 2 3; do
		peers="${peers:+$peers,}$("$comet" show-node-id --home "$dir/node$i")@127.0.0.1:$((base + 10 * i))"
	done
	urls="" dirs=""
	for i in 0 1 2 3; do
		local c=$dir/node$i/config/config.toml
		# One laddr per section: [rpc] comes before [p2p] in the file.
		awk -v rpc="tcp://127.0.0.1:$((base + 10 * i + 1))" -v p2p="tcp://127.0.0.1:$((base + 10 * i))" '
			/^\[rpc\]/ { s = "rpc" } /^\[p2p\]/ { s = "p2p" } /^\[/ && !/^\[(rpc|p2p)\]/ { s = "" }
			/^laddr = / && s == "rpc" { print "laddr = \"" rpc "\""; next }
			/^laddr = / && s == "p2p" { print "laddr = \"" p2p "\""; next }
			{ print }' "$c" >"$c.new" && mv "$c.new" "$c"
		sed -i -e "s|^persistent_peers = .*|persistent_peers = \"$peers\"|" \
			-e 's|^allow_duplicate_ip = .*|allow_duplicate_ip = true|' \
			-e 's|^addr_book_strict = .*|addr_book_strict = false|' \
			-e "s|^timeout_commit = .*|timeout_commit = \"$tc\"|" "$c"
		"$comet" start --home "$dir/node$i" --proxy_app=kvstore >"$dir/node$i/node.log" 2>&1 &
		pids+=($!)
		urls="${urls:+$urls,}http://127.0.0.1:$((base + 10 * i + 1))"
		dirs="${dirs:+$dirs,}$dir/node$i/data"
	done
	for _ in $(seq 1 150); do
		h=$(curl -s "http://127.0.0.1:$((base + 1))/status" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
		if [ "${h:-0}" -ge 2 ]; then return; fi
		sleep 0.2
	done
	echo "the CometBFT network did not start; see $dir/node*/node.log" >&2
	exit 1
}

# qian_network DIR: a 4-validator Qianchain testnet; sets urls, dirs and pids.
qian_network() {
	local dir=$1
	"$bin" testnet --validators 4 --observers 0 --out "$dir" --base-port "$base" >/dev/null
	urls="" dirs=""
	for i in 0 1 2 3; do
		"$bin" start --home "$dir/node$i" >"$dir/node$i/node.log" 2>&1 &
		pids+=($!)
		urls="${urls:+$urls,}http://127.0.0.1:$((base + 10 * i + 1))"
		dirs="${dirs:+$dirs,}$dir/node$i/data"
	done
	for _ in $(seq 1 150); do
		if "$bin" status --node "http://127.0.0.1:$((base + 1))" 2>/dev/null | grep -q '^height: *[1-9]'; then return; fi
		sleep 0.2
	done
	echo "the Qianchain network did not start; see $dir/node*/node.log" >&2
	exit 1
}

for r in $(seq 1 "$runs"); do
	for t in $targets; do
		dir=$work/$t-$r
		echo "== round $r: $t"
		case $t in
		cometbft-default | cometbft-fast)
			tc=1s label="CometBFT ${comet_version} kvstore, default config (timeout_commit 1s), 1 per request"
			if [ "$t" = cometbft-fast ]; then
				tc=0s label="CometBFT ${comet_version} kvstore, timeout_commit 0s, 1 per request"
			fi
			comet_network "$dir" "$tc"
			"$load" --nodes "$urls" --pids "$(
				IFS=,
				echo "${pids[*]}"
			)" --data-dirs "$dirs" --duration "$duration" --workers 16 --size 300 \
				--label "$label" --json "$out/$t-$r.json"
			;;
		qian-single | qian-batch)
			batch=1 label="Qianchain, signed, 1 per request"
			if [ "$t" = qian-batch ]; then
				batch=50 label="Qianchain, signed, 50 per request"
			fi
			qian_network "$dir"
			"$bin" bench --nodes "$urls" --keyring "$dir/keys" --max --batch "$batch" --workers 16 \
				--duration "$duration" --kind mixed --accounts 64 --data-dirs "$dirs" \
				--label "$label" --json "$out/$t-$r.json"
			;;
		*)
			echo "unknown target $t" >&2
			exit 2
			;;
		esac
		cleanup
		rm -rf "$dir"
		sleep 5
	done
done
"$bin" bench table "$out"/*.json | tee "$out/table.md"
echo "summaries and table in $out"
