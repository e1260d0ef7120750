#!/usr/bin/env bash
# The whole test suite: formatting, vet, every package's tests, the race
# detector on the concurrent packages, and a short run of every fuzz target.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet ./..."
go vet ./...

step "go test ./..."
go test -count=1 -timeout 15m ./...

step "race detector on the concurrent packages"
race_pkgs=$(go list ./ledger/store/... ./node/... ./consensus/... 2>/dev/null | grep -v /internal/ || true)
if [ -n "$race_pkgs" ]; then
	go test -count=1 -race -short -timeout 15m $race_pkgs
fi

if [ -z "${QIAN_SKIP_CHAOS:-}" ]; then
	step "fault injection: 4 validator processes and an observer under load, ${QIAN_CHAOS_DURATION:=60s} of faults"
	chaoslog=$(mktemp)
	if QIAN_CHAOS=1 QIAN_CHAOS_DURATION="$QIAN_CHAOS_DURATION" go test ./scripts/chaos/ -run 'TestChaos|TestCutIsolates' \
		-count=1 -timeout 20m -v >"$chaoslog" 2>&1; then
		grep -E 'seed|faults:|final height|^(--- |ok)' "$chaoslog" || true
		rm -f "$chaoslog"
	else
		tail -n 80 "$chaoslog"
		echo "fault injection failed; full log: $chaoslog"
		exit 1
	fi
fi

if [ -z "${QIAN_SKIP_ATTACK:-}" ]; then
	step "a public node under load and attack: 4 validator processes at 1,000 tx/s, ${QIAN_ATTACK_DURATION:=60s} of attack on one"
	attacklog=$(mktemp)
	if QIAN_ATTACK=1 QIAN_ATTACK_DURATION="$QIAN_ATTACK_DURATION" go test ./scripts/attack/ -run 'TestAttack$' \
		-count=1 -timeout 20m -v >"$attacklog" 2>&1; then
		grep -E 'attack summary|offered load|phase  |(before|during|after) +[0-9]|load: [0-9]|attack [a-z]|no process|RESULT|^(--- |ok)' "$attacklog" || true
		rm -f "$attacklog"
	else
		tail -n 80 "$attacklog"
		echo "attack run failed; full log: $attacklog"
		exit 1
	fi
fi

step "fuzz targets (${QIAN_FUZZTIME:=5s} each)"
scripts/fuzz.sh --time "$QIAN_FUZZTIME"

step "all tests passed"
