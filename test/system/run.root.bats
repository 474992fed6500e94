#!/usr/bin/env bats
# husk run as root only: the single-uid fallback of a user without
# subordinate ids (run through runuser), host ids on bind mounts, and what
# --privileged unlocks for the real root.

load helpers

setup_file() {
	busybox_store
}

setup() {
	require_registry
}

@test "run as a user without a subordinate range: one warning, container root is the user" {
	id huskci-nosub >/dev/null 2>&1 || skip "no user huskci-nosub (created by .ci/run)"
	local store
	store=$(mktemp -d /tmp/husk-nosub.XXXXXX)
	chown huskci-nosub "$store"
	run --separate-stderr runuser -u huskci-nosub -- env -i PATH=/usr/bin:/bin \
		HOME=/tmp HUSK_ROOT="$store/root" HUSK_RUNROOT="$store/run" \
		"$HUSK" run --rm -v "$store:/s" "$I" sh -c 'id -u; cat /proc/self/uid_map; touch /s/made'
	local owner
	owner=$(stat -c %U "$store/made" 2>/dev/null || true)
	local tmpleft
	tmpleft=$(ls -A "$store/root/tmp" 2>&1)
	rm -rf "$store"
	[ "$status" -eq 0 ]
	assert_eq 0 "${lines[0]}"
	assert_eq "0 $(id -u huskci-nosub) 1" "$(echo ${lines[1]})"
	assert_eq 2 "${#lines[@]}"
	assert_eq "husk: warning: no subordinate id range in /etc/subuid and /etc/subgid: only your own uid is mapped, files owned by other ids are given to you" "$stderr"
	assert_eq huskci-nosub "$owner"
	assert_eq "" "$tmpleft"
}

@test "run as root: ids are the host's on a bind mount" {
	local d="$BATS_TEST_TMPDIR/vol"
	mkdir "$d"
	chmod 0777 "$d"
	run "$HUSK" run --rm -v "$d:/d" "$I" sh -c 'touch /d/root-file; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	assert_eq "0 0 4294967295" "$(echo $output)"
	assert_eq 0:0 "$(stat -c %u:%g "$d/root-file")"
	run "$HUSK" run --rm -u 1234:5678 -v "$d:/d" "$I" touch /d/user-file
	[ "$status" -eq 0 ]
	assert_eq 1234:5678 "$(stat -c %u:%g "$d/user-file")"
}

@test "run --privileged as root: /proc/sys is writable, in the container's own UTS namespace" {
	local before
	before=$(cat /proc/sys/kernel/domainname)
	run "$HUSK" run --rm --privileged "$I" sh -c 'echo husk-test-dn >/proc/sys/kernel/domainname && cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	assert_eq husk-test-dn "$output"
	assert_eq "$before" "$(cat /proc/sys/kernel/domainname)"
}
