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

# busybox_store: this file's own store and runtime directory, with the
# busybox fixture pulled once as $I (for setup_file)
busybox_store() {
	export HUSK_ROOT="$BATS_FILE_TMPDIR/root"
	export HUSK_RUNROOT="$BATS_FILE_TMPDIR/run"
	[ -n "${HUSK_REG_PLAIN:-}" ] || return 0
	export I="$HUSK_REG_PLAIN/husk/busybox"
	"$HUSK" pull -q "$I" >/dev/null
}

# wait_for FILE: up to 10 s for FILE to exist
wait_for() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# dead PID: the process is gone or a zombie (this machine's PID 1 reaps
# orphans late)
dead() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)
	[ -z "$st" ] || [ "$st" = Z ]
}

# busybox_store_teardown: for teardown_file after busybox_store: every
# container of the store, then (rootless) the store itself from inside
# husk's user namespace
busybox_store_teardown() {
	[ -d "${HUSK_ROOT:-/nonexistent}" ] || return 0
	# shellcheck disable=SC2046
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1 || true
	if ! is_root; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
}

# path_without DIR PROG...: DIR gets a link to every program of the
# system's bin directories but PROG...
path_without() {
	local dir=$1 f p skip
	shift
	mkdir -p "$dir"
	for f in /usr/bin/* /usr/sbin/* /bin/*; do
		skip=0
		for p in "$@"; do [ "${f##*/}" != "$p" ] || skip=1; done
		[ "$skip" = 1 ] || [ -e "$dir/${f##*/}" ] || ln -s "$f" "$dir/${f##*/}"
	done
}
