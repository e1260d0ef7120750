#!/usr/bin/env bash
# GS1's epcis2.js against a live Qianchain gateway: builds qian, starts a
# devnet (four validators, the demo story) and the farm's gateway in front
# of it, then runs scripts/epcis-client/client.mjs, which captures
# documents with epcis2.js, follows the capture jobs, queries the events
# back, and captures each of GS1's example documents from
# ../shared/fixtures/epcis (when present) and prints what became of them.
#
# Needs node and npm (Node 20); the npm registry serves epcis2.js. Exits 0
# when every check passed. scripts/test.sh runs it; QIAN_SKIP_EPCIS_CLIENT=1
# skips it there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "epcis-gateway: $tool is not installed; cannot run the epcis2.js client" >&2
		exit 3
	fi
done

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/free-ports.sh
. scripts/free-ports.sh

echo "== build qian"
go build -o "$work/qian" ./cmd/qian

echo "== npm install (epcis2.js 2.7.3)"
(cd scripts/epcis-client && npm install --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) || {
	cat "$work/npm.log"
	exit 1
}

base=$(free_base)
node_http=$((base + 45)) # node0's HTTP; the devnet's libp2p ports are base..base+31
gw_http=$((base + 46))
echo "== devnet (node0 on 127.0.0.1:$node_http)"
QIAN_PASSPHRASE=qianchain-devnet "$work/qian" devnet --dir "$work/devnet" --http "127.0.0.1:$node_http" \
	--base-port "$base" >"$work/devnet.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
	grep -q "http://127.0.0.1:$node_http" "$work/devnet.log" 2>/dev/null && break
	if ! kill -0 "${pids[0]}" 2>/dev/null; then cat "$work/devnet.log"; exit 1; fi
	sleep 0.5
done
grep -q "http://127.0.0.1:$node_http" "$work/devnet.log" || { cat "$work/devnet.log"; echo "the devnet did not come up"; exit 1; }

echo "== gateway of the farm (127.0.0.1:$gw_http)"
api_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$api_key" >"$work/api-keys"
chmod 600 "$work/api-keys"
echo "qianchain-devnet" >"$work/pass"
chmod 600 "$work/pass"
"$work/qian" gateway --home "$work/gateway" --node "http://127.0.0.1:$node_http" --genesis "$work/devnet/genesis.json" \
	--keyring "$work/devnet/keys" --key farm --passphrase-file "$work/pass" --api-key-file "$work/api-keys" \
	--listen "127.0.0.1:$gw_http" --log-level warn >"$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
	grep -q "listening on" "$work/gateway.log" 2>/dev/null && break
	if ! kill -0 "${pids[1]}" 2>/dev/null; then cat "$work/gateway.log"; exit 1; fi
	sleep 0.2
done

echo "== epcis2.js client"
fixtures="$root/../shared/fixtures/epcis"
[ -d "$fixtures" ] || { echo "(../shared/fixtures/epcis not found: GS1's example documents are not captured)"; fixtures=""; }
status=0
GATEWAY="http://127.0.0.1:$gw_http" API_KEY="$api_key" FIXTURES="$fixtures" node scripts/epcis-client/client.mjs || status=$?
if [ "$status" -ne 0 ]; then
	echo "-- gateway log"; tail -n 40 "$work/gateway.log"
fi
exit "$status"
