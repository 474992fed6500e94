#!/usr/bin/env bats
# Volumes for a user without subordinate ids (the single-uid fallback):
# copy-up, writes and removal still work, and every file is the user's.
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
		HUSK_ROOT="$store/root" HUSK_RUNROOT="$store/run" "$HUSK" "$@"
}

@test "without a subordinate range, a volume is filled from the image, written, and removed" {
	local vi=$HUSK_REG_PLAIN/husk/volumes uid
	uid=$(id -u huskci-nosub)
	run --separate-stderr as_nosub run --rm -v vol:/data "$vi" sh -c \
		'echo new > /data/new; stat -c "%a %n" /data/owned /data/suid /data/sub; cat /data/owned'
	[ "$status" -eq 0 ]
	assert_eq "640 /data/owned" "${lines[0]}"
	assert_eq "4755 /data/suid" "${lines[1]}"
	assert_eq "700 /data/sub" "${lines[2]}"
	assert_eq "owned" "${lines[3]}"
	[[ "$stderr" == *"only your own uid is mapped"* ]]
	# the copy and the new file belong to the user, nothing else
	assert_eq new "$(cat "$store/root/volumes/vol/_data/new")"
	assert_eq 0 "$(find "$store/root/volumes" ! -uid "$uid" | wc -l)"
	assert_eq "$(stat -c %i "$store/root/volumes/vol/_data/owned")" \
		"$(stat -c %i "$store/root/volumes/vol/_data/hard")"
	# a second container sees the data; the image's VOLUME /cache came
	# and went with the --rm container (anonymous)
	run as_nosub run --rm -v vol:/d "$HUSK_REG_PLAIN/husk/busybox" cat /d/new
	[ "$status" -eq 0 ]
	assert_eq new "${lines[-1]}"
	run as_nosub volume ls -q
	assert_eq vol "$output"
	run as_nosub volume rm vol
	[ "$status" -eq 0 ]
	[ ! -e "$store/root/volumes/vol" ]
}
