#!/usr/bin/env bats
# The pinned user namespace: a per-user pause process that later commands
# join with setns() instead of running newuidmap/newgidmap each time.

load helpers

setup() {
	husk_test_dirs
	export HUSK_NO_PAUSE=0
	require_registry
	awk -F: -v u="$(id -un)" '$1 == u { f = 1 } END { exit !f }' /etc/subuid ||
		skip "no subordinate range for $(id -un)"
}

teardown() {
	if [ -d "$HUSK_ROOT" ]; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT" || true
	fi
	# then the pause process this test's husk started, by its recorded pid
	if [ -f "$HUSK_RUNROOT/pause.pid" ]; then
		kill -9 "$(cut -d' ' -f1 "$HUSK_RUNROOT/pause.pid")" 2>/dev/null || true
	fi
}

pause_pid() { cut -d' ' -f1 "$HUSK_RUNROOT/pause.pid"; }

@test "the first rootless command leaves a pause process holding husk's namespace" {
	run "$HUSK" unshare cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	p=$(pause_pid)
	[ -d "/proc/$p" ]
	# nobody's child, in a session of its own, owning the same mapping
	assert_eq 1 "$(awk '/^PPid/ { print $2 }' /proc/$p/status)"
	assert_eq "$(tr -s ' ' <"/proc/$p/uid_map")" "$(printf '%s\n' "${lines[@]}" | tr -s ' ')"
	# the next command joins it: same namespace, same pause process
	run "$HUSK" unshare readlink /proc/self/ns/user
	assert_eq "$(readlink /proc/$p/ns/user)" "$output"
	assert_eq "$p" "$(pause_pid)"
}

@test "a killed pause process is replaced by the next command" {
	run "$HUSK" unshare true
	p=$(pause_pid)
	[ -n "$p" ]
	kill -9 "$p"
	while [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; do sleep 0.05; done
	run "$HUSK" unshare readlink /proc/self/ns/user
	[ "$status" -eq 0 ]
	q=$(pause_pid)
	[ "$q" != "$p" ]
	assert_eq "$(readlink /proc/$q/ns/user)" "$output"
}

@test "containers run in the pinned namespace with the subordinate mapping" {
	"$HUSK" pull -q "$HUSK_REG_PLAIN/husk/busybox" >/dev/null
	run "$HUSK" run --rm "$HUSK_REG_PLAIN/husk/busybox" cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	want=$(awk -F: -v u="$(id -un)" '$1 == u { print "1 " $2 " " $3; exit }' /etc/subuid)
	assert_eq "$want" "$(echo ${lines[1]})"
	# and the container's user namespace is the pause process's
	run "$HUSK" run --rm "$HUSK_REG_PLAIN/husk/busybox" readlink /proc/self/ns/user
	assert_eq "$(readlink /proc/$(pause_pid)/ns/user)" "$output"
}

@test "HUSK_NO_PAUSE=1 makes a fresh namespace and leaves no process" {
	HUSK_NO_PAUSE=1 run "$HUSK" unshare true
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_RUNROOT/pause.pid" ]
}
