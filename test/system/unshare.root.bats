#!/usr/bin/env bats
# husk unshare for a user without subordinate ids: the single-uid fallback.

load helpers

@test "without a subordinate range, unshare maps only the user's uid and says so" {
	id huskci-nosub >/dev/null 2>&1 || skip "no user huskci-nosub (created by .ci/run)"
	store=$(mktemp -d /tmp/husk-nosub.XXXXXX)
	chown huskci-nosub "$store"
	run --separate-stderr runuser -u huskci-nosub -- env -i PATH=/usr/bin:/bin \
		HOME=/tmp HUSK_ROOT="$store/root" "$HUSK" unshare sh -c 'id -u; cat /proc/self/uid_map'
	rm -rf "$store"
	[ "$status" -eq 0 ]
	assert_eq 0 "${lines[0]}"
	assert_eq "0 $(id -u huskci-nosub) 1" "$(echo ${lines[1]})"
	assert_eq 2 "${#lines[@]}"
	assert_eq "husk: warning: no subordinate id range in /etc/subuid and /etc/subgid: only your own uid is mapped, files owned by other ids are given to you" "$stderr"
}
