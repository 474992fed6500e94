#!/usr/bin/env bats
# The cgroup v2 backend on this v1-hybrid machine's real cgroup2 mount
# (/sys/fs/cgroup/unified, no controllers: placement, freezing, device
# programs and cleanup are real; the controller files are unit-tested
# against a fake tree in test-cgroup). HUSK_CGROUP_VERSION=2 selects it.
# Also a subtree delegated to an unprivileged user (chowned to huskci),
# as systemd's Delegate=yes would give it. Root only: it creates the
# delegated cgroup and becomes the user.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	[ -d "${HUSK_ROOT:-/nonexistent}" ] || return 0
	# shellcheck disable=SC2046
	HUSK_CGROUP_VERSION=2 "$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1 || true
}

setup() {
	require_registry
	V2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$V2" ] || skip "no cgroup2 mount"
	OWN=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	export HUSK_CGROUP_VERSION=2
}

teardown() {
	local ids
	ids=$("$HUSK" ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
	if [ -n "${DELEG:-}" ] && [ -d "$DELEG" ]; then
		# what the test started there (the user's shell, husk's
		# pause process): the cgroup is the test's own
		echo 1 > "$DELEG/cgroup.kill" 2>/dev/null || true
		for _ in $(seq 50); do
			rmdir "$DELEG"/husk-* "$DELEG" 2>/dev/null && break
			sleep 0.1
		done
	fi
	# the user's husk left its pause process (runtime/pause.c): ours
	if [ -f "${USTORE:-/nonexistent}/run/pause.pid" ]; then
		kill -9 "$(cut -d' ' -f1 "$USTORE/run/pause.pid")" 2>/dev/null || true
	fi
	rm -rf "${USTORE:-/nonexistent}"
}

@test "v2: the container's cgroup is OWN/husk-ID, private cgroupns by default, gone after rm" {
	local id pid dir
	id=$("$HUSK" run -d --network none --cgroupns host "$I" sleep 100)
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' "$id")
	run awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup"
	assert_eq "${OWN%/}/husk-$id" "$output"
	dir="$V2${OWN%/}/husk-$id"
	grep -qx "$pid" "$dir/cgroup.procs"
	run "$HUSK" inspect -f '{{.HostConfig.CgroupnsMode}}' "$id"
	assert_eq host "$output"
	"$HUSK" rm -f "$id" >/dev/null
	[ ! -e "$dir" ]
	# v2's default is a private cgroup namespace: the container is at /
	run "$HUSK" run --rm --network none "$I" sh -c 'grep "^0::" /proc/self/cgroup'
	assert_eq "0::/" "$output"
}

@test "v2: pause freezes through cgroup.freeze, unpause thaws, exec joins" {
	local id pid dir a b
	id=$("$HUSK" run -d --network none "$I" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; done')
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' "$id")
	dir="$V2${OWN%/}/husk-$id"
	sleep 0.2
	"$HUSK" pause "$id" >/dev/null
	grep -qx "frozen 1" "$dir/cgroup.events"
	assert_eq 1 "$(cat "$dir/cgroup.freeze")"
	a=$(cat "/proc/$pid/root/tmp/n")
	[ -n "$a" ] || a=0
	sleep 0.3
	b=$(cat "/proc/$pid/root/tmp/n")
	[ -n "$b" ] || b=0
	assert_eq "$a" "$b"
	"$HUSK" unpause "$id" >/dev/null
	grep -qx "frozen 0" "$dir/cgroup.events"
	# up to 10 s: on a loaded machine the thawed loop may wait its turn
	for _ in $(seq 100); do
		sleep 0.1
		b=$(cat "/proc/$pid/root/tmp/n")
		[ -n "$b" ] && (( b > a )) && break
	done
	(( b > a ))
	run "$HUSK" exec "$id" sh -c 'echo $$; sleep 0.2'
	grep -q . "$dir/cgroup.procs"
	# a limit this tree cannot apply: one line, and the run goes on
	run --separate-stderr "$HUSK" run --rm --network none -m 64m "$I" echo ran
	assert_eq 0 "$status"
	assert_eq ran "$output"
	[[ "$stderr" == "husk: warning: --memory is ignored: the memory controller is not enabled"* ]]
}

@test "v2: the device program keeps a host disk unreadable; --device allows one" {
	local dev maj min
	dev=$(ls /sys/dev/block | head -n1)
	maj=${dev%:*} min=${dev#*:}
	run "$HUSK" run --rm --network none "$I" sh -c \
		"mknod /tmp/disk b $maj $min && echo made; head -c 1 /tmp/disk"
	[ "$status" -ne 0 ]
	[[ "$output" == *made* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	run "$HUSK" run --rm --network none --device /dev/loop0:/dev/xloop:r "$I" sh -c \
		'dd if=/dev/xloop of=/dev/null count=0 2>/dev/null && echo read'
	assert_eq read "$output"
}

@test "v2 delegated to a user: the rootless container gets its own cgroup in the subtree" {
	id huskci >/dev/null 2>&1 || skip "no user huskci (created by .ci/run)"
	local uid id pid
	DELEG="$V2${OWN%/}/husk-deleg-$$"
	mkdir "$DELEG"
	chown huskci "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" \
		"$DELEG/cgroup.threads"
	USTORE=$(mktemp -d /tmp/husk-deleg.XXXXXX)
	chown huskci "$USTORE"
	uid=$(id -u huskci)
	# a shell moved into the subtree by root, then the user's husk in it
	mkfifo "$USTORE/go"
	chown huskci "$USTORE/go"
	runuser -u huskci -- env -i PATH=/usr/bin:/bin HOME="$USTORE" \
		XDG_RUNTIME_DIR="$USTORE/xdg" HUSK_CGROUP_VERSION=2 \
		HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" HUSK="$HUSK" I="$I" \
		sh -c 'echo $$ > "$HOME/pid"; read x < "$HOME/go"; "$HUSK" run -d --name dl --cgroupns host --network none "$I" sleep 100 > "$HOME/out" 2> "$HOME/err"; echo $? > "$HOME/rc"' &
	wait_for "$USTORE/pid"
	UPID=$(cat "$USTORE/pid")
	echo "$UPID" > "$DELEG/cgroup.procs"
	echo go > "$USTORE/go"
	wait_for "$USTORE/rc"
	assert_eq 0 "$(cat "$USTORE/rc")"
	id=$(cat "$USTORE/out")
	assert_eq "" "$(cat "$USTORE/err")"
	pid=$(runuser -u huskci -- env HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		"$HUSK" inspect -f '{{.State.Pid}}' dl)
	run awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup"
	assert_eq "${OWN%/}/husk-deleg-$$/husk-$id" "$output"
	# the user's process, and its cgroup is the user's
	assert_eq "$uid" "$(stat -c %u "$DELEG/husk-$id")"
	runuser -u huskci -- env HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		HUSK_CGROUP_VERSION=2 "$HUSK" pause dl
	grep -qx "frozen 1" "$DELEG/husk-$id/cgroup.events"
	runuser -u huskci -- env HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		HUSK_CGROUP_VERSION=2 "$HUSK" unpause dl
	runuser -u huskci -- env HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		XDG_RUNTIME_DIR="$USTORE/xdg" HUSK_CGROUP_VERSION=2 "$HUSK" rm -f dl
	[ ! -e "$DELEG/husk-$id" ]
}

@test "v2, not delegated: a user's limits give one line and the run works" {
	id huskci >/dev/null 2>&1 || skip "no user huskci (created by .ci/run)"
	USTORE=$(mktemp -d /tmp/husk-deleg.XXXXXX)
	chown huskci "$USTORE"
	run --separate-stderr runuser -u huskci -- env -i PATH=/usr/bin:/bin HOME="$USTORE" \
		XDG_RUNTIME_DIR="$USTORE/xdg" HUSK_CGROUP_VERSION=2 \
		HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		"$HUSK" run --rm --network none --pids-limit 10 "$I" echo ran
	assert_eq 0 "$status"
	assert_eq ran "${lines[-1]}"
	[[ "$stderr" == *"resource limits are ignored: this user's cgroup is not delegated"* ]]
	rm -rf "$USTORE/xdg"
	runuser -u huskci -- env HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" \
		XDG_RUNTIME_DIR="$USTORE/xdg" "$HUSK" unshare rm -rf "$USTORE/root" || true
}
