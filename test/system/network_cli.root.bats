#!/usr/bin/env bats
# The container's resolv.conf on a host whose resolver is a loopback stub
# (systemd-resolved's 127.0.0.53): the host's /etc/resolv.conf is replaced
# in a mount namespace of the test's own, which only root can make.
# network_cli.bats has the rest, as root and rootless.

load helpers

setup_file() {
	busybox_store
}

setup() {
	require_registry
	FAKE="$BATS_TEST_TMPDIR/resolv.conf"
}

# with_resolv TEXT ARGS...: `husk run --rm ARGS cat /etc/resolv.conf` on
# a host whose /etc/resolv.conf is TEXT
with_resolv() {
	printf '%s' "$1" >"$FAKE"
	shift
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift &&
		exec "$@"' sh "$FAKE" "$HUSK" run --rm "$@" "$I" cat /etc/resolv.conf
}

@test "resolv.conf on the private network: only loopback nameservers on the host gives the helper's forwarder" {
	run --separate-stderr with_resolv $'# stub\nnameserver 127.0.0.53\nnameserver ::1\nsearch corp.example\noptions edns0 trust-ad\n'
	[ "$status" -eq 0 ]
	assert_eq $'# stub\nsearch corp.example\noptions edns0 trust-ad\nnameserver 10.0.2.3' "$output"

	# some reachable: only the loopback ones are left out
	run --separate-stderr with_resolv $'nameserver 127.0.0.1\nnameserver 192.0.2.53\n'
	[ "$status" -eq 0 ]
	assert_eq "nameserver 192.0.2.53" "$output"

	# the same when the file is built from --dns-search
	run --separate-stderr with_resolv $'nameserver 127.0.0.53\noptions edns0\n' --dns-search a.example
	[ "$status" -eq 0 ]
	assert_eq $'nameserver 10.0.2.3\nsearch a.example\noptions edns0' "$output"

	# none, host: the host's file as it is
	run --separate-stderr with_resolv $'nameserver 127.0.0.53\n' --network host
	[ "$status" -eq 0 ]
	assert_eq "nameserver 127.0.0.53" "$output"
	run --separate-stderr with_resolv $'nameserver 127.0.0.53\n' --network none
	[ "$status" -eq 0 ]
	assert_eq "nameserver 127.0.0.53" "$output"
}
