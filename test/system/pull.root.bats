#!/usr/bin/env bats
# Pulls by a user without subordinate ids: the single-uid fallback.
# (Root only: it needs runuser to become that user.)

load helpers

setup() {
	require_registry
	id huskci-nosub >/dev/null 2>&1 || skip "no user huskci-nosub (created by .ci/run)"
	store=$(mktemp -d /tmp/husk-nosub.XXXXXX)
	chown huskci-nosub "$store"
}

teardown() {
	rm -rf "$store"
}

as_nosub() {
	runuser -u huskci-nosub -- env -i PATH=/usr/bin:/bin HOME=/tmp \
		HUSK_ROOT="$store/root" "$HUSK" "$@"
}

@test "without a subordinate range, pull squashes owners to the user and says so" {
	run --separate-stderr as_nosub pull -q "$HUSK_REG_PLAIN/husk/layers"
	[ "$status" -eq 0 ]
	assert_eq "$(jq -r '.images.layers.config.digest | ltrimstr("sha256:")' "$HUSK_FIXTURES/expected.json")" "$output"
	assert_eq "husk: warning: no subordinate id range in /etc/subuid and /etc/subgid: only your own uid is mapped, files owned by other ids are given to you" "${stderr_lines[0]}"
	[[ "${stderr_lines[1]}" =~ ^husk:\ warning:\ [0-9]+\ files\ of\ \'.*husk/layers\'\ belong\ to\ ids\ outside\ your\ namespace\ and\ were\ given\ to\ you$ ]]
	# every file of the store belongs to the user
	uid=$(id -u huskci-nosub)
	assert_eq 0 "$(find "$store/root" ! -uid "$uid" | wc -l)"
	# the mapping is recorded with the store
	assert_eq "0:$uid:1" "$(jq -r .uidmap "$store/root/store.json")"
	# and the user can remove it all again
	run as_nosub rmi "$HUSK_REG_PLAIN/husk/layers"
	[ "$status" -eq 0 ]
	assert_eq 0 "$(find "$store/root/layers" -mindepth 1 | wc -l)"
}

@test "root's store records the host mapping" {
	HUSK_ROOT="$store/r" run "$HUSK" pull -q "$HUSK_REG_PLAIN/husk/busybox"
	[ "$status" -eq 0 ]
	assert_eq host "$(jq -r .uidmap "$store/r/store.json")"
	# owners are the image's own
	assert_eq "1000:1000" "$(stat -c %u:%g "$store"/r/layers/*/home/husk)"
}
