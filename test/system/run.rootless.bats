#!/usr/bin/env bats
# husk run as an unprivileged user: the container's ids are the caller's
# subordinate range, seen from the host on a bind mount.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	[ -d "$HUSK_ROOT" ] && "$HUSK" unshare rm -rf "$HUSK_ROOT"
	return 0
}

setup() {
	require_registry
	# this user's first subordinate uid and gid
	SUBUID=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	SUBGID=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subgid)
	SUBCOUNT=$(awk -F: -v u="$(id -un)" '$1 == u { print $3; exit }' /etc/subuid)
	[ -n "$SUBUID" ] && [ -n "$SUBGID" ]
}

teardown() {
	"$HUSK" unshare rm -rf "$BATS_TEST_TMPDIR"/* 2>/dev/null || true
}

@test "rootless run: root is the caller, other ids come from the subordinate range" {
	local d="$BATS_TEST_TMPDIR/vol"
	mkdir "$d"
	chmod 0777 "$d"
	run "$HUSK" run --rm -v "$d:/d" "$I" sh -c 'cat /proc/self/uid_map; touch /d/root-file'
	[ "$status" -eq 0 ]
	assert_eq "0 $(id -u) 1" "$(echo ${lines[0]})"
	assert_eq "1 $SUBUID $SUBCOUNT" "$(echo ${lines[1]})"
	assert_eq "$(id -u):$(id -g)" "$(stat -c %u:%g "$d/root-file")"
	# uid 1000 inside is SUBUID + 999 outside
	run "$HUSK" run --rm -u husk -v "$d:/d" "$I" touch /d/husk-file
	[ "$status" -eq 0 ]
	assert_eq "$((SUBUID + 999)):$((SUBGID + 999))" "$(stat -c %u:%g "$d/husk-file")"
}

@test "rootless run: a host file of an unmapped id shows as nobody and cannot be written" {
	# /etc/hostname belongs to root, unmapped in the user namespace
	run --separate-stderr "$HUSK" run --rm -v /etc/hostname:/h "$I" sh -c 'stat -c %u:%g /h; echo x >>/h'
	[ "$status" -eq 1 ]
	assert_eq 65534:65534 "$output"
	[[ "$stderr" == *"can't create /h: "* ]]
}
