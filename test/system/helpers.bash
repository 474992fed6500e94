# Loaded by every system suite: `load helpers`.
#
# test/run.sh exports:
#   HUSK            absolute path of the husk binary under test
#   HUSK_SRC        the source tree
#   HUSK_TEST_STATE the harness's state directory; $HUSK_TEST_STATE/env is a
#                   sourceable file written by test/helpers/harness.sh with
#                   the registries' addresses and the fixtures' location
# Tests skip with `skip "why"` when a prerequisite is missing; with
# MUST_WORK=1 (CI) test/run.sh counts every skip as a failure.

bats_require_minimum_version 1.5.0

: "${HUSK:=$BATS_TEST_DIRNAME/../../husk}"
: "${HUSK_SRC:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
if [ -n "${HUSK_TEST_STATE:-}" ] && [ -f "$HUSK_TEST_STATE/env" ]; then
	# shellcheck disable=SC1091
	. "$HUSK_TEST_STATE/env"
fi
PY=/usr/bin/python3

# Each test gets its own store and runtime directory.
husk_test_dirs() {
	export HUSK_ROOT="$BATS_TEST_TMPDIR/root"
	export HUSK_RUNROOT="$BATS_TEST_TMPDIR/run"
}

# require_cmd CMD...: skip unless every command is on PATH.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# require_registry: skip unless the harness's registries are up.
require_registry() {
	[ -n "${HUSK_REG_PLAIN:-}" ] || skip "no test registry (run through test/run.sh)"
}

is_root() { [ "$(id -u)" = 0 ]; }

# assert_line_eq EXPECTED ACTUAL: compare with a readable failure.
assert_eq() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %s\nactual:   %s\n' "$1" "$2" >&2
		return 1
	fi
}
