#!/usr/bin/env bash
# The whole test suite: formatting, vet, every package's tests, the race
# detector on the concurrent packages, and a short run of every fuzz target,
# then a summary of the tests that could not run here and why.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Tests that need something from outside the repository — GS1's reference
# files in ../shared/fixtures, a chromium for the browser tests — skip
# without it and append a line to this file (internal/testenv documents the
# format); the run ends, passing or not, with a summary of what did not run
# and how to get it. Chromium is not installed here: a test command does
# not install system packages; .ci/run does, on CI's fresh machines.
QIAN_SKIP_LOG=$(mktemp)
export QIAN_SKIP_LOG
trap 'skip_summary; rm -f "$QIAN_SKIP_LOG"' EXIT

# skip_summary prints, per missing thing, how many tests did not run, which
# (by package, at most five names each) and how to get it. The log's lines
# are: missing, kind of tests, how to get it, package, test (tab-separated).
skip_summary() {
	if [ ! -s "$QIAN_SKIP_LOG" ]; then
		step "skipped for want of files or tools outside the repository: none"
		return
	fi
	local rule="################################################################################"
	printf '\n%s\n' "$rule"
	sort -u "$QIAN_SKIP_LOG" | awk -F'\t' '
		function wrap(text, first, rest,   n, w, i, line, prefix) {
			n = split(text, w, " "); prefix = first; line = prefix
			for (i = 1; i <= n; i++) {
				if (length(line) + length(w[i]) > 100 && line != prefix) { print line; prefix = rest; line = prefix }
				line = line (line == prefix ? "" : " ") w[i]
			}
			print line
		}
		!($1 in kind) { what[++nwhat] = $1; kind[$1] = $2; hint[$1] = $3 }
		!(($1, $4) in names) { pkgs[$1, ++npkgs[$1]] = $4 }
		{
			count[$1]++; total++
			k = $1 SUBSEP $4
			if (n[k] < 5) names[k] = names[k] (n[k] ? ", " : "") $5
			n[k]++
		}
		END {
			printf "# SKIPPED: %d tests did not run on this machine; this run does not check what they check.\n", total
			for (i = 1; i <= nwhat; i++) {
				m = what[i]
				printf "#\n# no %s: %d %s did not run\n", m, count[m], kind[m]
				for (j = 1; j <= npkgs[m]; j++) {
					k = m SUBSEP pkgs[m, j]
					more = n[k] > 5 ? sprintf(" and %d more", n[k] - 5) : ""
					wrap(pkgs[m, j] ": " names[k] more, "#   ", "#       ")
				}
				wrap("To run them: " hint[m] ".", "#   ", "#   ")
			}
		}'
	printf '%s\n' "$rule"
}

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet ./..."
go vet ./...

step "go test ./..."
go test -count=1 -timeout 15m ./...

step "the signature field without its assembly (-tags purego: what a validator without BMI2 and ADX runs)"
go test -count=1 -tags purego ./ledger/schnorrbatch

step "race detector on the concurrent packages"
race_pkgs=$(go list ./ledger/store/... ./node/... ./consensus/... 2>/dev/null | grep -v /internal/ || true)
if [ -n "$race_pkgs" ]; then
	go test -count=1 -race -short -timeout 15m $race_pkgs
fi

if [ -z "${QIAN_SKIP_CHAOS:-}" ]; then
	step "fault injection: 4 validator processes and an observer under load, ${QIAN_CHAOS_DURATION:=60s} of faults and 3 validator-set changes"
	chaoslog=$(mktemp)
	if QIAN_CHAOS=1 QIAN_CHAOS_DURATION="$QIAN_CHAOS_DURATION" go test ./scripts/chaos/ -run 'TestChaos|TestCutIsolates' \
		-count=1 -timeout 20m -v >"$chaoslog" 2>&1; then
		grep -E 'seed|faults:|final height|validator-set changes|^(--- |ok)' "$chaoslog" || true
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
		grep -E 'attack summary|offered load|phase  |(before|during|after) +[0-9]|load: [0-9]|attack [a-z]|no process|RESULT|RETRY|  - |^(--- |ok)' "$attacklog" || true
		rm -f "$attacklog"
	else
		tail -n 80 "$attacklog"
		echo "attack run failed; full log: $attacklog"
		exit 1
	fi
fi

# GS1's epcis2.js as a client of the organisation's gateway (a devnet, the
# farm's gateway, GS1's example documents): scripts/epcis-gateway.sh.
if [ -n "${QIAN_SKIP_EPCIS_CLIENT:-}" ]; then
	step "epcis2.js client against the gateway: SKIPPED because QIAN_SKIP_EPCIS_CLIENT is set"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	step "epcis2.js client against the gateway: SKIPPED, node or npm is missing"
	printf 'node and npm\tclient tests (GS1 epcis2.js)\tinstall Node 20 and npm (apt-get install nodejs npm), then run scripts/epcis-gateway.sh\tscripts/epcis-gateway.sh\tepcis2.js client\n' >>"$QIAN_SKIP_LOG"
else
	step "epcis2.js client against the gateway (scripts/epcis-gateway.sh)"
	scripts/epcis-gateway.sh
fi

step "fuzz targets (${QIAN_FUZZTIME:=5s} each)"
scripts/fuzz.sh --time "$QIAN_FUZZTIME"

step "all tests passed"
