#!/usr/bin/env bash
# Run a local Qianchain network as separate processes on 127.0.0.1.
#
#   scripts/testnet.sh start [N]   build qian, write a testnet of N validators (default 4) and one
#                                  observer into $QIAN_TESTNET_DIR (default ./testnet) if none is
#                                  there, and start every node in the background
#   scripts/testnet.sh stop        stop every node (SIGTERM, then SIGKILL after 10 s)
#   scripts/testnet.sh status      print each node's status
#   scripts/testnet.sh kill NODE   SIGKILL one node (e.g. node2), to try crash recovery
#   scripts/testnet.sh restart NODE
#
# Logs go to DIR/NODE/node.log, process ids to DIR/NODE/node.pid. The demo keyring in DIR/keys is
# encrypted with $QIAN_PASSPHRASE (default "demo-passphrase").
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${QIAN_TESTNET_DIR:-./testnet}
BIN=${QIAN_BIN:-./bin/qian}
export QIAN_PASSPHRASE=${QIAN_PASSPHRASE:-demo-passphrase}

build() {
	mkdir -p "$(dirname "$BIN")"
	go build -o "$BIN" ./cmd/qian
}

homes() {
	for h in "$DIR"/node* "$DIR"/observer*; do
		[ -f "$h/config.toml" ] && echo "$h"
	done
}

running() { # home
	local pidf="$1/node.pid"
	[ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

start_one() { # home
	local h=$1
	if running "$h"; then
		echo "$(basename "$h") is already running (pid $(cat "$h/node.pid"))"
		return
	fi
	nohup "$BIN" start --home "$h" >>"$h/node.log" 2>&1 &
	echo $! >"$h/node.pid"
	echo "started $(basename "$h") (pid $!), log $h/node.log"
}

stop_one() { # home
	local h=$1
	running "$h" || { rm -f "$h/node.pid"; return; }
	local pid
	pid=$(cat "$h/node.pid")
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	rm -f "$h/node.pid"
	echo "stopped $(basename "$h")"
}

http_url() { # home
	sed -n 's/^ *listen *= *"\([0-9.]*:[0-9]*\)".*/\1/p' "$1/config.toml" | tail -n 1
}

cmd=${1:-status}
case "$cmd" in
start)
	n=${2:-4}
	build
	if [ ! -f "$DIR/genesis.json" ]; then
		"$BIN" testnet --validators "$n" --observers 1 --out "$DIR"
	fi
	for h in $(homes); do start_one "$h"; done
	# A node that cannot start at all (a home made by another qian version,
	# whose store it refuses; a port in use) exits at once: say so here
	# rather than leave it to the log.
	sleep 1
	for h in $(homes); do
		if ! running "$h"; then
			rm -f "$h/node.pid"
			echo "$(basename "$h") exited at once; the end of $h/node.log:" >&2
			tail -n 8 "$h/node.log" >&2
		fi
	done
	;;
stop)
	for h in $(homes); do stop_one "$h"; done
	;;
status)
	for h in $(homes); do
		name=$(basename "$h")
		if running "$h"; then
			echo "== $name (pid $(cat "$h/node.pid"))"
			"$BIN" status --node "http://$(http_url "$h")" || true
		else
			echo "== $name: not running"
		fi
	done
	;;
kill)
	h="$DIR/${2:?which node?}"
	running "$h" && kill -KILL "$(cat "$h/node.pid")" && echo "killed $(basename "$h")"
	rm -f "$h/node.pid"
	;;
restart)
	h="$DIR/${2:?which node?}"
	stop_one "$h"
	start_one "$h"
	;;
*)
	sed -n '2,14p' "$0"
	exit 2
	;;
esac
