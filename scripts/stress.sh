#!/bin/sh
# stress.sh: N runs of `go test -race -count=1` over PKGS while a CPU hog of
# two busy loops runs beside, so that tests depending on timing fail here
# rather than now and then in CI. Prints each run's result, then how many
# runs passed and the failing tests by name with how often each failed.
# Exits non-zero if any run failed. Used by `make stress` (N, GO, PKGS).
set -u
N=${N:-20}
GO=${GO:-go}
PKGS=${PKGS:-./...}

logs=$(mktemp -d)
hogs=""
cleanup() {
	# The hogs are killed by their pids (never by name): they ignore the
	# terminal's SIGINT, as background jobs of a script do.
	for p in $hogs; do kill "$p" 2>/dev/null; done
	for p in $hogs; do wait "$p" 2>/dev/null; done
	rm -rf "$logs"
}
trap cleanup EXIT
trap 'echo; echo "stress: interrupted"; exit 130' INT
trap 'exit 143' TERM HUP

for _ in 1 2; do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
echo "stress: $N runs of $GO test -race -count=1 $PKGS beside a CPU hog (pids$hogs)"

passed=0
i=1
while [ "$i" -le "$N" ]; do
	start=$(date +%s)
	if $GO test -race -count=1 $PKGS >"$logs/run$i.log" 2>&1; then
		result=pass
		passed=$((passed + 1))
	else
		result=FAIL
	fi
	took=$(($(date +%s) - start))
	fails=$(grep -o -- '--- FAIL: [^ ]*' "$logs/run$i.log" | sed 's/--- FAIL: //' | tr '\n' ' ')
	pkgs=$(awk '$1 == "FAIL" && NF >= 2 {print $2}' "$logs/run$i.log" | tr '\n' ' ')
	echo "run $i/$N: $result in ${took}s${fails:+  tests: $fails}${pkgs:+  packages: $pkgs}"
	if [ "$result" = FAIL ] && [ -z "$fails" ]; then
		# No test named: a build failure, a panic or a timeout. Show its end.
		tail -n 20 "$logs/run$i.log" | sed 's/^/    /'
	fi
	i=$((i + 1))
done

echo "stress: $passed of $N runs passed"
if [ "$passed" -ne "$N" ]; then
	echo "failing tests (runs failed):"
	cat "$logs"/run*.log | grep -o -- '--- FAIL: [^ ]*' | sed 's/--- FAIL: //' | sort | uniq -c | sort -rn | sed 's/^/  /'
	exit 1
fi
