#!/usr/bin/env bash
# A public node under load and attack: 4 validator processes on 127.0.0.1
# commit 1,000 signed tx/s while node0 is attacked with idle and slow-body
# connections, silent event-stream subscribers, a flood of consumer-page and
# lot-JSON requests, garbage on its p2p port from an outsider and oversized
# announced frames from an admitted observer; the report gives the commit
# rate, a well-behaved client's consumer-page p50/p99, node0's memory before,
# during and after, and whether anything panicked.
#
#   scripts/attack.sh [--duration 5m] [--before 30s] [--after 60s] [--rate 1000]
#                     [--json FILE] [--keep]
#
# Exit status: 0 when every target was met, 1 when one was missed, 2 when the
# run could not be made. docs/bad-input.md lists what each attack gets;
# `scripts/attack.sh --help` lists every flag.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build, then exec: `go run` would turn every failing exit status into 1.
bindir=$(mktemp -d "${TMPDIR:-/tmp}/qian-attack-bin.XXXXXX")
trap 'rm -rf "$bindir"' EXIT
go build -o "$bindir/attack" ./scripts/attack
go build -o "$bindir/qian" ./cmd/qian
"$bindir/attack" --bin "$bindir/qian" "$@"
