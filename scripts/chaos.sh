#!/usr/bin/env bash
# Fault-injection run: 4 validator processes and an observer under steady
# load while faults repeat (SIGKILL and restart, SIGSTOP and SIGCONT, one
# node cut off, a 2-2 split, a restart with the data directory wiped) and
# the validator set changes by governance (a fifth organisation's node voted
# in, a founder voted out, another's key rotated; --set-changes=false keeps
# the four); then the chain, the committed transactions and the signatures
# are checked.
#
#   scripts/chaos.sh [--duration 10m] [--seed N] [--rate 200]
#                    [--faults kill,pause,isolate,split,wipe] [--json FILE] [--keep]
#
# The seed of the random choices is printed at the start. Exit status: 0 when
# every invariant held, 1 on any violation, 2 when the run could not be made.
# docs/faults.md describes the method; `scripts/chaos.sh --help` lists every
# flag.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build, then exec: `go run` would turn every failing exit status into 1.
bindir=$(mktemp -d "${TMPDIR:-/tmp}/qian-chaos-bin.XXXXXX")
trap 'rm -rf "$bindir"' EXIT
go build -o "$bindir/chaos" ./scripts/chaos
go build -o "$bindir/qian" ./cmd/qian
"$bindir/chaos" --bin "$bindir/qian" "$@"
