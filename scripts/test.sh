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

step "fuzz targets (${QIAN_FUZZTIME:=5s} each)"
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "-- $pkg $target"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$QIAN_FUZZTIME" "$pkg" >/dev/null
	done
done

step "all tests passed"
