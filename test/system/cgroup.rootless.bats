#!/usr/bin/env bats
# Cgroups for a rootless user on this cgroup v1 machine: there is no
# cgroup to have, so limits give one line and the run goes on, and pause
# and update say why they cannot.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	busybox_store_teardown
}

setup() {
	require_registry
	[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] ||
		skip "a cgroup v2 host: cgroup_v2.root.bats has the delegated case"
}

teardown() {
	local ids
	ids=$("$HUSK" ps -aq 2>/dev/null) || return 0
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
}


@test "rootless on cgroup v1: limits give one line and the run still works; pause and update say why not" {
	run --separate-stderr "$HUSK" run --rm --network none -m 64m --pids-limit 10 "$I" echo ran
	assert_eq 0 "$status"
	assert_eq ran "$output"
	assert_eq 1 "$(printf '%s\n' "$stderr" | wc -l)"
	[[ "$stderr" == "husk: warning: resource limits are ignored: rootless containers get no cgroup on cgroup v1"* ]]
	# no limit asked: nothing said
	run --separate-stderr "$HUSK" run --rm --network none "$I" echo ran
	assert_eq ran "$output"
	assert_eq "" "$stderr"
	"$HUSK" run -d --name rl --network none "$I" sleep 100 >/dev/null
	run --separate-stderr "$HUSK" pause rl
	assert_eq 125 "$status"
	[[ "$stderr" == *"no cgroup"* ]]
	run --separate-stderr "$HUSK" update -m 64m rl
	assert_eq 125 "$status"
	[[ "$stderr" == *"no cgroup"* ]]
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}}' rl
	assert_eq "running false" "$output"
	# stats still answers, with zeros
	run "$HUSK" stats --no-stream --format '{{.Name}} {{.PIDs}}' rl
	assert_eq "rl 0" "$output"
}

@test "rootless: --device binds the host's node" {
	run "$HUSK" run --rm --network none --device /dev/null:/dev/mynull "$I" sh -c \
		'echo x > /dev/mynull && ls -l /dev/mynull | cut -c1'
	assert_eq 0 "$status"
	assert_eq c "$output"
}

