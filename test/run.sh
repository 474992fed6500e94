#!/bin/bash
# The test driver behind `make check`.
#
#   test/run.sh             unit tests, then system tests
#   test/run.sh --unit      only the C unit tests (TAP programs)
#   test/run.sh --system [FILE.bats...]
#
# It brings the registry harness up once (test/helpers/harness.sh), runs
# every suite, tears the harness down (only the pids it started), and ends
# with the line "N passed, N failed, N skipped". With MUST_WORK=1 (CI) a
# skipped test counts as failed. Exit status: 0 when nothing failed.
set -u
cd "$(dirname "$0")/.." || exit 1
SRC=$PWD
O=${O:-build}
mode=all
files=()
case "${1:-}" in
--unit) mode=unit ;;
--system) mode=system; shift; files=("$@") ;;
"") ;;
*) echo "usage: test/run.sh [--unit | --system [FILE.bats...]]" >&2; exit 2 ;;
esac

pass=0 fail=0 skip=0
failed_names=()

# tally NAME LOGFILE: count TAP results of one suite.
tally() {
	local name=$1 log=$2 line
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			fail=$((fail + 1)); failed_names+=("$name: ${line#not ok }") ;;
		"ok "*" # skip"* | "ok "*" # SKIP"*)
			skip=$((skip + 1))
			[ "${MUST_WORK:-0}" = 1 ] && failed_names+=("$name: ${line#ok } (skipped)") ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done <"$log"
}

run_unit() {
	local t name log rc before
	for t in "$O"/test/unit/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$(mktemp)
		echo "# unit: $name"
		before=$fail
		"$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		if [ "$rc" = 77 ]; then
			skip=$((skip + 1)); failed_names+=("$name: skipped whole")
		else
			tally "$name" "$log"
			if [ "$rc" != 0 ] && [ "$fail" = "$before" ]; then
				fail=$((fail + 1)); failed_names+=("$name: exited $rc")
			fi
		fi
		rm -f "$log"
	done
}

# harness_up: start the registries once for every suite (unit tests such
# as test-registry use them too); stopped when the script exits
state=""
harness_up() {
	state=$(mktemp -d "${TMPDIR:-/tmp}/husk-test.XXXXXX")
	chmod 0755 "$state"
	# shellcheck disable=SC2064
	trap "bash '$SRC/test/helpers/harness.sh' down '$state' >/dev/null 2>&1; rm -rf '$state'" EXIT
	if ! bash test/helpers/harness.sh up "$state"; then
		echo "# the registry harness did not come up" >&2
		fail=$((fail + 1)); failed_names+=("harness: up failed")
	fi
	export HUSK="$SRC/husk" HUSK_SRC="$SRC" HUSK_TEST_STATE="$state" O
	# every test has a runroot of its own: a pinned user namespace per
	# test would leave a pause process each; pause.rootless.bats tests it
	export HUSK_NO_PAUSE=1
	if [ -f "$state/env" ]; then
		set -a
		# shellcheck disable=SC1091
		. "$state/env"
		set +a
	fi
}

run_system() {
	local log
	command -v bats >/dev/null || { echo "bats not installed" >&2; fail=$((fail + 1)); return; }
	if [ ${#files[@]} = 0 ]; then
		# FILE.root.bats runs only as root, FILE.rootless.bats only as
		# another user: a test that cannot apply is not run, rather than
		# skipped (MUST_WORK=1 fails every skip)
		local f
		for f in test/system/*.bats; do
			case "$f" in
			*.root.bats) [ "$(id -u)" = 0 ] || continue ;;
			*.rootless.bats) [ "$(id -u)" != 0 ] || continue ;;
			esac
			files+=("$f")
		done
	fi
	log=$(mktemp)
	bats --tap "${files[@]}" 2>&1 | tee "$log"
	tally bats "$log"
	rm -f "$log"
}

harness_up
case $mode in
unit) run_unit ;;
system) run_system ;;
all) run_unit; run_system ;;
esac

if [ "${MUST_WORK:-0}" = 1 ]; then
	fail=$((fail + skip)); skip=0
fi
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failed_names[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
