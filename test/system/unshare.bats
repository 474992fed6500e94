#!/usr/bin/env bats
# husk unshare: the user namespace husk's store work runs in.

load helpers

setup() {
	husk_test_dirs
}

@test "unshare runs the command as root of husk's user namespace" {
	run --separate-stderr "$HUSK" unshare sh -c 'id -u; id -g; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	assert_eq 0 "${lines[0]}"
	assert_eq 0 "${lines[1]}"
	if is_root; then
		# root needs no namespace: the identity map of the host
		assert_eq "0 0 4294967295" "$(echo ${lines[2]})"
		return
	fi
	assert_eq "0 $(id -u) 1" "$(echo ${lines[2]})"
	want=$(awk -F: -v u="$(id -un)" '$1 == u { print "1 " $2 " " $3; exit }' /etc/subuid)
	[ -n "$want" ] || skip "no subordinate range for $(id -un)"
	assert_eq "$want" "$(echo ${lines[3]})"
	[ -z "$stderr" ]
}

@test "unshare maps the subordinate gids too" {
	is_root && return 0
	run "$HUSK" unshare cat /proc/self/gid_map
	[ "$status" -eq 0 ]
	assert_eq "0 $(id -g) 1" "$(echo ${lines[0]})"
	want=$(awk -F: -v u="$(id -un)" '$1 == u { print "1 " $2 " " $3; exit }' /etc/subgid)
	assert_eq "$want" "$(echo ${lines[1]})"
}

@test "unshare sets HUSK_ROOT to the store and creates it" {
	run "$HUSK" unshare sh -c 'echo "$HUSK_ROOT"'
	[ "$status" -eq 0 ]
	assert_eq "$HUSK_ROOT" "$output"
	[ -d "$HUSK_ROOT" ]
	# the store belongs to the caller outside the namespace
	assert_eq "$(id -u)" "$(stat -c %u "$HUSK_ROOT")"
}

@test "unshare relays the command's exit status" {
	run "$HUSK" unshare sh -c 'exit 42'
	[ "$status" -eq 42 ]
}

@test "unshare: a missing command is 127, a non-executable one 126" {
	run -127 --separate-stderr "$HUSK" unshare /nonexistent/cmd
	[ "$status" -eq 127 ]
	assert_eq "husk: cannot run '/nonexistent/cmd': no such file or directory" "$stderr"
	touch "$BATS_TEST_TMPDIR/noexec"
	run --separate-stderr "$HUSK" unshare "$BATS_TEST_TMPDIR/noexec"
	[ "$status" -eq 126 ]
	assert_eq "husk: cannot run '$BATS_TEST_TMPDIR/noexec': permission denied" "$stderr"
}

@test "unshare --help prints usage" {
	run "$HUSK" unshare --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: husk unshare [COMMAND [ARG...]]" ]]
}
